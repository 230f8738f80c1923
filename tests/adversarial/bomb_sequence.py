import torch.nn as nn

big = [0] * (10**12)  # bomb
shifted = 1 << (10**10)  # bomb
conv = nn.Conv2d(3, 16, 3)
