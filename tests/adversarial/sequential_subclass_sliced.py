"""A slice of a subclass of nn.Sequential (or nn.ModuleList) is made by the subclass itself,
`self.__class__(OrderedDict(...))`: its __init__ runs again on the members sliced, and what it
adds to every instance is added to the slice too."""

import torch.nn as nn


class Block(nn.Sequential):
    def __init__(self, *args):
        super().__init__(*args)
        self.add_module("extra", nn.Linear(4, 4))


sliced = nn.Sequential(nn.Linear(4, 4), Block(nn.Linear(4, 4), nn.Linear(4, 4))[:1])
