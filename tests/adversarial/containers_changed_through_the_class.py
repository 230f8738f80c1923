"""A torch container's method called through its class is the object's own method:
`nn.Sequential.insert(model, 1, layer)` inserts, `nn.Module.add_module(m, "x", layer)` adds."""

import torch.nn as nn

inserted = nn.Sequential(nn.Conv2d(3, 16, 3), nn.Conv2d(32, 8, 3))
nn.Sequential.insert(inserted, 1, nn.Conv2d(16, 32, 1))
appended = nn.Sequential(nn.Conv2d(3, 16, 3))
nn.Sequential.append(appended, nn.Conv2d(16, 32, 1))
added = nn.Sequential(nn.Linear(2, 2))
nn.Module.add_module(added, "extra", nn.Linear(2, 3))
listed = nn.ModuleList([nn.Linear(2, 2)])
nn.ModuleList.extend(listed, [nn.Linear(2, 4), nn.Linear(4, 1)])
model = nn.ModuleList([inserted, appended, added, listed])
