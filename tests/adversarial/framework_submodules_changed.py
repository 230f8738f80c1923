"""The submodules of a torch layer, changed after it is built: a Transformer layer's `linear1`
replaced, a MultiheadAttention's `out_proj` replaced, tied, given no bias or frozen, a norm
deleted, a layer of a TransformerEncoder's copies replaced. torch counts what the module holds
then; so must we."""

import torch
import torch.nn as nn


class Replaced(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(16, 4, 32)
        layer.linear1 = nn.Linear(16, 64)
        layer.linear2 = nn.Linear(64, 16)
        self.layer = layer


class ReplacedThenStacked(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(16, 4, 32)
        layer.linear1 = nn.Linear(16, 64)
        layer.linear2 = nn.Linear(64, 16)
        layer.linear1.bias = None
        self.enc = nn.TransformerEncoder(layer, 2)


class CopyChanged(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 16)
        self.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32), 2)
        self.enc.layers[0].linear2 = nn.Identity()
        self.enc.layers[1].self_attn.out_proj.weight = self.emb.weight
        self.head = nn.Linear(16, 10)


class OutProjReplaced(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(16, 4)
        self.mha.out_proj = nn.Linear(16, 16, bias=False)


class OutProjTied(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(16, 16)
        self.mha = nn.MultiheadAttention(16, 4)
        self.mha.out_proj.weight = self.emb.weight
        nn.init.zeros_(self.mha.out_proj.bias)


class OutProjFrozen(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(16, 4)
        for p in self.mha.out_proj.parameters():
            p.requires_grad = False
        self.mha.out_proj.bias = None
        self.other = nn.MultiheadAttention(8, 2, kdim=4, vdim=6)
        self.other.out_proj.requires_grad_(False)


class NormDeleted(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.TransformerEncoderLayer(16, 4, 32)
        del self.enc.norm2
        self.enc.self_attn.out_proj.bias = None


replaced = Replaced()
replaced_then_stacked = ReplacedThenStacked()
copy_changed = CopyChanged()
out_proj_replaced = OutProjReplaced()
out_proj_tied = OutProjTied()
out_proj_frozen = OutProjFrozen()
norm_deleted = NormDeleted()
