"""Builders under @functools.cache and @lru_cache: a call with an earlier call's arguments
returns the very module that call returned, so a model holding two of them holds one (torch
counts it once, and freezing one freezes both)."""

import functools

import torch.nn as nn


@functools.cache
def shared(width):
    return nn.Linear(width, width)


@functools.lru_cache(maxsize=None)
def shared_head(width):
    return nn.Linear(width, 2)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = self.block(4)
        self.b = self.block(4)
        self.c = self.block(8)

    @staticmethod
    @functools.cache
    def block(d):
        return nn.Linear(d, d)


first = shared(4)
first.requires_grad_(False)
twice = nn.Sequential(first, shared(4), shared(3), shared_head(3), shared_head(3))
net = Net()
