"""A loop left, or a pass skipped, under a condition the code does not fix, and a `try` whose
body calls what the evaluator does not follow (a file read that may fail): how many layers
each builds is one of several, so no certain count but torch's. (PATH is set when the tests
run, so each `if` below is taken; the file read fails.) Where every call in a `try` is followed,
its handlers never run and the count stays certain."""

import os

import torch
import torch.nn as nn


def until_set():
    layers = []
    for _ in range(4):
        layers.append(nn.Linear(4, 4))
        if os.environ.get("PATH"):
            break
    return nn.Sequential(*layers)


def skipping():
    layers = []
    for _ in range(4):
        if os.environ.get("PATH"):
            continue
        layers.append(nn.Linear(4, 4))
    return nn.Sequential(nn.Linear(4, 4), *layers)


def counted_while():
    n, width = 0, 4
    while n < 3:
        n += 1
        if os.environ.get("PATH"):
            break
        width *= 2
    return nn.Linear(4, width)


def nested():
    blocks = []
    for i in range(2):
        for _ in range(3):
            if os.environ.get("PATH"):
                break
            blocks.append(nn.Linear(2, 2))
        blocks.append(nn.Linear(3, 3))
    return nn.Sequential(*blocks)


def returning():
    layers = []
    for i in range(3):
        layers.append(nn.Linear(5, 5))
        if os.environ.get("PATH"):
            return nn.Sequential(*layers)
    layers.append(nn.Linear(5, 5))
    return nn.Sequential(*layers)


class Loaded(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 8)
        try:
            self.load_state_dict(torch.load("no_such_weights.pt"))
        except FileNotFoundError:
            self.extra = nn.Linear(8, 8)


def attach(module):
    state = torch.load("no_such_state.pt")
    module.head = nn.Linear(8, 2)
    return state


class Attached(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 8)
        try:
            attach(self)
        except OSError:
            pass


class WithElse(nn.Module):
    def __init__(self):
        super().__init__()
        try:
            torch.load("no_such_file.pt")
        except OSError:
            self.fc = nn.Linear(2, 2)
        else:
            self.fc = nn.Linear(20, 20)


class Followed(nn.Module):
    def __init__(self):
        super().__init__()
        try:
            self.fc = nn.Linear(4, 4)
        except Exception:
            self.fc = nn.Linear(8, 8)
        for i in range(3):
            if i == 1:
                continue
            self.add_module(f"l{i}", nn.Linear(i + 1, 1))


until_set_model = until_set()
skipping_model = skipping()
while_model = nn.Sequential(counted_while())
nested_model = nested()
returning_model = nn.Sequential(returning())
loaded = Loaded()
attached = Attached()
with_else = WithElse()
followed = Followed()
