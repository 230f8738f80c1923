"""A member of a module the code reaches through a name it does not fix, replaced: any of the
modules may be the one changed, so no total may be certain and other than torch's."""

import os

import torch.nn as nn

body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
head = nn.Sequential(nn.Linear(2, 2))
parts = nn.ModuleDict({"body": body, "head": head})
getattr(parts, os.environ.get("WHICH", "body"))[0] = nn.Linear(4, 8, bias=False)
