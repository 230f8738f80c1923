"""register(60) recurses 60 deep (deeper than the evaluation follows calls) and only its
innermost call appends a Conv2d to the module's REGISTRY: the Sequential built from it holds
that conv (448 parameters) when Python runs the file. A walk that stops short of the bottom
must not count an empty Sequential."""

import torch.nn as nn

REGISTRY = []


def register(n):
    if n == 0:
        REGISTRY.append(nn.Conv2d(3, 16, 3))
        return
    register(n - 1)


register(60)
model = nn.Sequential(*REGISTRY)
