"""A loop over a list it appends to sees what it appended (Python iterates a list by position,
as it is at each step); a loop over a dict that changes its size raises RuntimeError."""

import torch.nn as nn

layers = [nn.Conv2d(3, 8, 3)]
for layer in layers:
    if len(layers) < 3:
        layers.append(nn.Conv2d(8, 8, 3))
grown = nn.Sequential(*layers)

d = {"a": 4, "b": 8}
try:
    for k in d:
        d[k] = d[k] * 2
    w = d["a"] + d["b"]
except RuntimeError:
    w = 1
e = {"a": 4}
try:
    for k in e:
        e["z"] = 1
    v = 2
except RuntimeError:
    v = 5
model = nn.Sequential(nn.Conv2d(3, w, 3), nn.Conv2d(w, v, 1))
