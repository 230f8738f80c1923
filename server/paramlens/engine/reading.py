"""Reading a source file from disk: the one way every part of paramlens does it.

A path named `x.py` can be anything: a FIFO (reading it blocks until a writer comes, forever in
CI), a character device (`/dev/zero` read without end), a directory, a file of gigabytes. So a
file is read only if it is a regular file, and only after its size is checked against a cap:
- `os.stat` first, so that a device or FIFO is never even opened (opening some devices acts);
- then `open` with O_NONBLOCK (a FIFO swapped in after the stat does not block the open) and
  `fstat` on the opened descriptor, so the checks hold for what is actually read;
- then at most cap + 1 bytes are read, in case the file grew after the fstat.

The bytes are decoded as Python decodes source: UTF-8 unless a BOM or a PEP 263 encoding
cookie says otherwise.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import stat
import threading
import tokenize
from collections.abc import Iterator
from contextlib import contextmanager

MAX_SOURCE_BYTES = 20_000_000  # larger "Python" files are generated data, not model code

# O_NONBLOCK does not exist on Windows, where FIFOs cannot carry a .py name on disk anyway.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))


class SourceError(Exception):
    """Why a file cannot be read as source, in words for the user (`no such file`, ...)."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "not a regular file (a FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file (a device)"
    if stat.S_ISSOCK(mode):
        return "not a regular file (a socket)"
    return "not a regular file"


def _size_error(size: int, max_bytes: int) -> SourceError:
    return SourceError(f"too large to analyse ({size:,} bytes; the limit is {max_bytes:,})")


def digest(data: bytes) -> str:
    """The content hash the `check` cache keys files by."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


_observing = threading.local()


@contextmanager
def observed_reads() -> Iterator[dict[str, str]]:
    """While the block runs, every read in this thread is recorded: absolute path -> the digest
    of the bytes read, or "!" and the message of why it was refused. The `check` cache keeps
    these as what an evaluation depended on, including the files it could not read."""
    seen: dict[str, str] = {}
    outer = getattr(_observing, "seen", None)
    _observing.seen = seen
    try:
        yield seen
    finally:
        _observing.seen = outer


def read_regular_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; else SourceError saying why not."""
    seen: dict[str, str] | None = getattr(_observing, "seen", None)
    if seen is None:
        return _read_regular_bytes(path, max_bytes)
    key = os.path.abspath(path)
    try:
        data = _read_regular_bytes(path, max_bytes)
    except SourceError as error:
        seen.setdefault(key, "!" + str(error))
        raise
    seen.setdefault(key, digest(data))
    return data


def _require_regular(status: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise SourceError(_kind(status.st_mode))
    if status.st_size > max_bytes:
        raise _size_error(status.st_size, max_bytes)


def _read_regular_bytes(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    try:
        _require_regular(os.stat(path), max_bytes)
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError as error:
        raise SourceError("no such file") from error
    except NotADirectoryError as error:
        raise SourceError("no such file (a folder on its path is a file)") from error
    except IsADirectoryError as error:
        raise SourceError("is a directory") from error
    except OSError as error:
        raise SourceError(f"cannot be read: {error.strerror or error}") from error
    try:
        # The path may have been swapped between the stat and the open.
        _require_regular(os.fstat(fd), max_bytes)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # it grew after the fstat
                raise _size_error(total, max_bytes)
        return b"".join(chunks)
    except OSError as error:
        raise SourceError(f"cannot be read: {error.strerror or error}") from error
    finally:
        os.close(fd)


def decode_source(data: bytes) -> str:
    """Python source bytes as text, by the BOM or encoding cookie (PEP 263), else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        # An unknown encoding, a cookie contradicting the BOM, or a first line that is not
        # UTF-8 (detect_encoding reads it as UTF-8 to look for a cookie): the last is the
        # common case, a Latin-1 file without a cookie, and is worded as such below.
        encoding = "utf-8"
        if _decodes(data, encoding):
            raise SourceError(f"bad encoding declaration: {error.msg}") from error
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        name = codecs.lookup(encoding).name
        shown = "UTF-8" if name in ("utf-8", "utf-8-sig") else encoding
        line = data.count(b"\n", 0, error.start) + 1
        raise SourceError(f"not {shown} (byte {error.start}, line {line}: "
                          f"{data[error.start:error.start + 1]!r})") from error


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def read_source_file(path: str | os.PathLike[str], max_bytes: int = MAX_SOURCE_BYTES) -> str:
    """A Python source file's text: a regular file under the cap, decoded as Python does.
    Raises SourceError with a message for the user otherwise."""
    return decode_source(read_regular_bytes(path, max_bytes))


def try_read_source(path: str | os.PathLike[str], max_bytes: int = MAX_SOURCE_BYTES
                    ) -> tuple[str | None, str | None]:
    """(text, None), or (None, why it cannot be read)."""
    try:
        return read_source_file(path, max_bytes), None
    except SourceError as error:
        return None, str(error)
