try:
    import torch.nn as nn
except ImportError:
    nn = None

conv = nn.Conv2d(3, 16, 3)
