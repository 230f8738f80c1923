import torch.nn as nn

C = 3
for width in (8, 16, 32):
    if width > 10:
        C = width
        break
else:
    C = 1
conv = nn.Conv2d(C, 16, 3)
for width in ():
    C = 100
else:
    C = C * 2
conv2 = nn.Conv2d(C, 4, 1)
