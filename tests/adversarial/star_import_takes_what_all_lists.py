"""`from module import *` binds the names the module's `__all__` lists, and no other: WIDTH stays
this file's own 3."""

import torch.nn as nn

WIDTH = 3
from modules.listed_exports import *  # noqa: E402, F403

model = nn.Sequential(nn.Linear(WIDTH, 2), nn.Linear(2, HEIGHT))  # noqa: F405
