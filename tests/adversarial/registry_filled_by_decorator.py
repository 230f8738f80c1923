"""Applying @register appends a Conv2d to the module's LAYERS: the Sequential built from it
holds that conv (448 parameters) when Python runs the file, though no line calls register()."""

import torch.nn as nn

LAYERS = []


def register(fn):
    LAYERS.append(nn.Conv2d(3, 16, 3))
    return fn


@register
def block():
    pass


model = nn.Sequential(*LAYERS)
