"""A layer that keeps a module it is handed as a submodule: a Transformer layer's `activation`
with weights of its own, an nn.Transformer given a custom encoder, a TransformerEncoder that
copies the layer it is given. No total may be certain and other than torch's."""

import torch.nn as nn


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Linear(1, 1)

    def forward(self, x):
        return x * self.scale.weight


class LearnedActivation(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(16, 4, 32, activation=nn.PReLU())


class ProjectActivation(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerDecoderLayer(16, 2, 32, activation=Gate())


class CustomEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        encoder = nn.Linear(16, 16)
        self.t = nn.Transformer(16, 2, 1, 1, 32, custom_encoder=encoder)


class Stacked(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(16, 4, 32)
        self.encoder = nn.TransformerEncoder(layer, num_layers=3, norm=nn.LayerNorm(16))


learned = LearnedActivation()
project = ProjectActivation()
custom = CustomEncoder()
stacked = Stacked()
