"""torch's Module.__init__ run a second time on one instance starts its registries afresh: the
submodules and parameters assigned before it are gone (plain attributes stay). It happens with a
second `super().__init__()`, with `nn.Module.__init__(self)` twice, and with a class calling
both its bases' __init__ where each reaches Module.__init__. `self.__delattr__(name)` deletes as
`del` does."""

import torch.nn as nn


class Again(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 5)
        self.width = 5
        super().__init__()
        self.out = nn.Linear(self.width, 1)


class Explicit(nn.Module):
    def __init__(self):
        nn.Module.__init__(self)
        self.fc = nn.Linear(10, 5)
        nn.Module.__init__(self)


class A(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 3)


class B(nn.Module):
    def __init__(self):
        super().__init__()
        self.b = nn.Linear(4, 4)


class Both(A, B):
    def __init__(self):
        A.__init__(self)
        B.__init__(self)


class Deleted(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 5)
        self.x = nn.Linear(10, 10)
        self.__delattr__("x")


again = Again()
explicit = nn.Sequential(Explicit(), nn.Linear(2, 2))
both = Both()
deleted = Deleted()
