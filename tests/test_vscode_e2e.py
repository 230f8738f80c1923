"""The VS Code extension in a real VS Code (code-server + headless Chromium), through
client/e2e/run.sh exactly as CI and a developer run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from lsp_helpers import ROOT

RUN = ROOT / "client" / "e2e" / "run.sh"


def run_e2e(out: Path, python: str, expect: str = "counts") -> tuple[int, dict, str]:
    env = dict(os.environ, E2E_OUT=str(out), E2E_PYTHON=python, E2E_EXPECT=expect)
    done = subprocess.run(["bash", str(RUN)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1200)
    result_file = out / "result.json"
    result = json.loads(result_file.read_text()) if result_file.exists() else {}
    return done.returncode, result, done.stdout + done.stderr


def test_counts_in_vscode(tmp_path: Path) -> None:
    code, result, log = run_e2e(tmp_path, sys.executable)
    checks = {c["name"]: c for c in result.get("checks", [])}
    assert code == 0, log[-3000:]
    assert len(checks) == 7 and all(c["ok"] for c in checks.values()), checks
    assert "280 parameters" in checks["hovering Conv2D in seed.py shows 280 and the weight shape"][
        "detail"]
    assert (tmp_path / "03-seed-hover.png").stat().st_size > 10_000


def test_a_python_without_paramlens_fails_the_run_and_shows_the_install_hint(tmp_path: Path
                                                                              ) -> None:
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    python = str(bare / "bin" / "python")
    code, result, log = run_e2e(tmp_path / "broken", python)
    assert code != 0, "the e2e run must fail when the server cannot start"
    assert any("pip install paramlens" in text for text in result["notifications"])
    code, result, log = run_e2e(tmp_path / "hint", python, expect="install-hint")
    assert code == 0, log[-3000:]
    shown = " ".join(result["notifications"])
    assert f"{python} -m pip install paramlens" in shown
    assert (tmp_path / "hint" / "02-install-hint.png").exists()
