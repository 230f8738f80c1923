"""A torch layer changed in one arm of a condition the code does not fix (an environment
variable): its bias taken out, its weight tied, a submodule replaced or deleted. torch counts
what the condition gave on the run; a certain total would be a guess."""

import os

import torch.nn as nn


class Optional(nn.Module):
    def __init__(self, flag):
        super().__init__()
        self.emb = nn.Embedding(4, 4)
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(4, 4)
        self.mha = nn.MultiheadAttention(16, 4)
        self.enc = nn.TransformerEncoderLayer(16, 4, 32)
        if flag:
            self.conv.bias = None
            self.fc.weight = self.emb.weight
            self.mha.out_proj = nn.Linear(16, 16, bias=False)
            del self.enc.norm2


class BiasDropped(nn.Module):
    def __init__(self, flag):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        if flag:
            self.conv.bias = None


class WeightTied(nn.Module):
    def __init__(self, flag):
        super().__init__()
        self.emb = nn.Embedding(4, 4)
        self.fc = nn.Linear(4, 4)
        if flag:
            self.fc.weight = self.emb.weight


class FrozenMaybe(nn.Module):
    """requires_grad set under the condition: the total is certain, its trainable part not."""

    def __init__(self, flag):
        super().__init__()
        self.backbone = nn.Linear(4, 4)
        self.neck = nn.TransformerEncoderLayer(8, 2, 16)
        self.head = nn.Linear(4, 2)
        if flag:
            for p in self.backbone.parameters():
                p.requires_grad = False
            self.neck.requires_grad_(False)
            self.head.bias.requires_grad_(False)


class PlainFlag(nn.Module):
    """A plain attribute set under the condition changes no count."""

    def __init__(self, flag):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        if flag:
            self.fc.note = "tuned"


optional = Optional(flag=os.environ.get("PARAMLENS_TEST_FLAG") == "1")
bias_dropped = BiasDropped(flag=os.environ.get("PARAMLENS_TEST_FLAG") == "1")
weight_tied = WeightTied(flag=os.environ.get("PARAMLENS_TEST_FLAG") == "1")
frozen_maybe = FrozenMaybe(flag=os.environ.get("PARAMLENS_TEST_FLAG") == "1")
plain_flag = PlainFlag(flag=os.environ.get("PARAMLENS_TEST_FLAG") == "1")
