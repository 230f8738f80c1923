"""Hostile and unusual files (tests/adversarial/): for each layer, our certain count equals the
framework's, or we give none; nothing is dropped, nothing crashes, no run takes over 5 s.

Each file is run for real by framework_recorder.py, which wraps every torch.nn and keras.layers
class and records, at each call site of the file, the count of what the framework built or the
exception by which it refused. Lines marked `# bomb` would not finish in Python either: the
recorder runs the file with them replaced by `pass`, and the file is written so that what they
bind is overwritten or unused.

Then `paramlens check --format json` on the file itself:
- a site the framework refused anywhere: we give no count (params and every context);
- a site the framework built: our certain count, and each context's, is one the framework built
  there (a site built several times with different counts can have no one certain count);
- a built site that owns parameters is in our report (never dropped);
- no traceback on stderr, and the whole run in under 5 s.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FILES = sorted((HERE / "adversarial").glob("*.py"))
RECORDER = HERE / "framework_recorder.py"
SECONDS = 5.0
# Containers: their totals are models in our report, not layers.
CONTAINERS = {"Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}


@pytest.fixture(scope="module")
def framework_records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every file run once by the recorder, in one process: {file name: its record}."""
    folder = tmp_path_factory.mktemp("adversarial")
    runnable = []
    for path in FILES:
        copy = folder / path.name
        copy.write_text(re.sub(r"^(\s*).*# bomb$", r"\1pass", path.read_text(), flags=re.M))
        runnable.append(str(copy))
    run = subprocess.run([sys.executable, str(RECORDER), *runnable], capture_output=True,
                         text=True, timeout=600, env={**os.environ, "KERAS_BACKEND": "torch"},
                         check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    return {Path(path).name: record for path, record in json.loads(run.stdout).items()}


def our_report(path: Path) -> tuple[dict, float, str]:
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "paramlens", "check", "--format", "json",
                          path.name], cwd=path.parent, capture_output=True, text=True,
                         timeout=60, check=False)
    elapsed = time.perf_counter() - start
    return json.loads(run.stdout), elapsed, run.stderr


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_certain_counts_are_the_frameworks(path: Path, framework_records: dict[str, dict]) -> None:
    record = framework_records[path.name]
    report, elapsed, stderr = our_report(path)
    assert "Traceback" not in stderr, stderr
    assert elapsed < SECONDS, f"paramlens check took {elapsed:.1f} s"
    (file,) = report["files"]
    by_site: dict[tuple[int, int], list[dict]] = {}
    for r in record["records"]:
        by_site.setdefault((r["line"], r["column"]), []).append(r)
    problems: list[str] = []
    if (record["escaped"] or "").startswith("SyntaxError"):
        # Python refuses to compile the file: nothing in it is built, so nothing has a count.
        counted = [f"line {layer['line']}: {layer['params']}" for layer in file["layers"]
                   if layer["params"] is not None]
        assert file["error"] or not counted, f"{record['escaped']}, yet counted: {counted}"
    ours = {(layer["line"], layer["column"] - 1): layer for layer in file["layers"]}
    for (line, column), layer in ours.items():
        built = by_site.get((line, column), [])
        refused = [r["refused"] for r in built if r["refused"]]
        counts = {r["params"] for r in built if r["refused"] is None and r["params"] is not None}
        certain = [layer["params"]] + [c["params"] for c in layer.get("contexts") or []]
        certain = [c for c in certain if c is not None]
        if refused and certain:
            problems.append(f"line {line}: {layer['layer']} counted {certain}, but the framework "
                            f"refuses it ({refused[0]})")
        elif counts and any(c not in counts for c in certain):
            problems.append(f"line {line}: {layer['layer']} counted {certain}, the framework "
                            f"built {sorted(counts)}")
        if layer["params"] is not None and len(counts) > 1:
            problems.append(f"line {line}: one certain count {layer['params']} for a site the "
                            f"framework built as {sorted(counts)}")
    for (line, column), built in by_site.items():
        if built[0]["class"] not in CONTAINERS and any(r["params"] for r in built) \
                and (line, column) not in ours:
            problems.append(f"line {line}: {built[0]['class']} built by the framework, "
                            "missing from our report")
    assert not problems, "\n".join(problems)
