"""`add` would append a Conv2d to REG, but nothing calls it: the Sequential built from REG is
empty (0 parameters) when Python runs the file. A lambda's body runs when it is called."""

import torch.nn as nn

REG = []
add = lambda: REG.append(nn.Conv2d(3, 16, 3))  # noqa: E731
model = nn.Sequential(*REG)
