"""The lines `git diff -U0 REV` says changed, per file: what `--diff REV` reports on."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class DiffError(Exception):
    pass


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=120)
    except FileNotFoundError as error:
        raise DiffError("--diff needs git, and git is not on PATH") from error
    if done.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def repository_root(cwd: Path) -> Path | None:
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    except DiffError:
        return None


def changed_lines(rev: str, cwd: Path) -> dict[Path, set[int]]:
    """{absolute path: changed line numbers in the working tree}. A pure deletion marks the line
    before it, so a call that lost an argument line still counts as changed."""
    root = repository_root(cwd)
    if root is None:
        raise DiffError(f"--diff {rev}: {cwd} is not inside a git repository")
    output = _git(["diff", "-U0", "--no-color", "--no-ext-diff", rev, "--"], root)
    changed: dict[Path, set[int]] = {}
    current: set[int] | None = None
    for line in output.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            current = None if target == "/dev/null" else \
                changed.setdefault((root / target[2:]).resolve(), set())
        elif current is not None and (match := _HUNK.match(line)):
            start = int(match.group(1))
            count = int(match.group(2)) if match.group(2) is not None else 1
            current.update(range(start, start + count) if count else (max(start, 1),))
    return changed
