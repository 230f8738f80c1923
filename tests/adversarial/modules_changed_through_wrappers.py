"""torch.compile, torch.jit.script and nn.DataParallel give back an object that shares the module
they are handed: what is set or deleted through it (`_orig_mod`, `module`) changes that module.
Wrapping alone changes nothing, and the wrapped model keeps its count."""

import torch
import torch.nn as nn

replaced = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
compiled = torch.compile(replaced)
compiled._orig_mod[2] = nn.Linear(8, 100)
emptied = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
del torch.compile(emptied)._orig_mod[2]
grown = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
parallel = nn.DataParallel(grown)
parallel.module.append(nn.Linear(2, 5))
shared = nn.Sequential(nn.Linear(4, 8))
scripted = torch.jit.script(shared)
rewrapped = torch.compile(nn.DataParallel(shared))
rewrapped.module[0] = nn.Linear(4, 1)
kept = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
kept_parallel = nn.DataParallel(kept)
kept_compiled = torch.compile(kept)
kept_compiled.eval()
