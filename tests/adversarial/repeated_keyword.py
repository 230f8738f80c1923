import torch.nn as nn

layer = nn.Linear(3, 4, bias=True, bias=False)
other = nn.Linear(3, 4)
