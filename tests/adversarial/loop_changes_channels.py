import torch.nn as nn

layers = [nn.Conv2d(3, 16, 3)]
channels = 16
for width in (32, 64):
    layers.append(nn.Conv2d(channels, width, 3))
    channels = width
layers.append(nn.Conv2d(64, 8, 1))
model = nn.Sequential(*layers)
