import torch.nn as nn

c = 3
while c < 50:
    c *= 2
conv = nn.Conv2d(c, 16, 3)
