"""nn.Linear replaced in torch.nn by a subclass of the project's, as LoRA and quantisation code
does: a call of nn.Linear made after that builds the subclass (which doubles its outputs here),
and one made after the original is put back builds torch's class again."""

import torch.nn as nn

_Linear = nn.Linear


class Fat(_Linear):
    def __init__(self, i, o, bias=True):
        super().__init__(i, o * 2, bias)


nn.Linear = Fat


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)


model = Net()
seq = nn.Sequential(nn.Linear(3, 3))
nn.Linear = _Linear  # (put back: torch.nn is the whole process's)
plain = nn.Sequential(nn.Linear(2, 2))
