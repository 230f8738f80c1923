"""The lines `git diff -U0 REV` says changed, per file: what `--diff REV` reports on.

Hardened against what a pull request can put in front of it:
- the revision goes after `--end-of-options`, and one starting with `-` is refused, so that
  `--diff=--output=/tmp/x` cannot become an option of git's;
- the changed files are listed with `-z` (names as raw bytes, NUL-separated), so a name with a
  space, a tab, a newline, a quote or non-ASCII characters is never dropped. The hunks come from
  the patch, whose headers git C-quotes; they are unquoted here, and a listed file whose hunks
  could not be matched that way is diffed on its own, so a changed file is never skipped;
- user settings that change the patch's shape (prefixes, relative paths, external diff
  drivers, textconv, colour) are overridden on the command line.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
# Options every patch is asked with, so the user's git config cannot change what we parse.
_PATCH = ["-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--no-relative",
          "--src-prefix=a/", "--dst-prefix=b/"]
_ESCAPES = {ord("a"): 7, ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("v"): 11, ord("f"): 12,
            ord("r"): 13, ord('"'): 34, ord("\\"): 92}


class DiffError(Exception):
    pass


def _git(args: list[str], cwd: Path) -> bytes:
    # --literal-pathspecs: a file name given after `--` is that file, never a glob or magic.
    command = ["git", "--literal-pathspecs", *args]
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, timeout=120)
    except FileNotFoundError as error:
        raise DiffError("--diff needs git, and git is not on PATH") from error
    except subprocess.TimeoutExpired as error:
        raise DiffError(f"git {' '.join(args)}: no answer in 120 s") from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or "failed"
        raise DiffError(f"git {' '.join(args)}: {message}")
    return done.stdout


def repository_root(cwd: Path) -> Path | None:
    try:
        out = _git(["rev-parse", "--show-toplevel"], cwd)
    except DiffError:
        return None
    return Path(os.fsdecode(out.rstrip(b"\n")))


def check_revision(rev: str) -> None:
    """Refuse what git could read as an option, or cannot take as an argument at all."""
    if not rev:
        raise DiffError("--diff: the revision is empty")
    if rev.startswith("-"):
        raise DiffError(f"--diff {rev}: a revision cannot start with '-'")
    if "\0" in rev:
        raise DiffError("--diff: the revision contains a NUL byte")


def _unquote(name: bytes) -> bytes:
    """A path as a patch header writes it: C-quoted (`"b/caf\\303\\251.py"`) when it holds
    unusual bytes, else bare; a bare name with a space ends with a tab git adds."""
    if not name.startswith(b'"'):
        return name[:-1] if name.endswith(b"\t") else name
    out = bytearray()
    i, end = 1, len(name) - 1 if name.endswith(b'"') else len(name)
    while i < end:
        byte = name[i]
        if byte == 92 and i + 1 < end:  # a backslash
            following = name[i + 1]
            if 48 <= following <= 55:  # \ooo, an octal byte
                out.append(int(name[i + 1:i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(following, following))
            i += 2
            continue
        out.append(byte)
        i += 1
    return bytes(out)


def _hunks(patch: bytes) -> dict[bytes, set[int]]:
    """{path relative to the root, as bytes: changed lines} from a `-U0` patch. A header is read
    only between `diff --git` and the first hunk: an added line `++ x` is `+++ x` in the patch."""
    found: dict[bytes, set[int]] = {}
    current: set[int] | None = None
    in_header = False
    for line in patch.split(b"\n"):
        if line.startswith(b"diff --git "):
            in_header, current = True, None
        elif in_header and line.startswith(b"+++ "):
            target = _unquote(line[4:])
            current = None if target == b"/dev/null" or not target.startswith(b"b/") else \
                found.setdefault(target[2:], set())
        elif line.startswith(b"@@"):
            in_header = False
            match = _HUNK.match(line)
            if current is not None and match:
                start = int(match.group(1))
                count = int(match.group(2)) if match.group(2) is not None else 1
                # A pure deletion marks the line before it, so that a call that lost an
                # argument line still counts as changed.
                current.update(range(start, start + count) if count else (max(start, 1),))
    return found


def changed_lines(rev: str, cwd: Path) -> dict[Path, set[int]]:
    """{absolute path: changed line numbers in the working tree}, for every file that exists
    after the change."""
    check_revision(rev)
    root = repository_root(cwd)
    if root is None:
        raise DiffError(f"--diff {rev}: {cwd} is not inside a git repository")
    listed = _git(["diff", "-z", "--name-only", "--no-renames", "--no-relative",
                   "--diff-filter=d", "--end-of-options", rev, "--"], root)
    names = [n for n in listed.split(b"\0") if n]
    hunks = _hunks(_git(["diff", *_PATCH, "--end-of-options", rev, "--"], root))
    changed: dict[Path, set[int]] = {}
    for name in names:
        lines = hunks.get(name)
        if lines is None:
            # Not matched in the patch (a mode change or a binary has no hunks; a header we
            # could not read would be a bug): ask for this file alone, by its literal name.
            one = _git(["diff", *_PATCH, "--end-of-options", rev, "--", os.fsdecode(name)], root)
            lines = next(iter(_hunks(one).values()), set())
        changed[(root / os.fsdecode(name)).resolve()] = lines
    return changed
