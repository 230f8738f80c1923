"""A list the code does not fix, handed plain values by its own methods: no module changes,
and the model keeps its total."""

import os

import torch.nn as nn

names = os.environ.get("NAMES", "a,b").split(",")
names.append("c")
names.extend(["d", "e"])
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
