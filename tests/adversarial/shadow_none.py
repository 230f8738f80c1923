import torch.nn as nn

ok = nn.Conv2d(3, 8, 3)
nn = None
try:
    a = nn.Conv2d(3, 16, 3)
except AttributeError:
    a = None
