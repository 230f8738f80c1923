"""Code that walks a model's modules and changes them is followed: `model.apply(fn)` calls fn
on every submodule, then the model; a loop over `self.modules()` meets each once;
`setattr(container, name, layer)` replaces that member in place."""

import torch.nn as nn


def drop_bias(m):
    if isinstance(m, nn.Conv2d):
        m.bias = None


applied = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(8, 8, 3))
applied.apply(drop_bias)


class Looped(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(8, 8, 3))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                m.bias = None


looped = Looped()


class Replaced(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Linear(8, 8))
        for name, child in self.body.named_children():
            if isinstance(child, nn.Linear):
                setattr(self.body, name, nn.Linear(8, 2))


replaced = Replaced()


class Helped(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
        self.apply(self._strip)
        for m in self.modules():
            self._init(m)

    def _strip(self, module):
        if isinstance(module, nn.BatchNorm2d):
            module.weight = None

    def _init(self, module):
        if isinstance(module, nn.Conv2d):
            nn.init.zeros_(module.weight)
            module.bias = None


helped = Helped()
