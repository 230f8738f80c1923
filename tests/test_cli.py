"""`paramlens check` as a user runs it: a subprocess, files on disk, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paramlens", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_seed_table_says_280_and_270() -> None:
    done = run("check", "examples/seed.py")
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if "Conv2D" in line]
    assert [(r[0], r[-1]) for r in rows] == [("5", "280*"), ("10", "270*")]
    assert any(line.startswith("total:") for line in done.stdout.strip().splitlines()[-3:])


def test_json_shape_and_bad_files_do_not_hide_good_ones(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text("import torch.nn as nn\nc = nn.Conv2d(3, 10, 3)\n")
    (tmp_path / "broken.py").write_text("import torch.nn as nn\nc = nn.Conv2d(3, 10, \n")
    (tmp_path / "latin1.py").write_bytes(b"# caf\xe9\nx = 1\n")
    done = run("check", "--format", "json", str(tmp_path), str(tmp_path / "missing.py"))
    assert done.returncode == 2
    files = {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}
    good = files["good.py"]
    assert good["error"] is None
    layer = good["layers"][0]
    assert (layer["line"], layer["column"], layer["layer"]) == (2, 5, "torch.nn.Conv2d")
    assert (layer["params"], layer["weight_shape"], layer["bias_shape"]) == (280, [10, 3, 3, 3], [10])
    assert "not valid Python" in files["broken.py"]["error"]
    assert "not UTF-8" in files["latin1.py"]["error"]
    assert files["missing.py"]["error"] == "no such file"
    assert "missing.py" in done.stderr


def test_pytorch_twin_of_the_seed(tmp_path: Path) -> None:
    (tmp_path / "twin.py").write_text(
        "from torch import nn\na = nn.Conv2d(3, 10, 3)\nb = nn.Conv2d(3, 10, 3, bias=False)\n")
    done = run("check", "--format", "json", str(tmp_path / "twin.py"))
    assert [x["params"] for x in json.loads(done.stdout)["files"][0]["layers"]] == [280, 270]


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    (tmp_path / "u.py").write_text("import torch.nn as nn\nname = '😀é'; c = nn.Conv2d(3, 10, 3)\n",
                                   encoding="utf-8")
    done = run("check", "--format", "json", str(tmp_path / "u.py"))
    layer = json.loads(done.stdout)["files"][0]["layers"][0]
    assert layer["column"] == "name = '😀é'; c = nn.Conv2d".index("nn.Conv2d") + 1


def test_proven_errors_exit_1(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        "import torch.nn as nn\nnet = nn.Sequential(nn.Conv2d(3, 16, 3), nn.Conv2d(32, 8, 3))\n")
    done = run("check", str(tmp_path / "m.py"))
    assert done.returncode == 1
    assert "channel-mismatch" in done.stdout


def test_a_model_whose_construction_raises_says_so_and_where(tmp_path: Path) -> None:
    """Python stops at `self.fc2` (never set, a line left half-typed): the table says that the
    code raises there, not "at least 20 parameters"."""
    (tmp_path / "net.py").write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.fc1 = nn.Linear(4, 4)\n        self.fc2\n")
    done = run("check", str(tmp_path / "net.py"))
    text = " ".join(done.stdout.split())  # (the table wraps long titles to the terminal)
    assert "net.py Net (line 4): parameters not counted: the code raises (net.py:8) line" in text, \
        done.stdout
