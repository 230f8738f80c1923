"""Operations Python (or torch) refuses on values the code fixes: an attribute of None, None
indexed, called or iterated, a list indexed by a string, `None > 0`, `range(None)`,
`torch.tensor(None)`. Each raises, and the `except` around it runs: the model that the handler
builds is the one torch counts. Read as unknowns, they let the `try` body's model through as
certain (20 shown where torch has 60).

The values torch's own calls hand back are not None where the code may read them:
`nn.init.normal_(w)` returns `w`, `Sequential.insert` returns the Sequential."""

import math

import torch
import torch.nn as nn


class Config:
    hidden = 4
    sub = None  # (a sub-config left out, as HF configs do)


def built(refused):
    """Linear(4, 4), then Linear(4, 8) when `refused` raises what the handler catches."""
    layers = [nn.Linear(4, 4)]
    try:
        refused()
    except (AttributeError, TypeError, RuntimeError):
        layers.append(nn.Linear(4, 8))
    return nn.Sequential(*layers)


def attribute_of_none():
    return Config().sub.softmax_scale


def attribute_of_an_int():
    return Config().hidden.width


def set_on_none():
    cfg = None
    cfg.hidden = 3


def index_by_none():
    kinds = ["full", "sliding"]
    return kinds[Config.sub]


def list_by_string():
    kinds, key = [1, 2], "a"
    return kinds[key]


def none_indexed():
    return Config.sub["a"]


def none_called():
    Config.sub(3)


def string_called():
    activation = "gelu"
    activation()


def iterate_none():
    return [s for s in Config.sub]


def iterate_an_int():
    for _ in Config.hidden:
        pass


def unpack_none():
    a, b = Config.sub
    return a, b


def compare_none():
    return Config.sub > 0


def range_of_none():
    return list(range(Config.sub))


def log_of_none():
    return math.log(Config.sub)


def list_times_none():
    return [1] * Config.sub


def none_power_tensor():
    return Config.sub ** torch.arange(3)


def tensor_of_none():
    return torch.tensor(Config.sub)


def zeros_sized_none():
    return torch.zeros(2, Config.sub)


def expand_to_none():
    return torch.zeros(1, 4).expand(2, Config.sub)


def linspace_of_none():
    return torch.linspace(0, 1, Config.sub)


model_attribute_of_none = built(attribute_of_none)
model_attribute_of_an_int = built(attribute_of_an_int)
model_set_on_none = built(set_on_none)
model_index_by_none = built(index_by_none)
model_list_by_string = built(list_by_string)
model_none_indexed = built(none_indexed)
model_none_called = built(none_called)
model_string_called = built(string_called)
model_iterate_none = built(iterate_none)
model_iterate_an_int = built(iterate_an_int)
model_unpack_none = built(unpack_none)
model_compare_none = built(compare_none)
model_range_of_none = built(range_of_none)
model_log_of_none = built(log_of_none)
model_list_times_none = built(list_times_none)
model_none_power_tensor = built(none_power_tensor)
model_tensor_of_none = built(tensor_of_none)
model_zeros_sized_none = built(zeros_sized_none)
model_expand_to_none = built(expand_to_none)
model_linspace_of_none = built(linspace_of_none)

# getattr with a default, and hasattr, on None: the default, and False
width = getattr(Config.sub, "width", 6)
model_getattr_default = nn.Linear(4, width)
model_hasattr = nn.Linear(4, 5 if hasattr(Config.sub, "width") else 7)


# what torch's calls return, read as Python reads it
def initialised():
    layer = nn.Linear(3, 3)
    weight = nn.init.kaiming_normal_(layer.weight, mode="fan_out")
    return nn.Linear(1, 1) if weight is None else nn.Linear(2, 2)


def inserted():
    body = nn.Sequential(nn.ReLU())
    return nn.Sequential(body.insert(0, nn.Linear(2, 2)), nn.Linear(3, 3))


model_initialised = initialised()
model_inserted = inserted()


# builders Python stops part way: no total, not the total of what they build around the raise
def refused_attribute_of_none():
    scale = Config().sub.softmax_scale
    return nn.Sequential(nn.Linear(4, 4))


def refused_iterating_none():
    widths = [w for w in Config.sub]
    return nn.Sequential(nn.Linear(4, 4), *widths)


def refused_torch_of_none():
    model = nn.Sequential(nn.Linear(4, 4))
    model.register_buffer("table", torch.tensor(Config.sub))
    return model
