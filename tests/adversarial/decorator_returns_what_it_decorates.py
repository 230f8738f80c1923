"""Registry decorators that return the very function they decorate (timm's @register_model,
torchvision's @register_model()): the name still holds that function, which the evaluator
sees, so the builders' totals rest on no assumption."""

import torch.nn as nn

REGISTRY = {}


def register(fn):
    REGISTRY[len(REGISTRY)] = fn
    return fn


def register_as(name):
    def decorate(fn):
        REGISTRY[name] = fn
        return fn

    return decorate


@register
def small():
    return nn.Sequential(nn.Linear(4, 4))


@register_as("big")
def big():
    return nn.Sequential(nn.Linear(8, 8), nn.Linear(8, 2))


model_small = small()
model_big = REGISTRY["big"]()
