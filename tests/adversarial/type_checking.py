import typing
from typing import TYPE_CHECKING

import torch.nn as nn

if TYPE_CHECKING:
    channels = 3
else:
    channels = 8
if typing.TYPE_CHECKING:
    width = 5
else:
    width = 16
a = nn.Conv2d(channels, width, 3)
b = nn.Linear(width, channels)
