"""torch layers built of layers (Transformer layers and the whole Transformer), and the classes a
model keeps that own no parameters (losses, reshapes, more activations): each model's total is
torch's. A Transformer layer keeps its `activation` as a submodule when it is one; a function,
a name or a parameterless module adds nothing."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def halve(x):
    return x / 2


class Encoder(nn.Module):
    def __init__(self, width=32, heads=4):
        super().__init__()
        self.embed = nn.Embedding(100, width)
        self.blocks = nn.ModuleList([
            nn.TransformerEncoderLayer(width, heads, 4 * width, batch_first=True),
            nn.TransformerEncoderLayer(width, heads, 2 * width, activation="gelu", bias=False),
            nn.TransformerEncoderLayer(width, heads, activation=F.gelu, norm_first=True),
            nn.TransformerEncoderLayer(width, heads, 64, activation=nn.GELU()),
            nn.TransformerEncoderLayer(width, heads, 64, activation=halve),
            nn.TransformerEncoderLayer(width, heads, 64, activation=lambda x: x),
        ])
        self.head = nn.Linear(width, 10)
        self.loss = nn.CrossEntropyLoss(weight=torch.ones(10), label_smoothing=0.1)


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.core = nn.Transformer(d_model=24, nhead=3, num_encoder_layers=2,
                                   num_decoder_layers=1, dim_feedforward=40)
        self.decoder_only = nn.TransformerDecoderLayer(24, 2, 16, bias=False)
        self.none = nn.Transformer(16, 2, 0, 0, 8)
        self.criterion = nn.NLLLoss()


class SuperResolution(nn.Module):
    def __init__(self, scale=2):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 3 * scale * scale, 3, padding=1),
            nn.PixelShuffle(scale),
            nn.CELU(),
            nn.LocalResponseNorm(2),
            nn.SyncBatchNorm(3),
            nn.PixelUnshuffle(scale),
            nn.Unflatten(1, (3, 4)),
            nn.Softmax2d(),
        )
        self.losses = nn.ModuleDict({"l1": nn.L1Loss(), "huber": nn.HuberLoss(delta=2),
                                     "triplet": nn.TripletMarginLoss(margin=0.5),
                                     "bce": nn.BCEWithLogitsLoss(pos_weight=torch.ones(3))})


class Stacks(nn.Module):
    """TransformerEncoder/Decoder copy the layer they are given; the norm they are given is the
    very module, shared with whatever else holds it."""

    def __init__(self, width=16):
        super().__init__()
        layer = nn.TransformerEncoderLayer(width, 4, 2 * width)
        self.final_norm = nn.LayerNorm(width)
        self.encoder = nn.TransformerEncoder(layer, num_layers=3, norm=self.final_norm)
        self.prototype = layer
        self.decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(width, 2, width), 2)
        self.decoder.requires_grad_(False)
        self.none = nn.TransformerEncoder(None, 4)


encoder = Encoder()
encoder_wide = Encoder(width=48, heads=6)
seq2seq = Seq2Seq()
default_transformer = nn.Sequential(nn.Transformer())
super_resolution = SuperResolution()
stacks = Stacks()
stacks_wide = Stacks(width=32)
