"""A comprehension in a class body does not see the class's names (only its first iterable is
read there): `[w for _ in range(2)]` reads the global w. A generator handed to ModuleList is
iterated by it."""

import torch.nn as nn

w = 4


class Net(nn.Module):
    w = 8
    sizes = [w for _ in range(2)]

    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(3, s, 3) for s in self.sizes)


model = Net()
