import keras
import torch.nn as nn

import modules.widths
from modules.widths import WIDTH


def make(c):
    return nn.Conv2d(c, 8, 1)


a = nn.Conv2d(3, WIDTH * 2, 3)
sizes = [WIDTH, 16]
b = nn.Conv2d(sizes[0], sizes[1], 1)
cfg = dict(w=WIDTH)
c = nn.Linear(cfg["w"], 4)
d = make(WIDTH)
e = keras.Sequential([keras.Input(shape=(WIDTH,)), keras.layers.Dense(WIDTH)])
f = nn.Sequential(*[nn.Linear(WIDTH, WIDTH) for _ in range(2)])
g = nn.Conv2d(modules.widths.WIDTH, 4, 1)
