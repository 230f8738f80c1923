"""Cfg.widen() sets the class attribute WIDTH to 64 before the conv reads it: Python builds
Conv2d(64, 16, 3), not the class body's Conv2d(3, 16, 3)."""

import torch.nn as nn


class Cfg:
    WIDTH = 3

    @classmethod
    def widen(cls):
        cls.WIDTH = 64


Cfg.widen()
conv = nn.Conv2d(Cfg.WIDTH, 16, 3)
