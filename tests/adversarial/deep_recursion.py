import torch.nn as nn


def stack(n):
    return [nn.Linear(4, 4)] + stack(n - 1) if n else []


try:
    layers = stack(5000)
except RecursionError:
    layers = []
layer = nn.Linear(8, 2)
