import torch.nn as nn

c = 3
if (c := 64) > 0:
    pass
conv = nn.Conv2d(c, 16, 3)
