"""Python refuses a call whose arguments do not bind (too many positionals, a keyword given twice
or unknown, a keyword-only one given by position, a positional-only one by keyword): it raises
TypeError before the body runs, so an `except TypeError` picks the other width, and the module
a refused constructor would have built does not exist."""

import torch.nn as nn


class Block(nn.Module):
    def __init__(self, width, /, *, bias=True):
        super().__init__()
        self.fc = nn.Linear(width, width, bias=bias)


def widths(n, m=2):
    return n * m


def attempt(make, fallback):
    try:
        return make()
    except TypeError:
        return fallback()


too_many = nn.Sequential(attempt(lambda: Block(4, 5), lambda: Block(8)))
twice = nn.Sequential(nn.Linear(attempt(lambda: widths(3, **{"n": 5}), lambda: 6), 2))
by_position = nn.Sequential(attempt(lambda: Block(4, False), lambda: Block(3)))
by_keyword = nn.Sequential(attempt(lambda: Block(width=4), lambda: Block(5)))
unexpected = nn.Sequential(attempt(lambda: Block(4, depth=2), lambda: Block(6, bias=False)))
