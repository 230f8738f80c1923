"""An object's `__dict__` handed to code that writes it by key: what the object's attributes
hold afterwards is not fixed for a reader who does not follow that code (depth is 7 here, the
class says 2; WIDTH is 12, the module says 3)."""

import operator

import torch.nn as nn

from modules import handed_out_target


class Plain:
    depth = 2


plain = Plain()
operator.setitem(plain.__dict__, "depth", 7)
instance = nn.Sequential(nn.Linear(plain.depth, 3))

names = vars(handed_out_target)
names["WIDTH"] = 12
module = nn.Sequential(nn.Linear(handed_out_target.WIDTH, 2))
