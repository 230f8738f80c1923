import torch.nn as nn

try:
    a = nn.Conv2d(3, 16, 3, padding_mode="bogus")
except ValueError:
    a = None
b = nn.Conv2d(3, 16, 3, padding_mode="reflect")
