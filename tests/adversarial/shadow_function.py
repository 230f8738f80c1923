import torch.nn as nn


def Conv2d(*args, **kwargs):
    return nn.Linear(4, 4)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = Conv2d(3, 16, 3)
        self.b = nn.Conv2d(3, 16, 3)


net = Net()
