"""Random small programs (program_generator.py) that carry sizes through assignments, branches,
loops, lists, helpers, globals, walrus and exceptions into torch or Keras layers: each run for
real (Keras on its torch backend), its every layer and torch Sequential recorded, and
`paramlens check` on the same files must contradict
none of it (runtime_compare.disagreements). The programs are seeded; a failure names the file,
and the programs are kept in pytest's temporary folder to read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from program_generator import programs
from runtime_compare import disagreements, framework_records

SEED = 20261126
COUNT = 150

pytest.importorskip("torch")


@pytest.mark.parametrize("framework", ["torch", "keras"])
def test_generated_programs_agree_with_the_framework(framework: str, tmp_path: Path) -> None:
    paths = []
    for i, source in enumerate(programs(SEED, COUNT, framework)):
        path = tmp_path / f"program_{i:03d}.py"
        path.write_text(source)
        paths.append(path)
    records = framework_records(paths)
    built = sum(1 for r in records.values() for site in r["records"] if site["refused"] is None)
    refused = sum(1 for r in records.values() for site in r["records"] if site["refused"])
    assert built > COUNT and refused > 0, "the programs no longer exercise what they are for"
    run = subprocess.run([sys.executable, "-m", "paramlens", "check", "--format", "json",
                          *[p.name for p in paths]], cwd=tmp_path, capture_output=True, text=True,
                         timeout=600, check=False)
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    report = {Path(f["path"]).name: f for f in json.loads(run.stdout)["files"]}
    problems = [f"{name}: {problem}" for name in sorted(records)
                for problem in disagreements(records[name], report[name])]
    counted = sum(1 for f in report.values() for layer in f["layers"] if layer["params"] is not None)
    print(f"{COUNT} {framework} programs: {built} constructions built, {refused} refused; "
          f"{counted} layers with a certain count; {len(problems)} disagreements")
    assert not problems, "\n".join(problems[:40])
