"""What Python runs as it makes a class: the nearest base's __init_subclass__ (with the class
statement's keywords), and each descriptor's __set_name__; `dataclass(cls)` called as a
function; a dataclass __init__ inherited by a subclass refuses a keyword it does not take."""

from dataclasses import dataclass

import torch.nn as nn


class Base(nn.Module):
    width = 6

    def __init_subclass__(cls, width=None, **kw):
        super().__init_subclass__(**kw)
        cls.width = width if width is not None else cls.width * 2

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(self.width, 2)


class Doubled(Base):
    pass


class Wide(Base, width=10):
    pass


class Named:
    def __set_name__(self, owner, name):
        owner.depth = len(name)


class Holder:
    depth = 2
    units = Named()


class Cfg:
    hidden: int = 4096


dataclass(Cfg)


@dataclass
class Small:
    a: int = 1


class Extended(Small):
    hidden: int = 4096


try:
    width = Extended(hidden=8).hidden
except TypeError:
    width = 3

doubled = Doubled()
wide = Wide()
named = nn.Sequential(nn.Linear(Holder.depth, 1))
called = nn.Sequential(nn.Linear(Cfg(hidden=8).hidden, 2))
refused = nn.Sequential(nn.Linear(width, 2))
