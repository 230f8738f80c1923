"""Child of bench/builders_speed.py, run in bench/.venv-torchvision (torch 2.14.1, torchvision 0.29.1).

    python bench/_meta_build.py TRUTH.json [PASSES]

Imports torch and torchvision (timed apart), then, PASSES times (default 3), builds every builder
of the truth file's "models" on the meta device, `with torch.device("meta"): builder(weights=None)`,
timing each build alone, and prints one JSON object on stdout. The parameter count of each model
is taken after its timer stops. As when the truth was recorded, arguments keep their defaults but
no pretrained weights are loaded: a default `weights_backbone` (detection and segmentation
builders) is not downloaded and its `load_state_dict` is skipped (loading fills tensors, it
changes no shape); `skipped_loads` counts those per builder. One more pass, under cProfile,
estimates the share of that time spent in torchvision's own Python code (own_code_share).
"""

from __future__ import annotations

import contextlib
import cProfile
import importlib
import json
import os
import pstats
import sys
import time
from typing import Any

start = time.perf_counter()
import torch  # noqa: E402

import_torch = time.perf_counter() - start
start = time.perf_counter()
import torchvision  # noqa: E402
import torchvision.models  # noqa: E402

import_torchvision = time.perf_counter() - start


class _NotLoaded(dict):
    """What a weights enum gives instead of downloaded tensors."""


_skipped = [0]
_original_load = torch.nn.Module.load_state_dict


def _load_state_dict(self: torch.nn.Module, state_dict: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(state_dict, _NotLoaded):
        _skipped[0] += 1
        return None
    return _original_load(self, state_dict, *args, **kwargs)


torchvision.models.WeightsEnum.get_state_dict = lambda self, *args, **kwargs: _NotLoaded()  # type: ignore
torch.nn.Module.load_state_dict = _load_state_dict  # type: ignore[method-assign]


def build(entry: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"name": entry["name"], "path": entry["path"], "line": entry["line"]}
    _skipped[0] = 0
    try:
        module = importlib.import_module(entry["path"].removesuffix(".py").replace("/", "."))
        builder = getattr(module, entry["name"])
    except (ImportError, AttributeError) as failure:
        return row | {"seconds": None, "params": None, "error": f"not found: {failure!r}"}
    start = time.perf_counter()
    try:
        with torch.device("meta"):
            model = builder(weights=None)
    except Exception as failure:  # a builder that cannot run on meta is counted, not fatal
        row["seconds"] = time.perf_counter() - start
        message = f"{type(failure).__name__}: {failure}".splitlines()[0]
        return row | {"params": None, "error": message[:200]}
    row["seconds"] = time.perf_counter() - start
    params = sum(p.numel() for p in model.parameters())
    return row | {"params": params, "error": None, "skipped_loads": _skipped[0]}


def own_code_share(entries: list[dict[str, Any]]) -> float:
    """The share of the builds' time spent running torchvision's own Python code: its frames'
    own time (not the torch calls they make), over all time, in one more pass under cProfile.
    The profiler's cost falls on each call, so this is an estimate, not a measurement: what
    CPython itself takes to run the code the static evaluator has to interpret."""
    profile = cProfile.Profile()
    profile.enable()
    for entry in entries:
        build(entry)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in stats.values())
    own = sum(row[2] for (path, _, _), row in stats.items()
              if f"{os.sep}torchvision{os.sep}" in path)
    return own / total if total else 0.0


def main() -> None:
    truth = json.load(open(sys.argv[1]))
    passes = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries the JSON only
        runs = [[build(entry) for entry in truth["models"]] for _ in range(passes)]
        built = [entry for entry, row in zip(truth["models"], runs[0], strict=True)
                 if row["error"] is None]
        share = own_code_share(built)
    builders = [rows[0] | {"seconds": [row["seconds"] for row in rows]} for rows in zip(*runs, strict=True)]
    json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__,
               "import_torch": import_torch, "import_torchvision": import_torchvision,
               "own_code_share": share, "builders": builders}, sys.stdout)


if __name__ == "__main__":
    main()
