"""torch refuses a submodule or parameter assigned to a module whose __init__ has not reached
Module.__init__ yet (AttributeError); a plain attribute is fine, and so is the old spelling
nn.Module.__init__(self)."""

import torch.nn as nn


class NoInit(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(4, 4)


class LateInit(nn.Module):
    def __init__(self):
        self.width = 6  # a plain attribute: torch allows it
        try:
            self.fc = nn.Linear(4, 4)
        except AttributeError:
            super().__init__()
            self.fc = nn.Linear(self.width, 2)


class OldSpelling(nn.Module):
    def __init__(self):
        nn.Module.__init__(self)
        self.fc = nn.Linear(3, 3)


try:
    bad = NoInit()
    width = 5
except AttributeError:
    width = 3
model = nn.Sequential(nn.Linear(width, 2))
late = LateInit()
old = OldSpelling()
