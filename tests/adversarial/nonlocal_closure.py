import torch.nn as nn


def build():
    width = 3

    def widen():
        nonlocal width
        width = 24

    widen()
    return nn.Conv2d(width, 16, 3)


conv = build()
