"""Writing a rewritten source back: only over the bytes that were read, and whole or not at all.
`check --fix` and `annotate` both write this way."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from paramlens.engine.reading import SourceError, read_regular_bytes
from paramlens.review.sources import MAX_BYTES


def replace_file(path: str | Path, read: bytes, data: bytes) -> str | None:
    """Write `data` over the file if it still holds `read` (an editor may have saved it since:
    then it is left alone). Through a temporary file renamed over it, so that a reader never
    sees half a file; the mode is kept; through a symlink, its target is written. None, or
    what went wrong in words."""
    try:
        if read_regular_bytes(str(path), MAX_BYTES) != read:
            return "it changed since it was read"
    except SourceError as error:
        return str(error)
    target = os.path.realpath(path)  # a link stays a link: its target gets the new text
    try:
        mode = os.stat(target).st_mode & 0o7777
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(target),
                                             prefix=f".{os.path.basename(target)}.",
                                             suffix=".paramlens")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        return f"could not write it ({error.strerror or error})"
    return None
