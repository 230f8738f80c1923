"""What rewriting with libcst costs next to reading with `ast`, on the corpus' torchvision files.

    python bench/rewrite_cost.py [--repeat N]

Printed side by side, from one run (machines here are noisy: the ratios are the figures to quote):
- `ast.parse` against `libcst.parse_module` on the 35 files (bytes in, as both read files);
- start-up: a fresh `python -c "import paramlens.cli"` (what `check` loads before it reads a
  file) against the same plus `import libcst`, and plus the annotate command's own modules;
- `paramlens annotate --no-cache` (on a fresh copy of the tree each time, so that every run
  writes every comment) against `paramlens check --no-cache` on the same files; and, in this
  process, annotate's libcst part alone (parse, positions, rewrite, bytes) on the reports.
"""

from __future__ import annotations

import argparse
import ast
import gc
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from check_speed import corpus_files

CPU: dict[str, list[float]] = {}  # CPU seconds of each timed command, its worker processes included


def _timed(name: str, command: list[str], cwd: Path | None = None) -> float:
    """Wall seconds; the CPU seconds (user + system, of the process and the workers it waited
    for) go to CPU[name]: on a shared machine they move less with the load than the wall."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(name, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    gc.set_threshold(100_000, 50, 50)  # as the commands set it: their timings are compared
    import libcst

    from paramlens.review.annotate import annotate_source
    from paramlens.review.review import analyse_and_evaluate

    root, files = corpus_files()
    datas = [(root / f).read_bytes() for f in files]
    lines = sum(d.count(b"\n") for d in datas)
    python = sys.executable
    timings: dict[str, list[float]] = {k: [] for k in
                                      ("ast", "libcst", "cli", "cli+libcst", "cli+annotate",
                                       "check", "annotate", "codemod")}
    # the engine's reports once, in process, for the codemod-alone timing
    read = [(f, d.decode("utf-8"), None) for f, d in zip(files, datas, strict=True)]
    cwd = os.getcwd()
    os.chdir(root)
    try:
        reports = analyse_and_evaluate(read, {f: t for f, t, _e in read}, 1)
    finally:
        os.chdir(cwd)
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(args.repeat):
            start = time.perf_counter()
            for data in datas:
                ast.parse(data)
            timings["ast"].append(time.perf_counter() - start)
            start = time.perf_counter()
            for data in datas:
                libcst.parse_module(data)
            timings["libcst"].append(time.perf_counter() - start)
            start = time.perf_counter()
            for data, report in zip(datas, reports, strict=True):
                annotate_source(data, report)
            timings["codemod"].append(time.perf_counter() - start)
            for _start_up in range(3):
                timings["cli"].append(_timed("cli", [python, "-c", "import paramlens.cli"]))
                timings["cli+libcst"].append(
                    _timed("cli+libcst", [python, "-c", "import paramlens.cli, libcst"]))
                timings["cli+annotate"].append(_timed("cli+annotate", [
                    python, "-c", "import paramlens.cli, paramlens.review.annotate_command"]))
            timings["check"].append(_timed("check", [
                python, "-m", "paramlens", "check", "--no-cache", "--format", "json", *files],
                cwd=root))
            copy = Path(scratch) / "copy"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(root, copy)
            timings["annotate"].append(_timed(
                "annotate", [python, "-m", "paramlens", "annotate", "--no-cache", *files], cwd=copy))
    m = {k: statistics.median(v) for k, v in timings.items()}
    cpu = {k: statistics.median(v) for k, v in CPU.items()}
    print(f"{len(files)} files, {lines:,} lines, {args.repeat} runs (start-up: {3 * args.repeat}), "
          "medians:")
    print(f"  ast.parse                                  {m['ast']:8.3f} s")
    print(f"  libcst.parse_module                        {m['libcst']:8.3f} s   "
          f"ratio {m['libcst'] / m['ast']:5.1f}x ast")
    print("  (wall, then CPU of the process and its workers)")
    print(f"  start-up: import paramlens.cli             {m['cli'] * 1000:8.0f} ms  "
          f"{cpu['cli'] * 1000:6.0f} ms CPU")
    print(f"            ... + import libcst              {m['cli+libcst'] * 1000:8.0f} ms  "
          f"{cpu['cli+libcst'] * 1000:6.0f} ms CPU   +{(m['cli+libcst'] - m['cli']) * 1000:.0f} ms"
          f" (CPU +{(cpu['cli+libcst'] - cpu['cli']) * 1000:.0f} ms)")
    print(f"            ... + annotate's modules         {m['cli+annotate'] * 1000:8.0f} ms  "
          f"{cpu['cli+annotate'] * 1000:6.0f} ms CPU   "
          f"+{(m['cli+annotate'] - m['cli']) * 1000:.0f} ms"
          f" (CPU +{(cpu['cli+annotate'] - cpu['cli']) * 1000:.0f} ms)")
    print(f"  paramlens check --no-cache                 {m['check']:8.3f} s   {cpu['check']:6.2f} s CPU")
    print(f"  paramlens annotate --no-cache              {m['annotate']:8.3f} s   "
          f"{cpu['annotate']:6.2f} s CPU   ratio {m['annotate'] / m['check']:5.2f}x check "
          f"(CPU {cpu['annotate'] / cpu['check']:.2f}x)")
    print(f"  annotate's codemod alone, in process       {m['codemod']:8.3f} s   "
          f"(parse, positions, rewrite, bytes; {m['codemod'] / m['libcst']:.1f}x the parse)")


if __name__ == "__main__":
    main()
