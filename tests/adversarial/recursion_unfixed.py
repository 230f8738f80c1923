import os

import torch.nn as nn


def walk(path):
    found = {}
    for entry in os.scandir(path):
        if entry.is_dir():
            found[entry.name] = walk(entry.path)
        else:
            found[entry.name] = entry.stat().st_size
    return found


def nest(tree):
    if not isinstance(tree, dict):
        return tree
    return {key: nest(value) for key, value in tree.items()}


sizes = nest(walk(os.path.dirname(os.path.abspath(__file__))))
a = nn.Conv2d(3, 16, 3)
b = nn.Linear(16, len(sizes) if sizes else 4)
