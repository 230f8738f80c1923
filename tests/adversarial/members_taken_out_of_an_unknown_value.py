"""Members taken out of a module the code reaches through a name it does not fix (`pop`, `del`,
`delattr`, its `_modules`): any module may be the one that shrinks, so no total may be certain
and other than torch's."""

import os
import torch.nn as nn

blocks = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 3))
holder = nn.ModuleDict({"blocks": blocks})
getattr(holder, os.environ.get("WHICH", "blocks")).pop(0)
b2 = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 3))
h2 = nn.ModuleDict({"blocks": b2})
del getattr(h2, os.environ.get("WHICH", "blocks"))[0]
b3 = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 3))
h3 = nn.ModuleDict({"blocks": b3})
delattr(getattr(h3, os.environ.get("WHICH", "blocks")), "0")
b4 = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 3))
h4 = nn.ModuleDict({"blocks": b4})
del getattr(h4, os.environ.get("WHICH", "blocks"))._modules["0"]
