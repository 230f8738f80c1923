"""A width another module changes between two calls of the same builder."""

import torch.nn as nn

WIDTH = 8


def make():
    return nn.Linear(WIDTH, 4)
