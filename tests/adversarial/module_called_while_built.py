"""A module of the project called while it is built, or after: nn.Module.__call__ runs its
forward, and a forward that adds a layer on first use adds it then. torch counts the layers the
instance holds after the call."""

import torch
import torch.nn as nn


class Grow(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self(torch.zeros(1, 4))

    def forward(self, x):
        if not hasattr(self, "extra"):
            self.extra = nn.Linear(4, 4)
        return self.fc(x)


class GrowOnCall(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        self.extra = nn.Linear(4, 8)
        return self.fc(x)


class Outer(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = GrowOnCall()
        self.inner(torch.zeros(1, 4))


grow = Grow()
outer = Outer()
called = GrowOnCall()
called(torch.zeros(1, 4))
