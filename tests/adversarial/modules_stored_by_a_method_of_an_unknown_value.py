"""A container reached through a name the code does not fix, handed layers by its own methods
(`append`, `extend`, `insert`): any module may be the one that grows, so no total may be
certain and other than torch's. A method of it handed no module changes no count."""

import os

import torch.nn as nn

blocks = nn.ModuleList([nn.Linear(2, 2)])
holder = nn.ModuleDict({"blocks": blocks})
getattr(holder, os.environ.get("WHICH", "blocks")).append(nn.Linear(2, 3))
getattr(holder, os.environ.get("WHICH", "blocks")).extend([nn.Linear(2, 3)])
getattr(holder, os.environ.get("WHICH", "blocks")).insert(0, nn.Linear(2, 3))
