"""`importlib.reload(module)` runs the module's body again: the counter it adds to grows twice."""

import importlib

import torch.nn as nn

import modules.reload_state as state
import modules.reloaded_counter as counter

importlib.reload(counter)
reloaded = nn.Sequential(nn.Linear(state.COUNT, 2))
