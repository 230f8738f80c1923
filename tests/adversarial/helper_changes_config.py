import torch.nn as nn


def widen(cfg):
    cfg[0] = 64


cfg = [3, 16]
widen(cfg)
conv = nn.Conv2d(cfg[0], cfg[1], 3)
