"""Hover latency over stdio, as an editor sees it, side by side with the baselines in one run.

    pip install -e '.[bench]'
    python bench/latency.py [--rounds N] [--edits N]

1. Warm hover on every layer of Keras' `applications/xception.py` (the installed keras), for
   paramlens and for jedi-language-server in the same Python environment (so jedi sees keras).
   One unmeasured round warms both; then p50/p95 over the measured rounds.
2. The torchvision `models/*.py` files concatenated (about 13,200 lines): a one-character edit
   (typed, then deleted), then at once a hover on a random layer, p50/p95 of those hovers,
   against one `libcst.parse_module` of the same file (median of 3).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import random
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from raw_lsp import RawServer  # noqa: E402

PARAMLENS = [sys.executable, "-m", "paramlens", "serve"]
CACHE = Path.home() / ".cache" / "layer-corpus" / "dists"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def figures(values: list[float]) -> str:
    p50, p95 = statistics.median(values) * 1000, percentile(values, .95) * 1000
    return f"p50 {p50:8.2f} ms   p95 {p95:8.2f} ms   (n={len(values)})"


def layer_positions(text: str) -> list[tuple[int, int]]:
    """(0-based line, UTF-16 column) of the class name of every `something.Layer(...)` call."""
    found = []
    lines = text.split("\n")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr[:1].isupper() and node.func.end_lineno == node.func.lineno:
            line = lines[node.func.lineno - 1]
            end = len(line.encode()[:node.func.end_col_offset].decode())
            column = end - len(node.func.attr) + 1
            found.append((node.func.lineno - 1, len(line[:column].encode("utf-16-le")) // 2))
    return sorted(set(found))


def warm_hovers(command: list[str], path: Path, text: str, positions: list[tuple[int, int]],
                rounds: int) -> tuple[list[float], int]:
    server = RawServer(command)
    try:
        server.initialize(path.parent.as_uri())
        uri = path.as_uri()
        server.open(uri, text)
        times: list[float] = []
        answered = 0
        for round_number in range(rounds + 1):
            for line, character in positions:
                start = time.perf_counter()
                reply = server.hover(uri, line, character)
                elapsed = time.perf_counter() - start
                if round_number > 0:  # the first round only warms caches
                    times.append(elapsed)
                    answered += bool(reply.get("result"))
        return times, answered
    finally:
        server.stop()


def xception() -> Path:
    spec = importlib.util.find_spec("keras")
    assert spec and spec.submodule_search_locations, "keras is not installed"
    return Path(list(spec.submodule_search_locations)[0]) / "src" / "applications" / "xception.py"


def torchvision_models() -> str:
    wheels = sorted(CACHE.glob("torchvision-0.29.1-*.whl")) if CACHE.exists() else []
    if not wheels:
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "--only-binary=:all:", "-d", str(CACHE), "torchvision==0.29.1"], check=True)
        wheels = sorted(CACHE.glob("torchvision-0.29.1-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = sorted(n for n in wheel.namelist() if n.startswith("torchvision/models/")
                       and n.count("/") == 2 and n.endswith(".py"))
        return "\n".join(wheel.read(n).decode() for n in names)


def hovers_after_edits(text: str, edits: int) -> list[float]:
    from paramlens.engine.analysis import analyze_source

    layers = [(r.name_span.line - 1, r.name_span.column + 1) for r in analyze_source(text).layers]
    lines = text.split("\n")
    code_lines = [i for i, line in enumerate(lines) if line.strip()]
    rng = random.Random(7)
    server = RawServer(PARAMLENS)
    try:
        server.initialize(None, {"debounceMs": 250})
        uri = "untitled:torchvision_models.py"
        server.open(uri, text)
        server.hover(uri, *layers[0])  # waits for the first whole-file analysis
        times: list[float] = []
        version = 1
        for _ in range(edits):
            line = rng.choice(code_lines)
            column = rng.randrange(len(lines[line]) + 1)
            for typed in (True, False):  # type one character, then delete it
                version += 1
                if typed:
                    server.insert(uri, version, line, column, "x")
                else:
                    server.insert(uri, version, line, column, "", removing=1)
                target_line, target_column = rng.choice(layers)
                if typed and target_line == line and target_column >= column:
                    target_column += 1
                start = time.perf_counter()
                server.hover(uri, target_line, target_column)
                times.append(time.perf_counter() - start)
        return times
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--edits", type=int, default=150)
    args = parser.parse_args()

    path = xception()
    text = path.read_text()
    positions = layer_positions(text)
    print(f"1. warm hover on {path.name}: {len(positions)} layer positions x {args.rounds} rounds")
    ours, ours_answered = warm_hovers(PARAMLENS, path, text, positions, args.rounds)
    print(f"   paramlens              {figures(ours)}   answered {ours_answered}")
    jedi = shutil.which("jedi-language-server")
    if jedi is None:
        print("   jedi-language-server   not installed (pip install -e '.[bench]')")
    else:
        theirs, theirs_answered = warm_hovers([jedi], path, text, positions, args.rounds)
        print(f"   jedi-language-server   {figures(theirs)}   answered {theirs_answered}")
        print(f"   p95 ratio paramlens / jedi: {percentile(ours, .95) / percentile(theirs, .95):.4f}"
              f" (1/{percentile(theirs, .95) / percentile(ours, .95):.0f})")

    import libcst

    big = torchvision_models()
    parse_times = []
    for _ in range(3):
        start = time.perf_counter()
        libcst.parse_module(big)
        parse_times.append(time.perf_counter() - start)
    parse = statistics.median(parse_times)
    print(f"2. torchvision models/*.py concatenated: {big.count(chr(10)) + 1:,} lines")
    print(f"   libcst.parse_module (baseline, median of 3)   {parse * 1000:8.1f} ms")
    after = hovers_after_edits(big, args.edits)
    print(f"   hover right after a one-character edit  {figures(after)}")
    print(f"   p95 ratio hover / libcst parse: {percentile(after, .95) / parse:.4f}"
          f" (1/{parse / percentile(after, .95):.0f})")


if __name__ == "__main__":
    main()
