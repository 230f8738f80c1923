import torch.nn as nn


class Config:
    base = 3

    @property
    def channels(self):
        return self.base * 8


conv = nn.Conv2d(Config().channels, 16, 3)
