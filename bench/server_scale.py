"""The language server at scale, side by side with the CLI in one run (issue 10, "Hardening").

    python bench/server_scale.py [--rounds N] [--documents N] [--server-path DIR]

1. Open time: 2,500 / 5,000 / 10,000 top-level layer lines (`conv_i = nn.Conv2d(3, 16, 3)`),
   from didOpen until the first publishDiagnostics for that version, next to `paramlens check`
   on the same file (wall time of the whole command, process start included). Medians.
2. Memory: the server's RSS with 200 open documents of about 200 KB of model code each (the
   examples/ files repeated), over its RSS with one small document open: MB per document and
   per 200 KB of text.
3. Latency during a long analysis: a document whose evaluation takes many seconds is open; a
   hover on another document, and then `shutdown`, are timed. Medians over the rounds.
4. A package open at once: the shared corpus' 35 recorded torchvision files opened together
   (each with its file's URI, so that its imports resolve), from the first didOpen until the
   last (and the median) document's first diagnostics; next to `paramlens check` of the same
   files in one run. With `--baseline DIR`, another checkout's server is measured in the same
   run, the rounds alternating.

`--server-path DIR` runs the server (and the CLI) from another checkout's `server/` folder, to
measure a commit before a change against the working tree on the same machine.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from corpus_files import recorded_corpus  # noqa: E402
from documents import bomb  # noqa: E402
from raw_lsp import RawServer  # noqa: E402


def layer_lines(count: int) -> str:
    return "import torch.nn as nn\n" + "".join(f"conv_{i} = nn.Conv2d(3, 16, 3)\n"
                                               for i in range(count))


def model_code(size: int = 200_000) -> str:
    """About `size` characters of the examples' model code, whole files repeated."""
    texts = [p.read_text() for p in sorted((ROOT / "examples").glob("*.py"))]
    found, total = [], 0
    while total < size:
        for text in texts:
            found.append(text)
            total += len(text)
    return "\n".join(found)


def environment(server_path: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if server_path:
        env["PYTHONPATH"] = server_path + os.pathsep + env.get("PYTHONPATH", "")
    return env


class Server(RawServer):
    def __init__(self, server_path: str | None) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "paramlens", "serve"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=environment(server_path))
        self.next_id = 0
        self.published: set[str] = set()

    def read(self) -> dict:
        message = super().read()
        if message.get("method") == "textDocument/publishDiagnostics":
            self.published.add(message["params"]["uri"])
        if "method" in message and "id" in message:  # the server asks us something
            self.send_bytes(json.dumps({"jsonrpc": "2.0", "id": message["id"],
                                        "result": None}).encode())
        return message

    def wait_published(self, uris: set[str]) -> None:
        while not uris <= self.published:
            self.read()

    def rss_mb(self) -> float:
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")


def warmed_server(server_path: str | None) -> Server:
    """A server that has analysed one small document: its imports and first analysis paid."""
    server = Server(server_path)
    try:
        server.initialize(None, {"debounceMs": 0})
        server.open("untitled:warm.py", "import torch.nn as nn\nc = nn.Conv2d(3, 8, 3)\n")
        server.wait_published({"untitled:warm.py"})
    except BaseException:
        server.stop()
        raise
    return server


def open_time(text: str, server_path: str | None) -> float:
    server = warmed_server(server_path)
    try:
        started = time.perf_counter()
        server.open("untitled:big.py", text)
        server.wait_published({"untitled:big.py"})
        return time.perf_counter() - started
    finally:
        server.stop()


def check_time(text: str, server_path: str | None) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.py"
        path.write_text(text)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "paramlens", "check", str(path)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder,
                       env=environment(server_path), check=False)
        return time.perf_counter() - started


def memory(documents: int, server_path: str | None) -> tuple[float, float, int]:
    """(MB before, MB after, characters per document)."""
    text = model_code()
    server = warmed_server(server_path)
    try:
        before = server.rss_mb()
        uris = {f"untitled:doc{k}.py" for k in range(documents)}
        for k in range(documents):
            # one line differs, so that no two documents are the same text
            server.open(f"untitled:doc{k}.py", f"VARIANT = {k}\n" + text)
        server.wait_published(uris)
        time.sleep(1.0)
        return before, server.rss_mb(), len(text)
    finally:
        server.stop()


def latency(server_path: str | None) -> tuple[list[float], float, bool]:
    """(hover times on another document, shutdown time, whether the bomb was still running)."""
    server = Server(server_path)
    try:
        server.initialize(None, {"debounceMs": 0})
        server.open("untitled:good.py", "import torch.nn as nn\nconv = nn.Conv2d(3, 10, 3)\n")
        server.wait_published({"untitled:good.py"})
        server.open("untitled:bomb.py", bomb())
        time.sleep(1.0)
        hovers = []
        for _ in range(5):
            started = time.perf_counter()
            server.hover("untitled:good.py", 1, 12)
            hovers.append(time.perf_counter() - started)
        started = time.perf_counter()
        server.response(server.send("shutdown", None))
        shutdown = time.perf_counter() - started
        running = "untitled:bomb.py" not in server.published
        server.send("exit", None, request=False)
        server.process.wait(timeout=30)
        return hovers, shutdown, running
    finally:
        server.close()


