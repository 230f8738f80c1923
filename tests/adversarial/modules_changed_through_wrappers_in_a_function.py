"""What a function does through the object nn.DataParallel gives back is done to the module it
holds."""

import torch.nn as nn


def add_head(model: nn.Module) -> None:
    model.module.add_module("head", nn.Linear(8, 3))


extended = nn.Sequential(nn.Linear(4, 8))
add_head(nn.DataParallel(extended))
kept = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
kept_parallel = nn.DataParallel(kept)
