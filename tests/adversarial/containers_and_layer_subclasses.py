"""What torch's containers and a layer subclass do with what they are given: ModuleDict.clear()
and ParameterDict.clear() empty them; ParameterList and ParameterDict make a Parameter of each
plain tensor (and keep other values as they are, uncounted); `self.weight = None` in a subclass
of nn.Linear drops the weight the base class made."""

import torch
import torch.nn as nn


class Cleared(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleDict({"x": nn.Linear(2, 3), "y": nn.Linear(4, 5)})
        self.blocks.clear()
        self.blocks["z"] = nn.Linear(1, 1)
        self.scales = nn.ParameterDict({"a": nn.Parameter(torch.ones(3))})
        self.scales.clear()


class Wrapped(nn.Module):
    def __init__(self):
        super().__init__()
        self.plist = nn.ParameterList([torch.zeros(3), nn.Parameter(torch.zeros(2)), 5])
        self.pdict = nn.ParameterDict({"a": torch.ones(4), "b": nn.Parameter(torch.ones(1, 2))})


class NoWeight(nn.Linear):
    def __init__(self, i, o):
        super().__init__(i, o)
        self.weight = None


cleared = Cleared()
wrapped = Wrapped()
no_weight = NoWeight(10, 3)
