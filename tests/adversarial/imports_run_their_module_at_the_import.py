"""An import runs the module's body where it stands, as Python runs it: `import plugin` made only
for what its body adds to a registry adds it, and `from module import WIDTH` keeps the value of
that moment, whatever the module's WIDTH becomes after. `import package.module` runs the
package's __init__ first, which sets the module's WIDTH here."""

import torch.nn as nn

import modules.plugin_wide  # noqa: F401 - imported for what its body registers
import modules.sized_package.sizes as package_sizes
import modules.width_bound_at_import as widths
from modules.plugin_registry import WIDTHS
from modules.width_bound_at_import import WIDTH

widths.WIDTH = 64
registered = nn.Sequential(*[nn.Linear(width, 1) for width in WIDTHS])
bound = nn.Sequential(nn.Linear(WIDTH, 2))
packaged = nn.Sequential(nn.Linear(package_sizes.WIDTH, 1))
