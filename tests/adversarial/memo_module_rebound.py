import torch.nn as nn

import modules.rebound_width as other

WIDTH = 8


def make():
    return nn.Linear(WIDTH, 4)


def widen():
    global WIDTH
    WIDTH = 32


a = make()
WIDTH = 16
b = make()
widen()
c = make()
d = other.make()
other.WIDTH = 24
e = other.make()
