"""grow(60) recurses 60 deep (deeper than the evaluation follows calls) and only its innermost
call sets WIDTH = 64: after it, Python builds Conv2d(64, 16, 3). A walk that stops short of the
bottom must not keep WIDTH = 3."""

import torch.nn as nn

WIDTH = 3


def grow(n):
    global WIDTH
    if n == 0:
        WIDTH = 64
        return
    grow(n - 1)


grow(60)
conv = nn.Conv2d(WIDTH, 16, 3)
