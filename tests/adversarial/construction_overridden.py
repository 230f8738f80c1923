"""Module classes whose own code decides what their attributes register, what they list as
parameters, or what calling them returns: a `__setattr__`, a `parameters()`, a `__new__`, a
metaclass's `__call__`, and a `match` whose cases build different layers. The evaluator runs
none of those in their place, so no total may be certain but torch's."""

import torch.nn as nn


class SkipsPrivate(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 5)
        self._aux = nn.Linear(10, 10)

    def __setattr__(self, name, value):
        if name.startswith("_") and isinstance(value, nn.Module):
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)


class ListsNone(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 5)

    def parameters(self, recurse=True):
        return iter(())


class Other(nn.Module):
    def __new__(cls, *args, **kwargs):
        return nn.Linear(4, 4)

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 5)


class Meta(type):
    def __call__(cls, *args, **kwargs):
        return nn.Linear(2, 2)


class Made(nn.Module, metaclass=Meta):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 5)


def by_kind(kind):
    match kind:
        case "wide":
            return nn.Linear(10, 100)
        case _:
            pass
    return nn.Linear(10, 1)


class Matched(nn.Module):
    def __init__(self, kind="wide"):
        super().__init__()
        match kind:
            case "wide":
                self.fc = nn.Linear(10, 100)
            case "narrow":
                self.fc = nn.Linear(10, 1)


skips = SkipsPrivate()
lists_none = nn.Sequential(ListsNone())
other = nn.Sequential(Other())
made = nn.Sequential(Made())
chosen = nn.Sequential(by_kind("wide"))
matched = Matched()
