"""Every torchvision model builder built on the meta device, against `paramlens check` on its files.

    python bench/builders_speed.py [--repeat N]

(a) Each builder of the corpus' "models" list, `with torch.device("meta"): builder(weights=None)`,
    in torch 2.14.1 + torchvision 0.29.1 (the versions the truth was recorded with; the test
    suite's torch is older), so in a virtualenv of its own, bench/.venv-torchvision, created on
    first use (about 5.5 GB, the big wheels from this machine's disk). The child,
    bench/_meta_build.py, times the imports apart and each build alone, in N passes over all
    builders; the median pass is compared. Builders that fail on meta are listed, not timed.
(b) `paramlens check --format json` on the 35 recorded files, in this interpreter (each file's
    own analysis and the program evaluated as a whole, one process, without the cyclic
    collector, as the CLI runs: what makes the totals) and
    as the CLI in a subprocess, median of N runs each.
(c) The floor of any run of this design, timed in the same run: starting the interpreter and
    importing the CLI (what the CLI pays before it reads a file), and parsing with `ast` every
    file the evaluation reads (the 35, and the modules they import), without the cyclic
    collector as the CLI runs. No evaluation can take less than parsing what it evaluates.
(d) What CPython itself takes to run the builders' own code (torchvision's Python, not the torch
    calls it makes), estimated in the meta child from one profiled pass (the share of time in
    torchvision's frames) times the median pass: the code the static evaluator interprets, run
    natively, beside what the evaluation takes to interpret it (and to do the rest).
Then the ratio static / meta (target <= 0.10), the floor's own ratio, and the builder totals of
the CLI's report (`models[]`, matched by path + line, as the corpus scorer does) against the
runtime totals.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from check_speed import TRUTH, corpus_files
from paramlens.engine.parse import parse_quietly
from paramlens.engine.reading import observed_reads
from paramlens.review.review import analyse_and_evaluate
from paramlens.review.sources import read_source

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".venv-torchvision"
PINS = {"torch": "2.14.1", "torchvision": "0.29.1"}
TARGET = 0.10


def venv_python() -> Path:
    """The venv's interpreter, creating the venv and installing the pinned wheels if need be."""
    python = VENV / "bin" / "python"
    installed = [list(VENV.glob(f"lib/python*/site-packages/{name}-{version}.dist-info"))
                 for name, version in PINS.items()]
    if python.exists() and all(installed):
        return python
    pins = [f"{name}=={version}" for name, version in PINS.items()]
    print(f"creating {VENV.relative_to(BENCH.parent)} with {' '.join(pins)} (about 5.5 GB, a few minutes)",
          flush=True)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *pins], check=True)
    print("venv ready", flush=True)
    return python


def meta_builds(python: Path, passes: int) -> dict[str, Any]:
    run = subprocess.run([str(python), "-I", str(BENCH / "_meta_build.py"), str(TRUTH), str(passes)],
                         cwd=BENCH, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.exit(f"_meta_build.py: exit {run.returncode}\n{run.stderr[-2000:]}")
    return json.loads(run.stdout)


def timed(action: Any, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock seconds of each run, and the CPU seconds it took (this process and the children
    it waited for): on a shared machine the wall clock also counts the other jobs' turns."""
    walls, cpus = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        before = _cpu()
        action()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - before)
    return walls, cpus


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cli_report(root: Path, files: list[str]) -> dict[str, Any]:
    run = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                          "json", *files],
                         cwd=root, capture_output=True, text=True, check=False)
    try:
        return json.loads(run.stdout)
    except json.JSONDecodeError:
        sys.exit(f"paramlens check: exit {run.returncode}, no JSON report\n{run.stderr[-2000:]}")


def model_scores(report: dict[str, Any], root: Path, truth: list[dict[str, Any]]) -> dict[str, int]:
    """exact / defaults / wrong / missing, as the corpus scorer counts them."""
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for entry in report.get("files", []):
        path = os.path.relpath(os.path.join(root, entry["path"]), root)
        for model in entry.get("models") or []:
            found.setdefault((path, model.get("line")), model)
    scores = dict.fromkeys(("exact", "defaults", "wrong", "missing"), 0)
    for m in truth:
        hit = found.get((m["path"], m["line"]), {})
        params = hit.get("params")
        default = hit.get("params_default")
        default = params if default is None else default
        known = isinstance(params, int) and not isinstance(params, bool)
        scores["exact"] += known and params == m["params"]
        scores["defaults"] += default == m["params"]
        scores["wrong"] += known and params != m["params"]
        scores["missing"] += default is None
    return scores


def without_collector(action: Any) -> Any:
    """`action()` as `paramlens check` runs it: without the cyclic collector (cli.run_check says
    why; this process holds the reports of the runs before, which it would walk again and
    again)."""
    gc.collect()
    gc.disable()
    try:
        return action()
    finally:
        gc.enable()


