"""What the code takes out of a torch module is no longer counted: `del self.extra`, a
registered child set to None, `conv.bias = None`, `del seq[1]` (torch renumbers the rest),
`ModuleDict.pop`, `del blocks[1]` on a ModuleList."""

import copy

import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.plain = [nn.Linear(4, 4)]  # a list: not registered
        self.conv = nn.Conv2d(3, 8, 3)
        self.conv = nn.Conv2d(3, 4, 1)
        self.extra = nn.Linear(2, 2)
        del self.extra
        self.gone = nn.Linear(5, 5)
        self.gone = None
        self.same = self.conv


net = Net()


class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        for i in range(3):
            setattr(self, f"conv{i}", nn.Conv2d(3, 3, 1))
        self.add_module("head", nn.Linear(3, 2))
        self.twin = copy.deepcopy(self.head)
        self.d = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.Linear(3, 3)})
        self.d.pop("a")
        self.d.update({"c": nn.Linear(1, 1)})


heads = Heads()

conv = nn.Conv2d(3, 8, 3)
conv.weight = nn.Parameter(torch.randn(8, 3, 1, 1))
conv.bias = None
replaced = nn.Sequential(conv)

blocks = nn.ModuleList([nn.Linear(2, 2)])
blocks += [nn.Linear(3, 3)]
blocks.extend([nn.Linear(1, 1)])
blocks.insert(0, nn.Linear(4, 4))
del blocks[1]
listed = nn.Sequential(*blocks)

seq = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 3))
seq.append(nn.Linear(3, 5))
seq[0] = nn.Linear(2, 7)
del seq[1]
