import torch.nn as nn

C = 3
globals()["C"] = 64
conv = nn.Conv2d(C, 16, 3)
