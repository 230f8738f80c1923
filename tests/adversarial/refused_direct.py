import torch.nn as nn

try:
    a = nn.Conv2d(-3, 16, 3)
except ValueError:
    a = None
try:
    b = nn.GroupNorm(3, 16)
except ValueError:
    b = None
try:
    c = nn.MultiheadAttention(10, 3)
except AssertionError:
    c = None
ok = nn.Conv2d(3, 16, 3)
