import torch.nn as nn

C = 9**9**9  # bomb
C = 3
conv = nn.Conv2d(C, 16, 3)
