import torch.nn as nn

REGISTRY = []


def register(fn):
    REGISTRY.append(fn)
    return fn


def make(width):
    return nn.Sequential(nn.Linear(width, 4), nn.ReLU())


@register
def builder():
    return make(4)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = make(4)
