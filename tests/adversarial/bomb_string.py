import torch.nn as nn

text = "a" * (10**12)  # bomb
nested = [[0] * 10**6] * 10**6  # bomb
conv = nn.Linear(3, 4)
