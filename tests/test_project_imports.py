"""Projects of several modules, checked whole (`paramlens check --format json .`) and run for
real (`python main.py`): the total of `model` in main.py is torch's, where ours is certain. Each
project holds a way in which which module runs when, and as what, changes the count."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

PROJECTS = {
    # lib.py sorts before main.py and is a checked file: its main guard runs when it is run as
    # a script, never in the module main.py imports
    "main_guard": {
        "lib.py": 'W = 2\nif __name__ == "__main__":\n    W = 200\n',
        "main.py": "import torch.nn as nn\nimport lib\nmodel = nn.Sequential(nn.Linear(lib.W, 1))\n",
    },
    # a_model.py imports hp before hp.py is run as its own file: one module hp, which main.py
    # changes before a_model's builder reads it
    "one_module": {
        "a_model.py": "import torch.nn as nn\nimport hp\n\n\ndef make():\n"
                      "    return nn.Sequential(nn.Linear(hp.get_width(), 1))\n",
        "hp.py": "_W = 2\n\n\ndef set_width(w):\n    global _W\n    _W = w\n\n\n"
                 "def get_width():\n    return _W\n",
        "main.py": "import hp\nhp.set_width(30)\nfrom a_model import make\nmodel = make()\n",
    },
}


def model_totals(folder: Path) -> tuple[int | None, int]:
    """(our certain total of main.py's `model`, torch's)."""
    run = subprocess.run([sys.executable, "-c", "import runpy; g = runpy.run_path('main.py'); "
                          "print(sum(p.numel() for p in g['model'].parameters()))"],
                         cwd=folder, capture_output=True, text=True, check=True)
    report = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                             "json", "."], cwd=folder, capture_output=True, text=True, check=False)
    (main,) = [f for f in json.loads(report.stdout)["files"] if f["path"].endswith("main.py")]
    line = 1 + [t.startswith("model =") for t in (folder / "main.py").read_text().splitlines()
                ].index(True)
    ours = [m["params"] for m in main["models"] if m["line"] == line]
    return (ours[0] if ours else None), int(run.stdout)


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_the_model_main_py_builds_is_counted_as_torch_counts_it(name: str, tmp_path: Path
                                                                ) -> None:
    for file, text in PROJECTS[name].items():
        (tmp_path / file).write_text(text)
    ours, torchs = model_totals(tmp_path)
    assert ours == torchs, (ours, torchs)
