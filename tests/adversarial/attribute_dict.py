"""Attributes written through the object's `__dict__` or `vars()`: Python writes them straight
into the dict, and a later read gives them back (`cfg.width` is 16 here, not the class's 8; the
module's WIDTH is 12, not 3)."""

import torch.nn as nn

from modules import dict_target


class Cfg:
    width = 8

    def __init__(self, **kw):
        self.__dict__.update(kw)


cfg = Cfg(width=16)
by_keywords = nn.Sequential(nn.Linear(cfg.width, cfg.width))


class Plain:
    depth = 2


plain = Plain()
vars(plain).update({"depth": 5})
by_vars = nn.Sequential(nn.Linear(plain.depth, 4))

vars(dict_target).update(WIDTH=12)
module_names = nn.Sequential(nn.Linear(dict_target.WIDTH, 2))
