"""An optional dependency, imported in a try whose handler builds something else: whether the
import raises depends on the machine that runs the code (no source of the package is found
here), so neither arm's count is certain. A handler that only raises leaves the other certain."""

import torch.nn as nn

try:
    from apex_missing_pkg.normalization import FusedLayerNorm as LayerNorm
    HAS_APEX = True
except ImportError:
    LayerNorm = nn.LayerNorm
    HAS_APEX = False


class Fallback(nn.Module):
    def __init__(self):
        super().__init__()
        try:
            import apex_missing_pkg  # noqa: F401
            self.norm = nn.LayerNorm(100)
        except ImportError:
            self.norm = nn.LayerNorm(10)


class Flagged(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(8, 2)
        if HAS_APEX:
            self.extra = nn.Linear(8, 8)


class Required(nn.Module):
    def __init__(self):
        super().__init__()
        try:
            import math  # found: the standard library's
            self.fc = nn.Linear(4, int(math.sqrt(16)))
        except ImportError:
            self.fc = nn.Linear(4, 1)


fallback = Fallback()
flagged = Flagged()
required = Required()
