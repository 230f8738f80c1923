"""torch.nn.utils' weight_norm and spectral_norm (and their parametrizations.* forms) on random
layers: the model's total is torch's `numel()` sum where torch builds it, and none where it
refuses (a parameter the layer does not have, a dim past its weight's). weight_norm replaces the
weight by a direction of its shape and a magnitude sized by one axis (`dim`, one value for
None); spectral_norm keeps one parameter of its shape."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

LAYERS = ["nn.Linear(8, 4)", "nn.Linear(8, 4, bias=False)", "nn.Conv1d(4, 6, 3)",
          "nn.Conv2d(3, 8, 3)", "nn.ConvTranspose2d(3, 5, 2)", "nn.Conv3d(2, 4, 1)",
          "nn.Embedding(10, 3)", "nn.LSTM(4, 5)"]
FUNCTIONS = ["weight_norm", "spectral_norm", "parametrizations.weight_norm",
             "parametrizations.spectral_norm"]


def _call(rng: random.Random) -> str:
    layer = rng.choice(LAYERS)
    function = rng.choice(FUNCTIONS)
    arguments = [layer]
    if "LSTM" in layer:
        arguments.append(f"name={rng.choice(['weight_hh_l0', 'weight_ih_l0', 'bias_hh_l0'])!r}")
    elif rng.random() < 0.2:
        arguments.append(f"name={rng.choice(['bias', 'weight', 'nothing'])!r}")
    if function.endswith("weight_norm") and rng.random() < 0.6:
        arguments.append(f"dim={rng.choice([None, 0, 1, 2, -1, 5])}")
    return f"nn.utils.{function}({', '.join(arguments)})"


def test_reparametrized_layers_count_as_torch_builds_them(tmp_path: Path) -> None:
    rng = random.Random(20261128)
    lines = []
    for i in range(80):
        calls = [_call(rng) for _ in range(rng.randint(1, 2))]
        lines.append(f"model_{i} = nn.ModuleList([{', '.join(calls)}])\n")
    programs = []
    for i, line in enumerate(lines):
        path = tmp_path / f"reparametrized_{i}.py"
        path.write_text("import torch.nn as nn\n\n" + line)
        programs.append(path)
    run = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                          "json", *(p.name for p in programs)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300, check=False)
    reports = {Path(f["path"]).name: f for f in json.loads(run.stdout)["files"]}
    problems, built, refused, counted = [], 0, 0, 0
    for i, path in enumerate(programs):
        namespace: dict = {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102
            truth = sum(p.numel() for p in namespace[f"model_{i}"].parameters())
        except Exception:  # noqa: BLE001 - whatever torch raises is its refusal
            truth = None
        totals = [m["params"] for m in reports[path.name]["models"] if m["line"] == 3]
        built += truth is not None
        refused += truth is None
        counted += any(t is not None for t in totals)
        if any(t is not None and t != truth for t in totals):
            problems.append(f"{lines[i].strip()}: torch {truth}, paramlens {totals}")
    assert built >= 40 and refused >= 5 and counted >= 30, (built, refused, counted)
    assert not problems, "\n".join(problems)
