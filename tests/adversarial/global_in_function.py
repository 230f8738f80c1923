import torch.nn as nn

C = 3


def widen():
    global C
    C = 64


widen()
conv = nn.Conv2d(C, 16, 3)
