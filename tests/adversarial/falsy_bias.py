import torch.nn as nn

a = nn.Conv2d(3, 16, 3, bias=0)
b = nn.Linear(3, 4, bias=None)
c = nn.Linear(3, 4, bias="yes")
d = nn.BatchNorm2d(16, affine=0)
e = nn.Conv2d(True, 16, 3)
f = nn.Linear(3, 4, bias=[])
