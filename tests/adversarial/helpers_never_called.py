"""Functions callable with no arguments are entry points (builders): each is evaluated as Python
calls it after a fresh import. So a helper that nobody calls leaves the module as its body
built it: `extend()` does not add its Linear to `model`, `freeze()` does not freeze it, and
`enable_big()` does not widen what `build()` builds. Evaluated one after another in one
state, `model` showed 1,020 and `build()` 303 (torch: 20, and 5 when `build()` is called)."""

import torch
import torch.nn as nn


class Config:
    width = 4


cfg = Config()
DEPTH = {"n": 1}
HEADS = []

backbone = nn.Sequential(nn.Linear(8, 8), nn.Linear(8, 4))
model = nn.Sequential(nn.Linear(4, 4))


def extend():
    model.append(nn.Linear(4, 200))


def freeze():
    model.requires_grad_(False)
    backbone.requires_grad_(False)


def enable_big():
    cfg.width = 100
    DEPTH["n"] = 3
    Config.width = 50


def register():
    HEADS.append(nn.Linear(4, 2))


def build():
    return nn.Sequential(*[nn.Linear(cfg.width, 1) for _ in range(DEPTH["n"])])


def heads():
    return nn.ModuleList(HEADS)


def with_new_head():
    # a builder that changes a module-level model and returns it: counted as it returns it
    backbone[1] = nn.Linear(8, 10)
    return backbone


def class_width():
    return nn.Linear(Config.width, 1)


whole = nn.Sequential(backbone, model)
tied = nn.Sequential(nn.Linear(8, 8), nn.Linear(8, 8))


def tie():
    # weights tied, a bias taken out, a parameter added: as an appended layer, never run
    tied[1].weight = tied[0].weight
    tied[0].bias = None
    tied.extra = nn.Parameter(torch.zeros(100))


def tied_model():
    return tied
