"""dict.keys(), .values() and .items() (and a ModuleDict's) are views: a loop over one reads
the dict as it is then, so a key added after the view was taken is in it."""

import torch.nn as nn

widths = {"a": 4}
names = widths.keys()
values = widths.values()
pairs = widths.items()
widths["b"] = 8
by_name = nn.Sequential(*[nn.Linear(widths[k], 1) for k in names])
by_value = nn.Sequential(*[nn.Linear(v, 2) for v in values])
by_pair = nn.Sequential(*[nn.Linear(v, 3) for _, v in pairs])

config = {"a": 4}
kept = config.values()
config.update(b=8)
config.pop("a")
after_pop = nn.Sequential(*[nn.Linear(v, 1) for v in kept])

modules = {"a": nn.Linear(4, 4), "b": nn.Linear(4, 2)}
from_values = nn.Sequential(nn.ModuleList(modules.values()))  # (any iterable of modules)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleDict({"a": nn.Linear(4, 4), "b": nn.Linear(4, 4)})
        block_names = self.blocks.keys()
        self.blocks["c"] = nn.Linear(4, 100)
        self.heads = nn.ModuleList([nn.Linear(4, 1) for _ in block_names])


net = Net()
