"""An instance is false where its class says so: a `__len__` of 0, a `__bool__` returning False,
a torch container subclass with no submodule (its length counts `self.a = ...` too). Here every
one of them is false, so each width is 16, not the 8 of an object taken as true."""

import torch.nn as nn


class Stages:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


class Flag:
    def __bool__(self):
        return False


class Block(nn.Sequential):
    def __init__(self):
        super().__init__()


class Named(nn.Sequential):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2)


sized = nn.Sequential(nn.Linear(8 if Stages(0) else 16, 2))
flagged = nn.Sequential(nn.Linear(8 if Flag() else 16, 2))
empty = nn.Sequential(nn.Linear(8 if Block() else 16, 2))
named = nn.Sequential(nn.Linear(8 if not Named() else 16, 2))