def package_open(files: list[Path], server_path: str | None) -> tuple[float, float]:
    """(seconds until the last document's diagnostics, until half of them had theirs)."""
    server = warmed_server(server_path)
    try:
        uris = {path.resolve().as_uri(): path for path in files}
        started = time.perf_counter()
        for uri, path in uris.items():
            server.open(uri, path.read_text(encoding="utf-8-sig"))
        times: list[float] = []
        while len(times) < len(uris):
            before = len(server.published & uris.keys())
            server.read()
            if len(server.published & uris.keys()) > before:
                times.append(time.perf_counter() - started)
        return times[-1], statistics.median(times)
    finally:
        server.stop()


def check_files_time(files: list[Path], server_path: str | None) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache",
                    *map(str, files)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=environment(server_path), check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--server-path", help="a checkout's server/ folder to run instead")
    parser.add_argument("--baseline", help="another checkout's server/ folder, measured next "
                        "to this one in the package part")
    parser.add_argument("--only", choices=["open", "memory", "latency", "package"],
                        help="one part of the four")
    args = parser.parse_args()
    where = args.server_path or "this working tree"
    print(f"paramlens server at scale ({where}), medians of {args.rounds} rounds, "
          f"{os.cpu_count()} cores\n")
    if args.only in (None, "open"):
        open_times(args)
    if args.only in (None, "memory"):
        memory_figures(args)
    if args.only in (None, "latency"):
        latency_figures(args)
    if args.only in (None, "package"):
        package_figures(args)


def open_times(args: argparse.Namespace) -> None:
    print(f"{'layer lines':>12} {'server open':>12} {'paramlens check':>16} {'ratio':>7}")
    for count in (2_500, 5_000, 10_000):
        text = layer_lines(count)
        server = statistics.median(open_time(text, args.server_path) for _ in range(args.rounds))
        cli = statistics.median(check_time(text, args.server_path) for _ in range(args.rounds))
        print(f"{count:>12,} {server:>10.2f} s {cli:>14.2f} s {server / cli:>6.2f}×", flush=True)


def memory_figures(args: argparse.Namespace) -> None:
    before, after, size = memory(args.documents, args.server_path)
    per_document = (after - before) / args.documents
    print(f"\nRSS with {args.documents} open documents of {size / 1000:.0f} KB: {after:,.0f} MB "
          f"({before:,.0f} MB with one small one): {per_document:.2f} MB per document, "
          f"{per_document * 200_000 / size:.2f} MB per 200 KB", flush=True)


def latency_figures(args: argparse.Namespace) -> None:
    rounds = [latency(args.server_path) for _ in range(args.rounds)]
    hovers = [h for hover_times, _, _ in rounds for h in hover_times]
    shutdowns = [s for _, s, _ in rounds]
    running = all(r for _, _, r in rounds)
    print(f"\nduring a long analysis ({'still running' if running else 'NOT always running'} "
          f"when measured): hover on another document p50 "
          f"{statistics.median(hovers) * 1000:.0f} ms, max {max(hovers) * 1000:.0f} ms; "
          f"shutdown p50 {statistics.median(shutdowns) * 1000:.0f} ms, "
          f"max {max(shutdowns) * 1000:.0f} ms")


def package_figures(args: argparse.Namespace) -> None:
    corpus = recorded_corpus().get("torchvision-0.29.1")
    if corpus is None:
        print("\npackage open: the torchvision corpus is not unpacked (score.py fetches it)")
        return
    root, names = corpus
    files = [root / name for name in names]
    servers = {args.server_path or "this tree": args.server_path}
    if args.baseline:
        servers[args.baseline] = args.baseline
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in servers}
    for _round, (name, path) in itertools.product(range(args.rounds), servers.items()):
        figures[name].append(package_open(files, path))
    cli = statistics.median(check_files_time(files, args.server_path) for _ in range(args.rounds))
    print(f"\n{len(files)} torchvision files open at once (paramlens check of them, one run: "
          f"{cli:.1f} s)")
    print(f"{'server':>40} {'last published':>15} {'median':>8}")
    for name, rounds in figures.items():
        last = statistics.median(r[0] for r in rounds)
        half = statistics.median(r[1] for r in rounds)
        print(f"{name[-40:]:>40} {last:>13.1f} s {half:>6.1f} s", flush=True)
    if args.baseline:
        mine, theirs = (statistics.median(r[0] for r in figures[n]) for n in servers)
        print(f"{'ratio (this / baseline), last published':>40} {mine / theirs:>13.2f}×")


if __name__ == "__main__":
    main()
