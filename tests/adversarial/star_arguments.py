import torch.nn as nn

a = nn.Conv2d(*[3, 16, 3])
b = nn.Conv2d(**{"in_channels": 4, "out_channels": 8, "kernel_size": 5})
args = (2, 6)
c = nn.Linear(*args, bias=False)
first, *rest = [5, 7, 9]
d = nn.Linear(first, rest[-1])
