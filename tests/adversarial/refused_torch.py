import torch.nn as nn

built = []
for make in (
    lambda: nn.Conv2d(-3, 16, 3),
    lambda: nn.Conv2d(3.5, 16, 3),
    lambda: nn.Conv2d(4, 16, 3, groups=-2),
    lambda: nn.Conv2d(3, 16, (-1, 3)),
    lambda: nn.GroupNorm(3, 16),
    lambda: nn.MultiheadAttention(10, 3),
    lambda: nn.LSTM(10, 20, num_layers=0),
    lambda: nn.Linear(3, 0),
    lambda: nn.Embedding(-1, 4),
    lambda: nn.Conv1d(6, 4, 3, groups=4),
):
    try:
        built.append(make())
    except Exception:
        pass
