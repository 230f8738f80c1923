"""Attribute lookup follows Python's method resolution order (C3): D(B, C) reads C.width
before A.width; bases with no consistent order make the class statement raise TypeError."""

import torch.nn as nn


class A:
    width = 4


class B(A):
    pass


class C(A):
    width = 8


class D(B, C):
    pass


diamond = nn.Sequential(nn.Conv2d(3, D.width, 3))


class P:
    width = 4


class Q(P):
    width = 8


try:
    class R(P, Q):
        pass
    width = R.width
except TypeError:
    width = 2
model = nn.Sequential(nn.Conv2d(3, width, 3))
