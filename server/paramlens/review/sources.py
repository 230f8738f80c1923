"""Finding and reading the files to check, with a clear message for each one that cannot be read."""

from __future__ import annotations

import os
from pathlib import Path

from paramlens.engine.analysis import analyze_source
from paramlens.engine.results import FileReport

MAX_BYTES = 20_000_000  # larger "Python" files are generated data, not model code


def collect_paths(arguments: list[str]) -> list[str]:
    """Files as given, folders walked for `.py` files (sorted, hidden folders skipped)."""
    paths: list[str] = []
    for argument in arguments:
        if os.path.isdir(argument):
            for root, dirs, files in os.walk(argument):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                paths += [os.path.join(root, f) for f in sorted(files) if f.endswith(".py")]
        else:
            paths.append(argument)
    return paths


def read_source(path: str) -> tuple[str | None, str | None]:
    """The file's text, or a message saying why it cannot be read."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            return None, f"too large to analyse ({size:,} bytes)"
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return None, "no such file"
    except IsADirectoryError:
        return None, "is a directory"
    except OSError as error:
        return None, f"cannot be read: {error.strerror or error}"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 (byte {error.start}: {data[error.start:error.start + 1]!r})"


def check_file(path: str) -> FileReport:
    text, error = read_source(path)
    return report_for(path, text, error)


def report_for(path: str, text: str | None, error: str | None) -> FileReport:
    if text is None:
        return FileReport(path, error=error)
    try:
        return analyze_source(text, path)
    except Exception as failure:  # a bug of ours must not hide the other files' results
        return FileReport(path, error=f"internal error while analysing: {failure!r}")
