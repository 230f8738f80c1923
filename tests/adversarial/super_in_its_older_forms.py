"""`super(Cls, self)`, Python 2's spelling that much torch code keeps, and cooperative
multiple inheritance: each class's `super()` goes on along the instance's method resolution
order, through a second base class of the project's before the framework's (torch's
nn.Module, named in each class statement, is one class)."""

import torch
import torch.nn as nn


class Scaled(nn.Linear):
    def __init__(self, n):
        super(Scaled, self).__init__(n, n)
        self.scale = nn.Parameter(torch.ones(n))


class Block(nn.Sequential):
    def __init__(self, c):
        super(Block, self).__init__(nn.Conv2d(c, c, 3), nn.BatchNorm2d(c))


class ByType(nn.Module):
    def __init__(self):
        super(type(self), self).__init__()
        self.fc = nn.Linear(3, 2)


class A(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 3)


class B(nn.Module):
    def __init__(self):
        super().__init__()
        self.b = nn.Linear(4, 4)


class C(A, B):
    def __init__(self):
        super(C, self).__init__()
        self.c = nn.Linear(5, 5)


class Head(nn.Module):
    def __init__(self, d, **kw):
        super().__init__(**kw)
        self.head = nn.Linear(d, 2)


class Body(nn.Module):
    def __init__(self, d=8, **kw):
        super().__init__(**kw)
        self.body = nn.Linear(d, d)


class Both(Head, Body):
    def __init__(self):
        super().__init__(d=8)


scaled = nn.Sequential(Scaled(4))
block = Block(3)
by_type = ByType()
c = C()
both = Both()
