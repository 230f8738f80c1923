import torch.nn as nn

C = 3
for _ in range(3):
    C = C * 2
conv = nn.Conv2d(C, 16, 3)
blocks = []
for i, width in enumerate([8, 16]):
    blocks.append(nn.Conv2d(C if i == 0 else 8, width, 3))
