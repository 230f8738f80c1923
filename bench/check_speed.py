"""`paramlens check` on the corpus' torchvision files against `libcst.parse_module` alone.

    python bench/check_speed.py [--repeat N]

Both are timed in the same run, alternating, and the medians are compared: machines here are
noisy, so the ratio is the figure to quote. The files come from the shared corpus (downloaded
once with its own scorer's fetch, cached in $CORPUS_CACHE or ~/.cache/layer-corpus).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRUTH = ROOT.parent / "shared" / "corpus" / "torchvision-0.29.1.json"


def corpus_files() -> tuple[Path, list[str]]:
    spec = importlib.util.spec_from_file_location("score", TRUTH.parent / "score.py")
    assert spec and spec.loader
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    truth = json.loads(TRUTH.read_text())
    cache = Path(os.environ.get("CORPUS_CACHE", Path.home() / ".cache" / "layer-corpus"))
    root = score.fetch(truth["distribution"], truth["files"], cache)
    return root, sorted(truth["files"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import libcst

    from paramlens.review.sources import check_file

    root, files = corpus_files()
    texts = [(root / f).read_text() for f in files]
    lines = sum(t.count("\n") for t in texts)
    libcst_times, engine_times, cli_times = [], [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        for text in texts:
            libcst.parse_module(text)
        libcst_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        for f in files:
            check_file(str(root / f))
        engine_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format", "json",
                        *files], cwd=root, capture_output=True, check=False)
        cli_times.append(time.perf_counter() - start)
    base = statistics.median(libcst_times)
    engine = statistics.median(engine_times)
    cli = statistics.median(cli_times)
    print(f"{len(files)} files, {lines:,} lines, {args.repeat} runs, medians:")
    print(f"  libcst.parse_module (baseline)       {base:7.3f} s")
    print(f"  paramlens analysis, in process        {engine:7.3f} s   ratio {engine / base:5.2f}x")
    print(f"  paramlens check --format json (CLI)   {cli:7.3f} s   ratio {cli / base:5.2f}x"
          "  (includes interpreter start-up; --no-cache: a warm cache would only read hashes)")


if __name__ == "__main__":
    main()
