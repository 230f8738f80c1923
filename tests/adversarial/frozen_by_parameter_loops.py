"""Parameters frozen one by one, as fine-tuning code does: `p.requires_grad = False` in a loop
over `parameters()` or `named_parameters()` freezes exactly the tensors it reaches, a name test
included; a later loop may unfreeze some again; `requires_grad_(False)` on a layer and then
True on one of its tensors leaves that one trainable."""

import torch
import torch.nn as nn


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)
        self.blocks = nn.Sequential(nn.Conv2d(8, 8, 3), nn.ReLU(), nn.Conv2d(8, 16, 1))
        self.scale = nn.Parameter(torch.ones(16))


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        self.head = nn.Linear(16, 10)
        for p in self.backbone.parameters():
            p.requires_grad = False
        for name, p in self.backbone.named_parameters():
            if name.startswith("bn.") or name == "scale":
                p.requires_grad = True


model = Classifier()

tuned = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4), nn.Linear(4, 2))
for name, p in tuned.named_parameters():
    p.requires_grad = "bias" in name
tuned[2].requires_grad_(False)
tuned[2].weight.requires_grad = True
first = next(tuned.parameters())
first.requires_grad_(False)
