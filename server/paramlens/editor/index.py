"""Who imports whom across the workspace, read from import lines only, never by running code.

Hovering a helper in `blocks.py` should show the counts that the models in `model.py` build with
it. The evaluator reaches `blocks.py` from `model.py` by following imports; this index answers the
other direction: which files import a module, so that their entry points are evaluated too.

Each file's imports are read again only when its modification time changes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from paramlens.engine.evaluate.entries import package_root
from paramlens.engine.reading import try_read_source

MAX_FILES = 5_000  # a workspace larger than this is indexed in part (the first files found)
MAX_BYTES = 1_000_000
_SKIPPED = {"node_modules", "__pycache__", "site-packages", "dist", "build"}
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)"
                     r"|import[ \t]+([^\n#;]*))", re.MULTILINE)


@dataclass
class _Entry:
    mtime: float
    module: str
    imports: set[str] = field(default_factory=set)


class WorkspaceIndex:
    def __init__(self, roots: list[str]) -> None:
        self.roots = [os.path.abspath(r) for r in roots]
        self.files: dict[str, _Entry] = {}
        self.dirty = True  # files may have changed since the index last looked

    def python_files(self) -> list[str]:
        found: list[str] = []
        for root in self.roots:
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED)
                found += [os.path.join(folder, f) for f in sorted(files) if f.endswith(".py")]
                if len(found) >= MAX_FILES:
                    return found[:MAX_FILES]
        return found

    def refresh(self) -> None:
        """Look at the workspace again, if the client said files changed since the last look."""
        if not self.dirty:
            return
        self.dirty = False
        seen = set()
        for path in self.python_files():
            seen.add(path)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            entry = self.files.get(path)
            if entry is not None and entry.mtime == stat.st_mtime:
                continue
            if stat.st_size > MAX_BYTES:
                continue
            text, _why = try_read_source(path)  # regular files only, the cap checked first
            if text is None:
                continue
            module = package_root(path)[1]
            self.files[path] = _Entry(stat.st_mtime, module, imported_modules(text, module))
        for gone in set(self.files) - seen:
            del self.files[gone]

    def importers(self, path: str) -> list[str]:
        """The workspace files that import the module at `path` (or a name from it)."""
        self.refresh()
        module = package_root(os.path.abspath(path))[1]
        return sorted(p for p, e in self.files.items()
                      if p != os.path.abspath(path) and module in e.imports)

    def files_changed(self) -> None:
        self.dirty = True

    def forget(self, path: str) -> None:
        """The file at `path` is read again at the next refresh, whatever its stat says."""
        self.files.pop(path, None)


def imported_modules(text: str, module: str) -> set[str]:
    """Every module an import line names, relative imports resolved against `module`, and for
    `from a import b` both `a` and `a.b` (b may be a submodule)."""
    package = module.rpartition(".")[0]
    found: set[str] = set()
    for match in _IMPORT.finditer(text):
        source, names, plain = match.groups()
        if plain:
            for item in plain.split(","):
                name = item.strip().split(" ")[0]
                if name:
                    found.add(name)
            continue
        level = len(source) - len(source.lstrip("."))
        base = source.lstrip(".")
        if level:
            parts = package.split(".") if package else []
            parts = parts[:len(parts) - (level - 1)] if level - 1 <= len(parts) else []
            base = ".".join([*parts, base] if base else parts)
        if base:
            found.add(base)
        for item in names.replace("(", " ").replace(")", " ").split(","):
            name = item.strip().split(" ")[0]
            if name and name != "*":
                found.add(f"{base}.{name}" if base else name)
    return found
