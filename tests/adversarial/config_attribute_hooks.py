"""Configuration objects whose attribute reads and writes run the project's code, as
transformers' PretrainedConfig does (`attribute_map` aliases through __setattr__ and
__getattribute__): every size read from them is the one Python reads."""

import torch.nn as nn


class Aliased:
    attribute_map = {"hidden_size": "n_embd"}

    def __init__(self, n_embd=16, **kwargs):
        self.n_embd = n_embd
        for key, value in kwargs.items():
            setattr(self, key, value)

    def __setattr__(self, key, value):
        if key in super().__getattribute__("attribute_map"):
            key = super().__getattribute__("attribute_map")[key]
        super().__setattr__(key, value)

    def __getattr__(self, key):
        aliases = super().__getattribute__("attribute_map")
        if key in aliases:
            return getattr(self, aliases[key])
        raise AttributeError(key)


class Doubled:
    def __init__(self, d=4):
        self.d = d

    def __setattr__(self, key, value):
        super().__setattr__(key, value * 2 if isinstance(value, int) else value)


class Seven:
    def __init__(self):
        self.d = 4

    def __getattribute__(self, key):
        if key == "d":
            return 7
        return super().__getattribute__(key)


class Twice:
    """A data descriptor: writes go to `_name`, reads give twice what was written."""

    def __set_name__(self, owner, name):
        self.name = "_" + name

    def __get__(self, obj, objtype=None):
        return getattr(obj, self.name) * 2

    def __set__(self, obj, value):
        setattr(obj, self.name, value)


class Described:
    d = Twice()

    def __init__(self, d=4):
        self.d = d


class Net(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc = nn.Linear(config.n_embd, config.hidden_size)


class Head(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc = nn.Linear(config.d, 1)


aliased = Net(Aliased(hidden_size=4))
doubled = Head(Doubled())
seven = Head(Seven())
described = Head(Described())
