"""configure() rebinds the module's WIDTH to 3, fills a table past the evaluation budget, then
sets WIDTH back to 64. Python always finishes it; an evaluation stopped inside it must not leave
WIDTH = 3 for build(), which builds Conv2d(64, 16, 3) whenever Python runs it."""

import torch.nn as nn

WIDTH = 64


def configure():
    global WIDTH
    WIDTH = 3
    table = {}
    for i in range(700):
        for j in range(700):
            table[i, j] = i * j
    WIDTH = 64


def build():
    return nn.Conv2d(WIDTH, 16, 3)


model = build()
