"""`paramlens check`'s table as a terminal shows it: it fits the terminal's width, no count is
cut, parameterless layers only with --all, colour only on a terminal and never with NO_COLOR, a
progress bar on stderr only on a terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def check(*args: str, columns: int = 100, env: dict | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": str(columns), **(env or {})})
    assert done.returncode == 0, done.stderr
    return done.stdout


def in_terminal(*args: str, columns: int, env: dict | None = None) -> tuple[str, str]:
    """Run with stdout and stderr on pseudo-terminals of that width: (stdout, stderr)."""
    out_main, out_child = pty.openpty()
    err_main, err_child = pty.openpty()
    import fcntl
    import struct
    import termios
    for fd in (out_child, err_child):
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")}
    done = subprocess.Popen([sys.executable, "-m", "paramlens", "check", "--no-cache", *args],
                            cwd=ROOT, stdout=out_child, stderr=err_child,
                            env={**environment, "TERM": "xterm", **(env or {})})
    os.close(out_child)
    os.close(err_child)
    streams = {out_main: b"", err_main: b""}
    import select
    open_fds = set(streams)
    while open_fds:
        ready, _, _ = select.select(list(open_fds), [], [], 60)
        if not ready:
            break
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                open_fds.discard(fd)
            else:
                streams[fd] += chunk
    assert done.wait(60) == 0
    return streams[out_main].decode(), streams[err_main].decode()


@pytest.mark.parametrize("columns", [80, 200])
def test_the_table_fits_the_width_and_cuts_no_count(columns: int) -> None:
    text = check("examples/", columns=columns)
    assert max(len(line) for line in text.splitlines()) <= columns
    data = json.loads(check("--format", "json", "--all", "examples/"))
    rows = {}
    path = None
    for line in text.splitlines():
        if line.startswith("examples/") and "  " in line:
            path = line.split()[0]
        cells = line.split()
        if cells and cells[0].isdigit() and path:
            rows.setdefault((path, None, int(cells[0])), []).append(cells[-1])
        elif len(cells) > 1 and cells[0] == "cell" and path:  # a notebook's `cell 2:3`
            number, in_cell = cells[1].split(":")
            rows.setdefault((path, int(number), int(in_cell)), []).append(cells[-1])
    for file in data["files"]:
        for layer in file["layers"]:
            count = layer["params"] if layer["params"] is not None else layer["params_default"]
            if count is None or count == 0 and not layer["tensors"]:
                continue
            shown = f"{count:,}" + ("" if layer["params"] is not None else "*")
            where = (file["path"], layer.get("cell"), layer["line"])
            assert shown in rows[where], where


def test_parameterless_layers_only_with_all() -> None:
    plain, everything = check("examples/torch_resnet_block.py"), \
        check("--all", "examples/torch_resnet_block.py")
    assert "ReLU" not in plain and "MaxPool2d" not in plain and "(--all shows them)" in plain
    assert "ReLU" in everything and "MaxPool2d" in everything


def test_colour_on_a_terminal_never_in_a_pipe_nor_with_no_color() -> None:
    assert not ANSI.search(check("examples/seed.py"))
    coloured, _ = in_terminal("examples/seed.py", columns=120)
    assert ANSI.search(coloured)
    plain, _ = in_terminal("examples/seed.py", columns=120, env={"NO_COLOR": "1"})
    assert not ANSI.search(plain) and "280*" in plain


def test_a_terminal_of_80_columns_gets_lines_of_80() -> None:
    shown, _ = in_terminal("examples/", columns=80)
    lines = ANSI.sub("", shown).replace("\r", "").splitlines()
    assert max(len(line) for line in lines) <= 80


def test_a_long_run_shows_progress_on_stderr_only_on_a_terminal(tmp_path: Path) -> None:
    # enough files that the run takes more than the half second before the bar shows
    for i in range(150):
        (tmp_path / f"m{i}.py").write_text(
            "import torch.nn as nn\n\n\n" + "".join(
                f"def block_{j}(c=3):\n    return nn.Sequential(nn.Conv2d(c, 8, 3), nn.ReLU())\n\n\n"
                for j in range(40)))
    _, stderr = in_terminal("--format", "json", str(tmp_path), columns=100)
    assert "checking" in stderr and "files" in stderr
    done = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                           "json", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stderr == ""


def test_a_layer_built_of_layers_shows_each_submodule_s_count(tmp_path: Path) -> None:
    """A Transformer layer's weights cell sums its tensors by the submodule holding them, as
    torch's own named_parameters() groups them, rather than listing twelve shapes."""
    torch = pytest.importorskip("torch")
    source = tmp_path / "encoder.py"
    source.write_text("import torch.nn as nn\n\nlayer = nn.TransformerEncoderLayer(16, 4, 32)\n")
    built = torch.nn.TransformerEncoderLayer(16, 4, 32)
    groups: dict[str, int] = {}
    for name, param in built.named_parameters():
        groups[name.split(".")[0]] = groups.get(name.split(".")[0], 0) + param.numel()
    table = " ".join(check(str(source), columns=200).split())
    assert " + ".join(f"{name} {count:,}" for name, count in groups.items()) in table
