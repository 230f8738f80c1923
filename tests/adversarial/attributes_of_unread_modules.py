"""Whether a module paramlens does not read (numpy, the standard library, torch outside torch.nn)
has an attribute is the installed version's to say: hasattr() and getattr() with a default are
not taken as True, nor as the attribute, where the answer decides a size."""

import math

import numpy as np
import torch
import torch.nn as nn

missing_in_numpy = nn.Linear(2 if hasattr(np, "no_such_function") else 3, 1)
missing_in_math = nn.Linear(4 if hasattr(math, "no_such_constant") else 5, 1)
missing_in_torch = nn.Linear(6 if hasattr(torch, "no_such_op") else 7, 1)
defaulted = nn.Linear(getattr(np, "no_such_size", 8), 1)
present_in_nn = nn.Linear(9 if hasattr(nn, "Linear") else 10, 1)
absent_in_nn = nn.Linear(11 if hasattr(nn, "Linen") else 12, 1)
# (what dir() lists of torch.nn leaves out the attributes every module object has)
dunder_in_nn = nn.Linear(13 if hasattr(nn, "__dict__") else 14, 1)
dunder_default = nn.Linear(15 if getattr(nn.init, "__class__", None) is None else 16, 1)
