import torch.nn as nn

width = 3
sizes = [(width := w * 2) for w in (4, 8)]
conv = nn.Conv2d(width, 16, 3)
