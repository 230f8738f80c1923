"""`try: from .fast import Block / except ImportError: from .slow import Block` where fast.py
imports a package installed nowhere, or raises ImportError itself: Python takes the fallback.
Whether the import fails depends on the machine that runs the code, so no total is certain."""

import torch.nn as nn

from modules.kernels import Block, Head

block = nn.Sequential(Block())
head = nn.Sequential(Head())
