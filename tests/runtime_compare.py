"""What the framework built, file by file (framework_recorder.py in a subprocess), against
`paramlens check --format json` on the same files: the one rule of "never a wrong number"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

RECORDER = Path(__file__).resolve().parent / "framework_recorder.py"
# Containers: their totals are models in our report, not layers.
CONTAINERS = {"Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}
# classes that hold the module they are given: its parameters are theirs, they own none of their own
WRAPPERS = {"DataParallel", "DistributedDataParallel"}


def framework_records(paths: list[Path]) -> dict[str, dict]:
    """Every file run once, in one process: {file name: what the frameworks built in it}."""
    run = subprocess.run([sys.executable, str(RECORDER), *map(str, paths)], capture_output=True,
                         text=True, timeout=900, env={**os.environ, "KERAS_BACKEND": "torch"},
                         check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    return {Path(path).name: record for path, record in json.loads(run.stdout).items()}


def disagreements(record: dict, file: dict) -> list[str]:
    """One line per way our report of a file (JSON) contradicts what the framework built:
    - a site the framework refused anywhere has a certain count; one it only refused has a
      count in some context;
    - a certain count, or a context's, that is not one the framework built at that site;
    - one certain count for a site the framework built with several;
    - a built site that owns parameters is missing from our layers;
    - a certain model total on the line of a container the framework built, not its count;
    - any count at all in a file Python refuses to compile."""
    found: list[str] = []
    by_site: dict[tuple[int, int], list[dict]] = {}
    for r in record["records"]:
        by_site.setdefault((r["line"], r["column"]), []).append(r)
    if (record["escaped"] or "").startswith("SyntaxError"):
        counted = [f"line {layer['line']}: {layer['params']}" for layer in file["layers"]
                   if layer["params"] is not None]
        if not file["error"] and counted:
            found.append(f"{record['escaped']}, yet counted: {counted}")
    ours = {(layer["line"], layer["column"] - 1): layer for layer in file["layers"]}
    for (line, column), layer in ours.items():
        built = by_site.get((line, column), [])
        refused = [r["refused"] for r in built if r["refused"]]
        counts = {r["params"] for r in built if r["refused"] is None and r["params"] is not None}
        contexts = [c["params"] for c in layer.get("contexts") or [] if c["params"] is not None]
        if refused and layer["params"] is not None:
            found.append(f"line {line}: {layer['layer']} counted {layer['params']}, but the "
                         f"framework refuses it ({refused[0]})")
        elif refused and not counts and contexts:
            found.append(f"line {line}: {layer['layer']} counted {contexts} in context, but the "
                         f"framework refuses it ({refused[0]})")
        elif counts and any(c not in counts for c in [layer["params"], *contexts] if c is not None):
            found.append(f"line {line}: {layer['layer']} counted {layer['params']}, in context "
                         f"{contexts}; the framework built {sorted(counts)}")
        if layer["params"] is not None and len(counts) > 1:
            found.append(f"line {line}: one certain count {layer['params']} for a site the "
                         f"framework built as {sorted(counts)}")
    for (line, column), built in by_site.items():
        if built[0]["class"] not in CONTAINERS | WRAPPERS and any(r["params"] for r in built) \
                and (line, column) not in ours:
            found.append(f"line {line}: {built[0]['class']} built by the framework, missing "
                         "from our report")
    containers: dict[int, set[int]] = {}
    for r in record["records"]:
        if r["class"] in CONTAINERS and r["refused"] is None and r["params"] is not None:
            containers.setdefault(r["line"], set()).add(r["params"])
    for model in file.get("models") or []:
        counts = containers.get(model["line"])
        if counts and model["params"] is not None and model["params"] not in counts:
            found.append(f"line {model['line']}: model {model['name']} totals {model['params']}, "
                         f"the framework built {sorted(counts)}")
    return found
