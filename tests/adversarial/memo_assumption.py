import torch.nn as nn

REGISTRY = []


def register(fn):
    def wrapper(*args, **kwargs):  # what it returns is not what it decorates
        return fn(*args, **kwargs)

    REGISTRY.append(wrapper)
    return wrapper


def make(width):
    return nn.Sequential(nn.Linear(width, 4), nn.ReLU())


@register
def builder():
    return make(4)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = make(4)
