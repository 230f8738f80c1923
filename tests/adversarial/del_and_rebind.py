import torch.nn as nn

sizes = {"c": 3}
sizes.update(c=12)
del sizes["c"]
sizes.setdefault("c", 5)
conv = nn.Conv2d(sizes["c"], 16, 3)
