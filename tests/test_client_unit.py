"""The VS Code client's own logic (interpreter choice, settings to server options), with node's
test runner: `npm test` in client/."""

from __future__ import annotations

import re
import subprocess

from lsp_helpers import ROOT

CLIENT = ROOT / "client"


def test_client_unit_tests() -> None:
    if not (CLIENT / "node_modules" / "esbuild").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CLIENT,
                       check=True, capture_output=True, timeout=600)
    done = subprocess.run(["npm", "test"], cwd=CLIENT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    # every test the files declare ran and passed (none skipped by a filter or a broken import)
    declared = sum(len(re.findall(r"^test\(", path.read_text(), re.MULTILINE))
                   for path in (CLIENT / "test").glob("*.test.ts"))
    assert declared > 0
    assert "# fail 0" in done.stdout and f"# pass {declared}\n" in done.stdout, done.stdout