def read_texts(run: Any) -> list[str]:
    """The text of every file `run` reads, the checked ones included, once each."""
    with observed_reads() as seen:
        run()
    return [text for path in sorted(seen) if not seen[path].startswith("!")
            for text in [read_source(path)[0]] if text is not None]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    truth = json.loads(TRUTH.read_text())["models"]
    root, files = corpus_files()

    python = venv_python()
    print(f"building {len(truth)} builders on meta, {args.repeat} passes ...", flush=True)
    meta = meta_builds(python, args.repeat)
    built = [b for b in meta["builders"] if b["error"] is None]
    failed = [b for b in meta["builders"] if b["error"] is not None]
    if not built:
        sys.exit("no builder could be built on the meta device:\n" + "\n".join(b["error"] for b in failed))
    passes = [sum(b["seconds"][i] for b in built) for i in range(args.repeat)]
    meta_total = statistics.median(passes)
    per_builder = {b["name"]: statistics.median(b["seconds"]) for b in built}
    unloaded = [b for b in built if b["skipped_loads"]]
    runtime = {(m["path"], m["line"]): m["params"] for m in truth}
    same = sum(b["params"] == runtime[b["path"], b["line"]] for b in built)
    slowest = sorted(per_builder.items(), key=lambda item: -item[1])[:3]
    imports = meta["import_torch"] + meta["import_torchvision"]
    print("timing paramlens check ...", flush=True)

    def static() -> None:
        read = [(str(root / f), *read_source(str(root / f))) for f in files]
        analyse_and_evaluate(read, {p: text for p, text, _ in read if text is not None}, 1)

    texts = read_texts(static)
    start_up, _ = timed(lambda: subprocess.run([sys.executable, "-c", "import paramlens.cli"],
                                               check=True), args.repeat)
    parsing, _ = timed(lambda: without_collector(lambda: [parse_quietly(t) for t in texts]),
                       args.repeat)
    in_process_walls, in_process_cpus = timed(lambda: without_collector(static), args.repeat)
    cli_walls, cli_cpus = timed(lambda: cli_report(root, files), args.repeat)
    in_process, cli = statistics.median(in_process_walls), statistics.median(cli_walls)
    scores = model_scores(cli_report(root, files), root, truth)

    print(f"(a) meta device, torch {meta['torch']} + torchvision {meta['torchvision']}"
          f" ({VENV.relative_to(BENCH.parent)})")
    print(f"    import (excluded)     torch {meta['import_torch']:5.2f} s + torchvision"
          f" {meta['import_torchvision']:5.2f} s = {imports:5.2f} s")
    typical = statistics.median(per_builder.values()) * 1000
    print(f"    builds                {len(built)}/{len(truth)} built in {meta_total:6.3f} s"
          f" (median of passes {', '.join(f'{t:.3f}' for t in passes)}), median {typical:.1f} ms per builder")
    unloaded_time = sum(per_builder[b["name"]] for b in unloaded)
    print(f"    of which              {len(unloaded)} skipped loading a default weights_backbone,"
          f" {unloaded_time:.3f} s; the other {len(built) - len(unloaded)}:"
          f" {meta_total - unloaded_time:.3f} s")
    print("    slowest               " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in slowest))
    print(f"    totals on meta        {same}/{len(built)} equal the corpus' runtime totals")
    print(f"    failed on meta        {len(failed)}")
    for b in failed:
        print(f"      {b['name']:<28} {b['path']}:{b['line']}  {b['error']}")
    print(f"(b) paramlens check, {len(files)} files, median of {args.repeat}")
    print(f"    in process (analysis + evaluation) {in_process:7.3f} s"
          f"  (CPU {statistics.median(in_process_cpus):.3f} s)")
    print(f"    CLI --format json (subprocess)   {cli:7.3f} s  (includes interpreter start-up;"
          f" CPU {statistics.median(cli_cpus):.3f} s, its workers' included)")
    floor_parse, floor_start = statistics.median(parsing), statistics.median(start_up)
    lines = sum(text.count("\n") for text in texts)
    print(f"(c) floor: parsing the {len(texts)} files the evaluation reads ({lines:,} lines)"
          f" {floor_parse:.3f} s; interpreter start-up + CLI import {floor_start:.3f} s")
    native = meta["own_code_share"] * meta_total
    print(f"(d) the builders' own code run natively by CPython (estimated, {meta['own_code_share']:.1%}"
          f" of the meta builds) {native:.3f} s; the target is {TARGET * meta_total / native:.1f}x"
          f" that, the evaluation in process {in_process / native:.1f}x")
    print(f"ratio static / meta builds ({meta_total:.3f} s), target <= {TARGET:.2f}"
          f" (= {TARGET * meta_total:.3f} s)")
    for label, seconds in (("in process", in_process), ("CLI", cli),
                           ("floor, in process (parsing)", floor_parse),
                           ("floor, CLI (start-up + parsing)", floor_start + floor_parse)):
        verdict = "met" if seconds / meta_total <= TARGET else "not met"
        print(f"    {label:<32} {seconds / meta_total:6.3f}  (1/{meta_total / seconds:.0f})  {verdict}")
    n = len(truth)
    print(f"builder totals in the CLI report (path + line) against the runtime, {n} builders:")
    print(f"    equal: exact {scores['exact']}/{n}, params or params_default {scores['defaults']}/{n}"
          f"   wrong {scores['wrong']}   no total {scores['missing']}")


if __name__ == "__main__":
    main()
