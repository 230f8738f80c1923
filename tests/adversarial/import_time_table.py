import torch.nn as nn

from modules.import_time_table import DEPTH, WIDTH

a = nn.Conv2d(WIDTH, 16, 3)
b = nn.Linear(DEPTH, 4)
c = nn.Conv2d(3, 8, 3)
