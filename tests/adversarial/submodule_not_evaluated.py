"""A submodule whose value the evaluator cannot work out still holds weights in torch: what a
torch function it does not model returns (spectral_norm gives the module back, its weight
renamed), a module picked by a condition or a key the code does not fix, a quantized layer
(whose weights are packed, not parameters). None may be counted as nothing, nor as the float
layer of the same name."""

import os

import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.utils.spectral_norm(nn.Linear(8, 8))


class Picked(nn.Module):
    def __init__(self):
        super().__init__()
        wide = os.environ.get("WIDE") == "1"
        self.body = nn.Linear(3, 3) if wide else nn.Linear(3, 3, bias=False)
        self.head = {"a": nn.Linear(2, 2), "b": nn.Linear(2, 3)}[os.environ.get("HEAD", "a")]


class Quantized(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.quantized.Linear(3, 4)
        self.float_fc = nn.Linear(3, 4)


encoder = Encoder()
picked = Picked()
quantized = Quantized()
