"""A comprehension over values the code does not fix (an environment variable) still runs its
body in Python: what it appends is not certain, never left out."""

import os

import torch.nn as nn

N = int(os.environ.get("BLOCKS", "2"))
REG = []
[REG.append(nn.Conv2d(3, 16, 3)) for _ in range(N)]
listed = nn.Sequential(*REG)

PICKED = []
{i: PICKED.append(nn.Conv2d(3, 8, 3)) for i in range(4) if i < N}
picked = nn.Sequential(*PICKED)
