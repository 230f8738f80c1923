"""`paramlens check --fix`: every proven fix of the reviewed files written into the files.

A file is written only if its bytes are still the ones the run read (compared, not assumed),
in its own encoding, and only with a text that parses; all of its fixes go in one pass
(fixes.apply_fixes). Refactors (make-explicit) are never applied here: they are offered in the
editor, where the user asks for them. A fix that changes what the model holds (bias=False,
nn.ModuleList) is written only with --unsafe-fixes, as ruff does.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from paramlens.review.fixes import apply_fixes
from paramlens.review.registry import CHECKS
from paramlens.review.review import Plan, ReviewedFile
from paramlens.review.rewrite_file import replace_file


@dataclass(frozen=True)
class FixedFinding:
    path: str  # as the report shows it
    line: int
    code: str
    title: str

    def words(self) -> str:
        return f"{self.path}:{self.line}: {self.code}: {self.title}"


@dataclass
class FixRun:
    fixed: list[FixedFinding] = field(default_factory=list)
    files: int = 0  # files written
    problems: list[str] = field(default_factory=list)  # files left as they were, and why
    unsafe_left: int = 0  # fixes not written without --unsafe-fixes

    def summary(self) -> list[str]:
        """ruff's wording: each fix, then the count, then the fixes left for --unsafe-fixes."""
        lines = [f.words() for f in self.fixed]
        if self.fixed:
            errors = "error" if len(self.fixed) == 1 else "errors"
            files = "file" if self.files == 1 else "files"
            lines.append(f"Fixed {len(self.fixed)} {errors} in {self.files} {files}.")
        if self.unsafe_left:
            fixes = "fix is" if self.unsafe_left == 1 else "fixes are"
            lines.append(f"{self.unsafe_left} more {fixes} available with --unsafe-fixes "
                         "(they change what the model holds).")
        return lines


def fix_files(planned: Plan, files: list[ReviewedFile], unsafe: bool = False) -> FixRun:
    """The safe fixes (registry.Check.safe_fix), and with `unsafe` the others too."""
    run = FixRun()
    for (absolute, _config, _path), (_p, data, _error), (_q, text, _e), reviewed in \
            zip(planned.chosen, planned.raw, planned.read, files, strict=True):
        proven = [d for d in reviewed.report.diagnostics if d.fix is not None]
        found = [d for d in proven if unsafe or CHECKS[d.code].safe_fix]
        run.unsafe_left += len(proven) - len(found)
        if not found or data is None or text is None:
            continue
        shown = reviewed.display_path
        if reviewed.notebook is not None:
            # its text is the cells' program, not the file: writing it would destroy the JSON
            run.problems.append(f"{shown}: not fixed: --fix does not write notebooks")
            continue
        result = apply_fixes(text, [d.fix for d in found if d.fix is not None])
        if result is None or not result.applied:
            run.problems.append(f"{shown}: no fix written (libcst could not rewrite it)")
            continue
        problem = _write(absolute, data, text, result.text)
        if problem is not None:
            run.problems.append(f"{shown}: not fixed: {problem}")
            continue
        run.files += 1
        run.fixed += [FixedFinding(shown, d.span.line, d.code, d.fix.title) for d in found
                      if d.fix is not None and d.fix in result.applied]
    return run


def _write(path: Path, read: bytes, old: str, new: str) -> str | None:
    """Write `new` over the file if it still holds the bytes read; why not, otherwise."""
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(read).readline)[0]
        if old.encode(encoding) != read:
            return "its text would not encode back to the bytes read"
        data = new.encode(encoding)
    except (SyntaxError, LookupError, UnicodeError):
        return "its encoding cannot write the fixed text"
    return replace_file(path, read, data)
