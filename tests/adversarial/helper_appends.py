import torch.nn as nn


def add(layers):
    layers.append(nn.Conv2d(16, 32, 3))


layers = [nn.Conv2d(3, 16, 3)]
add(layers)
layers.append(nn.Conv2d(32, 8, 3))
model = nn.Sequential(*layers)
