"""torch registers a submodule or parameter only on a module: one held by a plain Python object
that a module holds is not among the module's parameters."""

import torch
import torch.nn as nn


class Holder:
    def __init__(self):
        self.p = nn.Parameter(torch.zeros(100))
        self.layer = nn.Linear(10, 10)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.holder = Holder()
        self.head = nn.Linear(2, 2)


model = Net()
