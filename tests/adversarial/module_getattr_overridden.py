"""A module class's own `__getattr__` is called where the module has no such attribute, as
torch calls it (its submodules and parameters live in torch's registries, so a read of them
reaches it too), and the `super().__getattr__` it hands on to is torch's: the registered name,
else AttributeError. A wrapper that falls back to its inner model is PEFT's and Lightning's
pattern."""

import torch.nn as nn


class Made(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def __getattr__(self, name):
        if name == "head":
            return nn.Linear(4, 2)
        return super().__getattr__(name)


class Inner(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = 6
        self.fc = nn.Linear(4, 6)


class Wrapper(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = Inner()
        self.out = nn.Linear(self.hidden, 2)
        self.again = nn.Linear(self.fc.out_features, 1)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.inner, name)


class Intercepting(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def __getattr__(self, name):
        if name == "fc":  # (torch keeps fc in its registry, so reading it comes here)
            return nn.Linear(4, 100)
        return super().__getattr__(name)


made = Made()
made.head2 = made.head
wrapper = Wrapper()
intercepting = Intercepting()
intercepting.copy = intercepting.fc
