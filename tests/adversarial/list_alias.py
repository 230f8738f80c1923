import torch.nn as nn

a = [3]
b = a
b[0] = 64
conv = nn.Conv2d(a[0], 16, 3)
cfg = {"c": 3}
alias = cfg
alias["c"] = 32
conv2 = nn.Conv2d(cfg["c"], 16, 3)
layers = [nn.Conv2d(3, 16, 3)]
more = layers
more += [nn.Conv2d(16, 8, 3)]
model = nn.Sequential(*layers)
