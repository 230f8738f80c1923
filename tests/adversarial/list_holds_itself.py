import torch.nn as nn


def block(widths, channels=3):
    return nn.Conv2d(channels, 16, 3)


widths = [8, 16]
widths.append(widths)  # a list that holds itself
net = block(widths)
head = nn.Linear(16, 4)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.widths = [8, 16]
        self.widths.append(self.widths)
        self.conv = nn.Conv2d(3, 16, 3)

    def forward(self, x):
        return self.conv(x)


model = Net()
