"""A property's setter runs when its attribute is assigned (`cfg.width = 8` stores 16 here);
a property without one refuses the assignment (AttributeError); functools.cached_property is
hidden by an instance attribute of the same name."""

import functools

import torch.nn as nn


class Cfg:
    def __init__(self):
        self._w = 4

    @property
    def width(self):
        return self._w

    @width.setter
    def width(self, value):
        self._w = value * 2


cfg = Cfg()
cfg.width = 8
set_through = nn.Sequential(nn.Conv2d(3, cfg.width, 3))


class Frozen:
    def __init__(self):
        self._w = 4

    @property
    def width(self):
        return self._w

    @functools.cached_property
    def depth(self):
        return self._w + 1


frozen = Frozen()
try:
    frozen.width = 8
    w = 1
except AttributeError:
    w = frozen.width * 3
frozen.depth = 7
model = nn.Sequential(nn.Conv2d(3, w, 3), nn.Conv2d(w, frozen.depth, 1))
