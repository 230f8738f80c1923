"""Subclasses of nn.Sequential, nn.ModuleList and nn.ModuleDict that fill themselves through
the container's own methods in their __init__: `self.append`, `self.extend`, `self.insert`,
`self += [...]`, `self.update`, `self[k] = v`. torch counts the members they end with."""

import torch.nn as nn


class Stack(nn.Sequential):
    def __init__(self, n):
        super().__init__()
        for _ in range(n):
            self.append(nn.Linear(4, 4))


class Listed(nn.ModuleList):
    def __init__(self):
        super().__init__([nn.Linear(2, 2)])
        self += [nn.Linear(2, 2)]
        self.extend([nn.Linear(3, 3)])
        self.insert(0, nn.Linear(4, 4))
        self[1] = nn.Linear(5, 5)


class Heads(nn.ModuleDict):
    def __init__(self):
        super().__init__()
        self.update({"a": nn.Linear(2, 2), "b": nn.Linear(3, 3)})
        self["c"] = nn.Linear(1, 1)
        self.pop("a")


stack = Stack(3)
listed = Listed()
heads = Heads()
