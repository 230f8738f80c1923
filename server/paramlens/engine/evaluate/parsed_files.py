"""Files on disk as parsed statements: one way to read them, and a cache an editor keeps across
evaluations.

Each evaluation is a new Program. In `paramlens check` one Program serves every file of the
run, so each module is parsed once; in the editor each open document is evaluated on its own,
and with a package's files open each evaluation parsed the same modules again (35 torchvision
files open: a third of the server's time went to `ast.parse`). The cache holds a file's trees
by the version its owner gives for the file (modification time, size and the saves the client
reported): a file whose version moved is parsed again, never served from before.

Sharing trees between evaluations is safe because nothing changes a tree: what the engine keeps
on a node (`_paramlens_signature`, a function's locals, ...) is worked out from that node alone.
"""

from __future__ import annotations

import ast
import threading
from collections import OrderedDict
from collections.abc import Callable

from paramlens.engine.parse import parse_quietly
from paramlens.engine.reading import SourceError, read_source_file

MAX_FILE_BYTES = 2_000_000  # a module larger than this is not read (generated tables, data)
# Source bytes whose trees the cache keeps, least recently used let go first. A tree takes about
# 30 bytes of memory per byte of source: ~90 MB, more than the ~1.8 MB of modules that the
# torchvision corpus' model files read between them.
KEPT_BYTES = 3_000_000

Version = Callable[[str], str]
_UNREADABLE = (SourceError, OSError, UnicodeError, SyntaxError, ValueError, RecursionError,
               MemoryError)


def parse_source_file(path: str) -> list[ast.stmt] | None:
    """A module's statements; None where it cannot be read (not a regular file, over the cap,
    not decodable) or does not compile."""
    return _parsed(path, MAX_FILE_BYTES)[0]


def _parsed(path: str, max_bytes: int) -> tuple[list[ast.stmt] | None, int]:
    """The statements, and the length of the text they came from (0 if none was read)."""
    try:
        # regular files only, the cap checked before reading, decoded by the file's cookie
        text = read_source_file(path, max_bytes)
    except _UNREADABLE:
        return None, 0
    try:
        return parse_quietly(text), len(text)
    except _UNREADABLE:
        return None, len(text)


class ParsedFiles:
    """Statements of files on disk, kept while each file's version stands. Shared by the
    evaluations of one editor session, from its analysis and request threads. `max_bytes`: the
    largest file read (a module's cap by default; a file checked as an entry point has the
    larger cap of the files the user names)."""

    def __init__(self, version: Version, kept_bytes: int = KEPT_BYTES,
                 max_bytes: int = MAX_FILE_BYTES) -> None:
        self._version = version
        self._kept_bytes = kept_bytes
        self._max_bytes = max_bytes
        self._kept: OrderedDict[str, tuple[str, list[ast.stmt] | None, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def statements(self, path: str) -> list[ast.stmt] | None:
        version = self._version(path)
        with self._lock:
            found = self._kept.get(path)
            if found is not None and found[0] == version:
                self._kept.move_to_end(path)
                return found[1]
        statements, length = _parsed(path, self._max_bytes)
        if self._version(path) != version:
            return statements  # the file changed while it was read: not kept under either
        size = max(1, length)
        with self._lock:
            old = self._kept.pop(path, None)
            if old is not None:
                self._bytes -= old[2]
            self._kept[path] = (version, statements, size)
            self._bytes += size
            while self._bytes > self._kept_bytes and len(self._kept) > 1:
                _path, (_version, _statements, dropped) = self._kept.popitem(last=False)
                self._bytes -= dropped
        return statements

    def forget(self, path: str) -> None:
        with self._lock:
            old = self._kept.pop(path, None)
            if old is not None:
                self._bytes -= old[2]
