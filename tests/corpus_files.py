"""The shared corpus' recorded files (torchvision and keras sources), unpacked where the scorer
keeps them; fetched once with its own `score.py` (pip download) when they are missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
CORPUS = Path(os.environ.get("PARAMLENS_CORPUS", ROOT.parent / "shared" / "corpus"))
CACHE = Path(os.environ.get("CORPUS_CACHE", Path.home() / ".cache" / "layer-corpus"))
TRUTHS = ("torchvision-0.29.1", "keras-3.15.1")


def recorded_corpus() -> dict[str, tuple[Path, list[str]]]:
    """Each distribution's unpacked folder and its recorded files. score.py fetches what is
    missing; once per truth file, as it stops at the first one when the command (`true`) prints
    no JSON."""
    found: dict[str, tuple[Path, list[str]]] = {}
    for name in TRUTHS:
        truth_file = CORPUS / f"{name}.json"
        if not truth_file.exists():
            continue
        truth = json.loads(truth_file.read_text())
        root = CACHE / truth["distribution"].replace("==", "-")
        files = sorted(truth["files"])
        if not all((root / p).exists() for p in files):
            subprocess.run([sys.executable, str(CORPUS / "score.py"), str(truth_file), "--", "true"],
                           capture_output=True, timeout=900)
        if all((root / p).exists() for p in files):
            found[name] = (root, files)
    return found
