"""A configuration object handed to code the evaluator does not follow may have any attribute set
there, so the class's defaults are not what the instance holds. (transformers wraps each
config's __init__ so, and the wrapper's call of the original one could not be followed: Gemma
was read as 28 layers of 3,072 where the code asked for 2 of 64.)"""

import functools

import torch.nn as nn


class Config:
    hidden = 3072
    layers = 4

    def __init__(self, **kwargs):
        functools.reduce(lambda cfg, item: setattr(cfg, *item) or cfg, kwargs.items(), self)


cfg = Config(hidden=64, layers=2)
model = nn.Sequential(*[nn.Linear(cfg.hidden, cfg.hidden) for _ in range(cfg.layers)])
