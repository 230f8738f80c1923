"""A class whose base the code does not fix (picked by the environment): it may be a module.
Taken for a plain class, its parameters were left out of the model that holds it (20 shown,
torch 36); now the total is open."""

import os

import torch
import torch.nn as nn

BASES = {"module": nn.Module, "plain": object}


class Snake(BASES[os.environ.get("SNAKE_BASE", "module")]):
    def __init__(self):
        super().__init__()
        self.alpha = nn.Parameter(torch.zeros(16))


class Unit(nn.Module):
    def __init__(self):
        super().__init__()
        self.act = Snake()
        self.fc = nn.Linear(4, 4)


model = Unit()
