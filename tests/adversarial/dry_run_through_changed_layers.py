"""A dry run reads what torch computes, and torch computes with what the layer holds when it is
called: a stride set after construction, a weight replaced, a hook, a forward set on the
object, a pooling that returns its indices too. Each size read here is not the constructor's."""

import torch
import torch.nn as nn

conv = nn.Conv2d(3, 8, 3)
conv.stride = (2, 2)
after_stride = nn.Linear(conv(torch.zeros(1, 3, 9, 9)).numel(), 4)

grown = nn.Conv2d(3, 8, 3, bias=False)
grown.weight = nn.Parameter(torch.randn(16, 3, 3, 3))
after_weight = nn.Linear(grown(torch.zeros(1, 3, 8, 8)).numel(), 4)

hooked = nn.Conv2d(3, 8, 3)
hooked.register_forward_hook(lambda module, given, out: torch.cat([out, out], 1))
after_hook = nn.Linear(hooked(torch.zeros(1, 3, 8, 8)).numel(), 4)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 8)

    def forward(self, x):
        return self.fc(x)


net = Net()
net.forward = lambda x: x
after_forward = nn.Linear(net(torch.zeros(3, 4)).shape[1], 2)

pool = nn.MaxPool2d(2, return_indices=True)
pooled = pool(torch.zeros(2, 4, 8, 8))
after_indices = nn.Linear(pooled[0].numel(), 3)
