"""A lambda's or a generator's body reads its free names when it runs, not where it is
written: in a function the evaluation runs with a count the code does not fix, the file's own
walk must not give the value a name had where the lambda or generator was written."""

import os

import torch.nn as nn


def grown(n):
    c = 3
    layers = []
    for blk in (nn.Conv2d(c, c, 1) for _ in range(n)):
        layers.append(blk)
        c *= 2
    return nn.Sequential(*layers)


def rebound(n):
    c = 3
    gen = (nn.Conv2d(c, c, 1) for _ in range(n))
    c = 8
    return nn.Sequential(*gen)


def made_later(n):
    c = 3
    make = lambda: nn.Conv2d(c, c, 1)  # noqa: E731
    c = 8
    return nn.Sequential(*[make() for _ in range(n)])


BLOCKS = int(os.environ.get("BLOCKS", "3"))
a = grown(BLOCKS)
b = rebound(BLOCKS)
model = made_later(BLOCKS)
