"""copy.deepcopy of modules as torch does it: each object copied once, so what two names shared
in the original (an alias `self.b = self.a`, a tied weight, a module twice in a list) the copy
shares too, and the copy's parameters are new ones. Random modules, copied alone, into a
ModuleList of clones (the Annotated Transformer's `clones`), or next to the original: every
total and trainable count is torch's."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

PARTS = [
    "self.a{i} = nn.Linear(4, 4)",
    "self.a{i} = nn.Linear(4, 4)\n        self.b{i} = self.a{i}",
    "self.emb{i} = nn.Embedding(10, 4)\n        self.head{i} = nn.Linear(4, 10, bias=False)\n"
    "        self.head{i}.weight = self.emb{i}.weight",
    "self.p{i} = nn.Parameter(torch.zeros(3))\n        self.q{i} = [self.p{i}]",
    "self.seq{i} = nn.Sequential(nn.Linear(4, 4), nn.ReLU())",
    "shared = nn.Linear(4, 4)\n        self.twice{i} = nn.ModuleList([shared, shared])",
    "self.d{i} = nn.ModuleDict({{'x': nn.Linear(4, 2)}})",
    "self.f{i} = nn.Linear(4, 4)\n        self.f{i}.requires_grad_(False)",
    "self.inner{i} = Inner()",
]

HEADER = """\
import copy

import torch
import torch.nn as nn


class Inner(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 3)
        self.alias = self.lin


"""


def _program(rng: random.Random, i: int) -> str:
    body = "\n".join(f"        {rng.choice(PARTS).format(i=j)}" for j in range(rng.randint(1, 3)))
    cls = f"class Net{i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n{body}\n"
    use = rng.choice([
        f"model = copy.deepcopy(Net{i}())",
        f"net = Net{i}()\nmodel = nn.ModuleList([copy.deepcopy(net) for _ in range(3)])",
        f"net = Net{i}()\nmodel = nn.ModuleList([net, copy.deepcopy(net)])",
        f"net = Net{i}()\nmodel = nn.Sequential(*copy.deepcopy([net, net]))",
    ])
    return HEADER + cls + "\n\n" + use + "\n"


def test_deep_copies_count_as_torch_copies(tmp_path: Path) -> None:
    rng = random.Random(20261128)
    programs = []
    for i in range(50):
        path = tmp_path / f"copied_{i}.py"
        path.write_text(_program(rng, i))
        programs.append(path)
    run = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                          "json", *(p.name for p in programs)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300, check=False)
    reports = {Path(f["path"]).name: f for f in json.loads(run.stdout)["files"]}
    problems, certain = [], 0
    for path in programs:
        source = path.read_text()
        namespace: dict = {}
        exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - generated text
        model = namespace["model"]
        truth = (sum(p.numel() for p in model.parameters()),
                 sum(p.numel() for p in model.parameters() if p.requires_grad))
        line = next(n for n, text in enumerate(source.splitlines(), 1)
                    if text.startswith("model = "))
        found = [(m["params"], m["trainable"]) for m in reports[path.name]["models"]
                 if m["line"] == line]
        certain += any(p is not None for p, _ in found)
        for params, trainable in found:
            if params is not None and params != truth[0] or \
                    trainable is not None and trainable != truth[1]:
                problems.append(f"{path.name}: torch {truth}, paramlens {(params, trainable)}")
    assert certain >= 35, certain
    assert not problems, "\n".join(problems)
