"""Subclasses of torch layers that override the method the layer's own __init__ calls on self
(`reset_parameters`, MultiheadAttention's `_reset_parameters`): the override runs inside the
base's __init__, and the parameters it registers are the layer's. A LoRA-style layer checks
`hasattr` because its own attributes do not exist yet when the base calls it."""

import math

import torch
import torch.nn as nn


class ScaledLinear(nn.Linear):
    def reset_parameters(self):
        self.scale = nn.Parameter(torch.ones(self.out_features))
        super().reset_parameters()


class LoRALinear(nn.Linear):
    def __init__(self, n_in, n_out, r=4):
        nn.Linear.__init__(self, n_in, n_out)
        self.r = r
        self.lora_a = nn.Parameter(torch.zeros(r, n_in))
        self.lora_b = nn.Parameter(torch.zeros(n_out, r))
        self.reset_parameters()

    def reset_parameters(self):
        nn.Linear.reset_parameters(self)
        if hasattr(self, "lora_a"):
            nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
            nn.init.zeros_(self.lora_b)


class GainConv(nn.Conv2d):
    def reset_parameters(self):
        super().reset_parameters()
        self.gain = nn.Parameter(torch.ones(self.out_channels, 1, 1))


class BiasFreeNorm(nn.LayerNorm):
    def reset_parameters(self):
        self.bias = None


class Mixin:
    def reset_parameters(self):
        self.never = nn.Parameter(torch.ones(100))


class Shadowed(nn.Linear, Mixin):
    pass


class FromWeights(nn.Embedding):
    def reset_parameters(self):
        self.extra = nn.Parameter(torch.ones(7))


class Attention(nn.MultiheadAttention):
    def _reset_parameters(self):
        super()._reset_parameters()
        self.temperature = nn.Parameter(torch.ones(self.num_heads))


class CountedDropout(nn.Dropout):
    def reset_parameters(self):  # Dropout's __init__ never calls it
        self.never = nn.Parameter(torch.ones(100))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = ScaledLinear(4, 8)
        self.b = LoRALinear(16, 8, r=2)
        self.c = GainConv(3, 6, 3)
        self.d = BiasFreeNorm(10)
        self.e = Shadowed(3, 3)
        self.f = FromWeights(5, 4)
        self.g = FromWeights(5, 4, _weight=torch.zeros(5, 4))
        self.h = Attention(8, 2)
        self.i = CountedDropout(0.1)


scaled = nn.Sequential(ScaledLinear(4, 8))
lora = nn.Sequential(LoRALinear(16, 8))
net = Net()
