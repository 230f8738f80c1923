import torch.nn as nn


class Block(nn.Module):
    expansion = 4

    def __init__(self, planes):
        super().__init__()
        self.conv = nn.Conv2d(planes, planes * self.expansion, 1)


class Wide(Block):
    expansion = 2


a = Block(8)
b = Wide(8)
