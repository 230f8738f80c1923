"""`paramlens annotate`: the files chosen as `check` chooses them, the counts `check` reports,
each file's comments written in place (or, with `--check`, only compared), and what changed.

Imported only when the command runs: it loads libcst, which `check` and the server never need.
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from paramlens.engine.results import FileReport
from paramlens.review.annotate import Annotated, Changes, annotate_source, worth_parsing
from paramlens.review.cache import Cache, cache_folder
from paramlens.review.config import ConfigError
from paramlens.review.git_diff import DiffError
from paramlens.review.review import plan
from paramlens.review.rewrite_file import replace_file
from paramlens.review.rewriting import Unparsable


@dataclass(frozen=True)
class Request:
    paths: list[str]
    check: bool  # compare only: exit 1 if a file would change
    remove: bool  # take our comments out instead of writing them
    jobs: int
    use_cache: bool


def run_annotate(request: Request) -> int:
    """0: done (or, with --check, nothing to change); 1: --check found files to change;
    2: a usage problem, or a file that cannot be read, parsed or written (the others are done)."""
    gc.set_threshold(100_000, 50, 50)  # as `check`: many objects, few freed until the end
    cwd = Path.cwd()
    cache = Cache(cache_folder(cwd)) if request.use_cache else None
    try:
        planned = plan(request.paths, None, cwd, cache)
    except (ConfigError, DiffError) as error:
        print(f"paramlens: {error}", file=sys.stderr)
        return 2
    if not planned.chosen:
        print("paramlens: no Python files found in " + ", ".join(request.paths), file=sys.stderr)
        return 2
    if request.remove:
        # Taking our comments out needs no count: the program is not evaluated.
        reports = [FileReport(path, error=error) for path, _data, error in planned.raw]
    else:
        # The counts exactly as `check` has them: the same files, the whole program evaluated.
        reports = [done.report for done in planned.review(request.jobs)]
    changed: list[str] = []
    unchanged = failed = 0
    todo: list[tuple[Path, str, bytes, FileReport]] = []
    seen: set[Path] = set()
    for (absolute, _config, _path), (_read, data, _error), report, (_t, _e, notebook) in zip(
            planned.chosen, planned.raw, reports, planned.decoded, strict=True):
        if absolute in seen:
            continue  # named twice, or through a link: written once (paths are resolved)
        seen.add(absolute)
        shown = planned.display(absolute)
        if notebook is not None:
            # a notebook's code lives in JSON strings: no trailing comment of ours goes there
            print(f"paramlens: {shown}: a notebook: annotate writes .py files only; left "
                  "untouched", file=sys.stderr)
            continue
        if report.error is not None or data is None:
            _complain(shown, f"{report.error}; left untouched")
            failed += 1
            continue
        todo.append((absolute, shown, data, report))
    outcomes = codemod_all([(data, report) for _a, _s, data, report in todo], request.remove,
                           request.jobs)
    for (absolute, shown, data, _report), outcome in zip(todo, outcomes, strict=True):
        if isinstance(outcome, str):
            _complain(shown, f"{outcome}; left untouched")
            failed += 1
            continue
        if outcome.data is None:
            unchanged += 1
            continue
        if not request.check:
            problem = replace_file(absolute, data, outcome.data)
            if problem is not None:
                _complain(shown, f"{problem}; left untouched")
                failed += 1
                continue
        changed.append(shown)
        print(_file_line(shown, outcome, request))
    print(_summary(len(changed), unchanged, request))
    if failed:
        return 2
    return 1 if request.check and changed else 0


# What the forked workers run on: set before the pool forks, so that they inherit the reports
# rather than receive them pickled, and read by index.
_pending: list[tuple[bytes, FileReport]] = []
_removing = False


def _codemod(index: int) -> Annotated | str:
    data, report = _pending[index]
    try:
        return annotate_source(data, report, _removing)
    except Unparsable as error:
        return str(error)


def codemod_all(items: list[tuple[bytes, FileReport]], remove: bool, jobs: int
                ) -> list[Annotated | str]:
    """Each file's outcome, or why libcst cannot read it, in order. The files are independent,
    and libcst parses in Python as fast as one core goes (a few times `check`'s own reading of
    the same file): with jobs > 1 and several files to parse, they are spread over that many
    forked processes."""
    global _pending, _removing
    heavy = [i for i, (data, report) in enumerate(items) if worth_parsing(data, report, remove)]
    _pending, _removing = items, remove
    try:
        if jobs < 2 or len(heavy) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return [_codemod(i) for i in range(len(items))]
        with ProcessPoolExecutor(max_workers=min(jobs, len(heavy)),
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            done = dict(zip(heavy, pool.map(_codemod, heavy), strict=True))
    finally:
        _pending = []
    return [done.get(i, Annotated(None, Changes())) for i in range(len(items))]


def _complain(shown: str, message: str) -> None:
    print(f"paramlens: {shown}: {message}", file=sys.stderr)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _file_line(shown: str, outcome: Annotated, request: Request) -> str:
    c = outcome.changes
    if request.remove:
        verb = "would remove" if request.check else "removed"
        return f"{verb} {_plural(c.removed, 'comment')} from {shown}"
    parts = [f"{c.written} {'missing' if request.check else 'written'}" if c.written else "",
             f"{c.refreshed} {'stale' if request.check else 'refreshed'}" if c.refreshed else "",
             f"{c.removed} {'stale' if request.check else 'removed'} (no count any more)"
             if c.removed else ""]
    verb = "would annotate" if request.check else "annotated"
    return f"{verb} {shown} ({', '.join(p for p in parts if p)})"


def _summary(changed: int, unchanged: int, request: Request) -> str:
    files = _plural(changed, "file")
    if request.remove:
        done = f"{files} would be cleaned" if request.check else f"{files} cleaned"
        return f"{done}, {unchanged} left as they were"
    if request.check:
        if changed:
            return f"{files} would be annotated, {unchanged} already annotated"
        return f"{_plural(unchanged, 'file')} already annotated"
    return f"{files} annotated, {unchanged} left unchanged"


