"""What the code sets on a torch container that is no member stays its attribute: a Parameter
is registered beside the members (torch counts it), a plain value is read back, and a member of
a Sequential made from an OrderedDict is an attribute by its name. A plain config object has
only the attributes its class and the code give it."""

from collections import OrderedDict

import torch
import torch.nn as nn


class ParameterOnSequential(nn.Module):
    def __init__(self):
        super().__init__()
        self.seq = nn.Sequential(nn.Linear(2, 2))
        self.seq.w = nn.Parameter(torch.zeros(5))


class ValueOnSequential(nn.Module):
    def __init__(self):
        super().__init__()
        self.seq = nn.Sequential(nn.Linear(2, 2))
        self.seq.scale = 3
        self.fc = nn.Linear(self.seq.scale, 1)


class NamedMembers(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.Sequential(OrderedDict(head=nn.Linear(3, 3)))
        self.fc = nn.Linear(self.heads.head.out_features, 1)
        if hasattr(self.heads, "pre_logits"):
            self.extra = nn.Linear(100, 100)
        if hasattr(self.heads, "head"):
            self.other = nn.Linear(1, 1)


class Config:
    width = 4

    def __init__(self):
        self.depth = 2


class FromConfig(nn.Module):
    def __init__(self, config=Config()):
        super().__init__()
        hidden = getattr(config, "hidden", 8)
        self.layers = nn.Sequential(*[nn.Linear(config.width, config.width)
                                      for _ in range(config.depth)])
        self.out = nn.Linear(config.width, hidden)
        if hasattr(config, "dropout"):
            self.drop = nn.Linear(50, 50)


parameter_on_sequential = ParameterOnSequential()
value_on_sequential = ValueOnSequential()
named_members = NamedMembers()
from_config = FromConfig()
