import torch.nn as nn


class Block(nn.Module):
    expansion = 4

    def __init__(self, planes):
        super().__init__()
        self.conv = nn.Conv2d(planes, planes * self.expansion, 1)


Block.expansion = 8
block = Block(8)
