"""A generator expression runs its body only when something pulls from it, once.

A generator never consumed appends nothing; one consumed twice yields nothing the second
time; one written before a name changes reads the name when it runs (late binding)."""

import torch.nn as nn

REG = []
pending = (REG.append(nn.Conv2d(3, 16, 3)) for _ in range(1))
never = nn.Sequential(*REG)  # torch: an empty Sequential

twice = (nn.Conv2d(3, 8, 3) for _ in range(2))
first = nn.Sequential(*twice)
second = nn.Sequential(*twice)  # exhausted: empty

width = 3
late = (nn.Conv2d(width, 16, 3) for _ in range(2))
width = 8
late_bound = nn.Sequential(*late)  # built with 8 input channels
