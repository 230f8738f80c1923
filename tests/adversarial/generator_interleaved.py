"""A loop over a generator runs the generator's body between its own iterations: a name the
loop changes is read by the next item the generator makes."""

import torch.nn as nn

c = 3
layers = []
for blk in (nn.Conv2d(c, c, 1) for _ in range(3)):
    layers.append(blk)
    c = c * 2
grown = nn.Sequential(*layers)

d = 4
numbered = []
for i, blk in enumerate(nn.Linear(d, d) for _ in range(3)):
    numbered.append(blk)
    d = d + i + 1
widened = nn.Sequential(*numbered)
