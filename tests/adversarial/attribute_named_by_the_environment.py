"""An attribute of a module named by an environment variable, then changed: any submodule may be
the one changed, so no total may be certain and other than torch's."""

import os
import torch.nn as nn


# getattr_unknown_name
class M_0(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        getattr(self, os.environ.get("WHICH", "a")).bias = None


model_getattr_unknown_name = M_0()
