"""Finding and reading the files to check, with a clear message for each one that cannot be read."""

from __future__ import annotations

import ast
import os

from paramlens.engine.analysis import analyze_source
from paramlens.engine.notebook import is_notebook, read_notebook
from paramlens.engine.reading import (
    MAX_SOURCE_BYTES,
    SourceError,
    read_regular_bytes,
    try_read_source,
)
from paramlens.engine.results import FileReport

MAX_BYTES = MAX_SOURCE_BYTES
SOURCE_SUFFIXES = (".py", ".ipynb")


def collect_paths(arguments: list[str]) -> list[str]:
    """Files as given, folders walked for `.py` files and notebooks (sorted, hidden folders
    skipped).

    In a walk only regular files (or links to them) count: a FIFO, socket or device that
    happens to end in `.py` is not source, as git and ruff also pass such entries by. A path
    named on the command line is always reported, so that one of those gets its message."""
    paths: list[str] = []
    for argument in arguments:
        if os.path.isdir(argument):
            _walk(argument, paths)
        else:
            paths.append(argument)
    return paths


def _walk(top: str, paths: list[str]) -> None:
    """Depth first, each folder's files before its subfolders', with a stack rather than
    recursion so that a deep tree cannot exhaust Python's."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scanned:
                entries = sorted(scanned, key=lambda e: e.name)
        except OSError:
            continue  # an unreadable folder below the one named: as os.walk, pass it by
        dirs = []
        for entry in entries:
            try:
                # is_dir() without following links, as os.walk: no cycles through symlinks
                if entry.is_dir(follow_symlinks=False):
                    if not entry.name.startswith(".") and entry.name != "__pycache__":
                        dirs.append(entry.path)
                elif entry.name.endswith(SOURCE_SUFFIXES) and entry.is_file():
                    paths.append(entry.path)
            except OSError:
                continue
        stack += reversed(dirs)


def read_source(path: str) -> tuple[str | None, str | None]:
    """The file's text (a notebook's: its code cells as one program), or a message saying why
    it cannot be read (engine/reading.py: regular files only, size capped before reading,
    decoded by the file's encoding cookie)."""
    if not is_notebook(path):
        return try_read_source(path, MAX_BYTES)
    try:
        return read_notebook(read_regular_bytes(path, MAX_BYTES)).text, None
    except SourceError as error:
        return None, str(error)


def check_file(path: str) -> FileReport:
    text, error = read_source(path)
    return report_for(path, text, error)


def report_for(path: str, text: str | None, error: str | None,
               statements: list[ast.stmt] | None = None) -> FileReport:
    """`statements`: the text already parsed, when the caller has them."""
    if text is None:
        return FileReport(path, error=error)
    try:
        return analyze_source(text, path, statements)
    except Exception as failure:  # a bug of ours must not hide the other files' results
        return FileReport(path, error=f"internal error while analysing: {failure!r}")
