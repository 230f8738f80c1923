"""What `paramlens check` reports for each file: its analysis, the project's configuration
applied (enabled checks, budgets), and with `--diff` only what touches changed lines."""

from __future__ import annotations

import ast
import functools
import multiprocessing
import os
import stat
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from paramlens.engine.evaluate.entries import package_root
from paramlens.engine.in_context import apply_evaluation, evaluate_texts
from paramlens.engine.notebook import Notebook, is_notebook, read_notebook, reworded
from paramlens.engine.positions import LineIndex
from paramlens.engine.reading import SourceError, decode_source, digest, read_regular_bytes
from paramlens.engine.results import FileReport, Span
from paramlens.review.cache import Cache, CacheUnavailable, error_digest, recording
from paramlens.review.checks import review_diagnostics
from paramlens.review.config import ProjectConfig, folder_config
from paramlens.review.formats.findings import Finding, file_findings
from paramlens.review.git_diff import changed_lines, repository_root
from paramlens.review.sources import MAX_BYTES, collect_paths, report_for


class RunProgress(Protocol):
    """What a run tells a progress display (review/progress.py draws one on a terminal)."""

    def start(self, total: int) -> None: ...
    def advance(self, count: int) -> None: ...
    def finish(self) -> None: ...


CHUNK = 8  # files per task: small enough that the last tasks balance across the processes


@dataclass
class ReviewedFile:
    report: FileReport  # diagnostics already reviewed; layers limited to the diff if asked
    config: ProjectConfig
    display_path: str  # relative to the repository root (or the working folder)
    notebook: Notebook | None = None  # a notebook's cells: the report's lines are its program's

    def findings(self) -> list[Finding]:
        return file_findings(self.report, self.display_path, self.report.diagnostics,
                             "layer-params" in self.config.checks, self.notebook)


def _touches(span: Span, lines: set[int]) -> bool:
    return any(n in lines for n in range(span.line, span.end_line + 1))


def analyse_and_evaluate(read: list[tuple[str, str | None, str | None]], texts: dict[str, str],
                         jobs: int, analysed: dict[int, FileReport] | None = None,
                         on_analysed: Callable[[int, FileReport], None] | None = None,
                         progress: RunProgress | None = None) -> list[FileReport]:
    """Each file's own analysis, and the program evaluated as a whole; with jobs > 1 the files'
    analyses run in jobs - 1 worker processes while this one evaluates, and once the evaluation
    is done this process takes the analyses no worker has started (the evaluation cannot be
    split, the analyses can: this way neither side waits idle for the other).

    `analysed`: the files (by index) whose own analysis is known already (the cache's); each
    other one is passed to `on_analysed` once analysed, before the evaluation is laid on it."""
    known = analysed or {}
    todo = [i for i in range(len(read)) if i not in known]
    pool = None
    if jobs > 1 and len(todo) > 1 and "fork" in multiprocessing.get_all_start_methods():
        pool = ProcessPoolExecutor(max_workers=jobs - 1,
                                   mp_context=multiprocessing.get_context("fork"))
    chunks = [[read[i] for i in todo[n:n + CHUNK]] for n in range(0, len(todo), CHUNK)]
    if progress is not None:
        progress.start(len(read))
        progress.advance(len(known))
    try:
        pending: list[Future[list[FileReport]]] = \
            [pool.submit(_reports, chunk) for chunk in chunks] if pool is not None else []
        if progress is not None and pool is not None:
            for chunk, future in zip(chunks, pending, strict=True):
                future.add_done_callback(_advancing(progress, len(chunk)))
        # The trees the evaluation parsed: the analyses this process does need not parse again
        # (a worker's, forked before, parse their own).
        trees: dict[str, list[ast.stmt]] = {}
        evaluation = evaluate_texts(dict(texts), trees)
        if pool is not None:
            # The workers take chunks from the front; this process now takes them from the back,
            # one at a time, until it reaches one a worker has started. (Taking them in order
            # would chase the workers: each wait lets them queue the next chunk first.)
            local: dict[int, list[FileReport]] = {}
            for n in reversed(range(len(chunks))):
                if not pending[n].cancel():
                    break
                local[n] = _reports(chunks[n], trees)
                if progress is not None:
                    progress.advance(len(chunks[n]))
            fresh: list[FileReport] = []
            for n, future in enumerate(pending):
                fresh += local[n] if n in local else future.result()
        else:
            fresh = []
            for chunk in chunks:
                fresh += _reports(chunk, trees)
                if progress is not None:
                    progress.advance(len(chunk))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    analyses = iter(fresh)
    reports = [known[i] if i in known else next(analyses) for i in range(len(read))]
    for report in reports:
        text = texts.get(report.path)
        if report.index is None and report.error is None and text is not None:
            report.index = LineIndex(text)
    if on_analysed is not None:
        for i in todo:
            on_analysed(i, reports[i])
    if evaluation is not None:
        for report in reports:
            if report.error is None:
                apply_evaluation(report, evaluation)
    return reports


def _advancing(progress: RunProgress, count: int) -> Callable[[Future[list[FileReport]]], None]:
    def done(future: Future[list[FileReport]]) -> None:
        if not future.cancelled():  # a cancelled chunk is analysed here, and counted then
            progress.advance(count)
    return done


def _reports(items: Iterable[tuple[str, str | None, str | None]],
             trees: dict[str, list[ast.stmt]] | None = None) -> list[FileReport]:
    reports = []
    for path, text, error in items:
        report = report_for(path, text, error, trees.get(path) if trees is not None else None)
        if multiprocessing.parent_process() is not None:
            report.index = None  # rebuilt from the text in the parent: cheaper than sending it
        reports.append(report)
    return reports


def read_bytes(path: str) -> tuple[bytes | None, str | None, str]:
    """(bytes, error, content digest) of a file to check: regular files only, the size capped
    before reading (engine/reading.py). Not decoded yet: a run the cache answers never needs
    the text."""
    try:
        data = read_regular_bytes(path, MAX_BYTES)
    except SourceError as error:
        return None, str(error), error_digest(str(error))
    return data, None, digest(data)


def decoded_file(path: str, data: bytes | None, error: str | None
                 ) -> tuple[str | None, str | None, Notebook | None]:
    """(text, why it has none, its notebook): the text by the file's encoding cookie, or a
    notebook's code cells as one program (and the notebook, to map the report's lines back)."""
    if data is None:
        return None, error, None
    try:
        if is_notebook(path):
            notebook = read_notebook(data)
            return notebook.text, None, notebook
        return decode_source(data), None, None
    except SourceError as failure:
        return None, str(failure), None


def decoded(data: bytes | None, error: str | None, path: str = "") -> tuple[str | None, str | None]:
    """The text by the file's encoding cookie (a notebook's: its code cells as one program), or
    why it has none."""
    return decoded_file(path, data, error)[:2]


def read_checked(path: str) -> tuple[str | None, str | None, str]:
    """(text, error, content digest) of a file to check."""
    data, error, content = read_bytes(path)
    return (*decoded(data, error, path), content)


@dataclass
class Plan:
    """The files chosen for a run, read and hashed, and what the cache knows of them."""

    cwd: Path
    root: Path  # the repository root (or the working folder): display paths are relative to it
    chosen: list[tuple[Path, ProjectConfig, str]]
    raw: list[tuple[str, bytes | None, str | None]]  # each file's bytes, or why it has none
    digests: list[str]  # each file's content digest
    changed: dict[Path, set[int]] | None
    cache: Cache | None = None
    key: str = ""
    roots: list[str] = field(default_factory=list)
    # the token of the cache's reports for these files, if every input they rest on is unchanged
    # (after a run that stored them: theirs)
    token: str | None = None

    @property
    def holds(self) -> bool:
        return self.token is not None

    @functools.cached_property
    def decoded(self) -> list[tuple[str | None, str | None, Notebook | None]]:
        """(text, error, notebook) of each file (read_notebook runs once per notebook)."""
        return [decoded_file(path, data, error) for path, data, error in self.raw]

    @functools.cached_property
    def read(self) -> list[tuple[str, str | None, str | None]]:
        """(path, text, error) of each file, decoded."""
        return [(path, text, error) for (path, _data, _error), (text, error, _notebook)
                in zip(self.raw, self.decoded, strict=True)]

    def reports(self, jobs: int, progress: RunProgress | None = None) -> list[FileReport]:
        texts = {path: text for path, text, _error in self.read if text is not None}
        if self.cache is not None and self.token is not None:
            found = self.cache.reports(self.key, self.token, texts)
            if found is not None and [r.path for r in found] == [p for p, _t, _e in self.read]:
                return found
        if self.cache is None:
            return analyse_and_evaluate(self.read, texts, jobs, progress=progress)
        cache = self.cache
        cache.prepare()
        # Each file's own analysis rests on its text and path alone: known from any earlier
        # run, whatever else changed. The evaluation is what the run entry above keeps.
        keys = [cache.analysis_key(path, content) for (path, _d, _e), content
                in zip(self.raw, self.digests, strict=True)]
        analysed: dict[int, FileReport] = {}
        for i, (_path, text, _error) in enumerate(self.read):
            found = cache.analysis(keys[i], text) if text is not None else None
            if found is not None:
                analysed[i] = found
        fresh: list[tuple[str, bytes]] = []

        def keep(i: int, report: FileReport) -> None:
            # encoded now: the evaluation's results are laid on the report in place next
            encoded = cache.encode_analysis(report) if self.read[i][1] is not None else None
            if encoded is not None:
                fresh.append((keys[i], encoded))

        try:
            with recording() as recorded:
                reports = analyse_and_evaluate(self.read, texts, jobs, analysed, keep, progress)
        except CacheUnavailable:
            return analyse_and_evaluate(self.read, texts, jobs, progress=progress)
        cache.store_analyses(fresh)
        self.token = cache.store_run(self.key, recorded, reports)
        return reports

    def review(self, jobs: int, progress: RunProgress | None = None) -> list[ReviewedFile]:
        reports = self.reports(jobs, progress)
        reviewed: list[ReviewedFile] = []
        for (absolute, config, _path), report, (_text, _error, notebook) in \
                zip(self.chosen, reports, self.decoded, strict=True):
            report.diagnostics = review_diagnostics(report, config)
            if notebook is not None:
                reworded(report, notebook)
            if self.changed is not None:
                lines = self.changed[absolute]
                if notebook is not None:  # git's lines are the notebook file's
                    lines = notebook.program_lines(lines)
                report.layers = [r for r in report.layers if _touches(r.span, lines)]
                report.diagnostics = [d for d in report.diagnostics if _touches(d.span, lines)]
                report.models = [m for m in report.models if _touches(m.span, lines)]
            reviewed.append(ReviewedFile(report, config, self.display(absolute), notebook))
        return reviewed

    def display(self, absolute: Path) -> str:
        """A chosen file's path as the reports show it: from the repository root if inside."""
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            return os.path.relpath(absolute, self.cwd)


def _resolve(path: str, folders: dict[str, str]) -> str:
    """os.path.realpath(path), resolving each folder once: a file that is not a link resolves
    to its folder's resolution and its name (one lstat instead of one per path component).
    realpath, not Path.resolve: a symlink loop is no traceback."""
    folder, name = os.path.split(os.path.abspath(path))
    try:
        if not name or stat.S_ISLNK(os.lstat(path).st_mode):
            return os.path.realpath(path)
    except OSError:
        return os.path.realpath(path)  # missing: its error is reported when it is read
    resolved = folders.get(folder)
    if resolved is None:
        resolved = folders[folder] = os.path.realpath(folder)
    return os.path.join(resolved, name)


def plan(arguments: list[str], diff: str | None, cwd: Path, cache: Cache | None = None) -> Plan:
    """Raises ConfigError or DiffError for what the user must fix first."""
    root = repository_root(cwd) or cwd
    changed = changed_lines(diff, cwd) if diff is not None else None
    chosen: list[tuple[Path, ProjectConfig, str]] = []
    configs: dict[Path, ProjectConfig] = {}
    folders: dict[str, str] = {}
    for path in collect_paths(arguments):
        absolute = Path(_resolve(path, folders))
        config = folder_config(absolute.parent, configs)
        if not config.wants_resolved(absolute):
            continue
        if changed is not None and absolute not in changed:
            continue
        chosen.append((absolute, config, path))
    raw: list[tuple[str, bytes | None, str | None]] = []
    digests: list[str] = []
    keyed: list[tuple[str, str, str, str]] = []
    known: dict[str, str] = {}
    roots: list[str] = []
    packages: dict[str, tuple[str, str]] = {}
    for _absolute, _config, path in chosen:
        data, error, content = read_bytes(path)
        raw.append((path, data, error))
        digests.append(content)
        absolute = os.path.abspath(path)
        known.setdefault(absolute, content)
        if cache is None:
            continue
        # where the evaluator's imports start from, and the file's module name there: both
        # follow from the __init__.py files above it (one look per folder)
        folder = os.path.dirname(absolute)
        if folder not in packages:
            packages[folder] = package_root(os.path.join(folder, "_"))
        package_folder, dotted = packages[folder]
        keyed.append((path, content, package_folder, dotted))
        if package_folder not in roots:
            roots.append(package_folder)
    found = Plan(cwd, root, chosen, raw, digests, changed)
    if cache is not None:
        found.cache = cache
        found.roots = [*roots, *([os.getcwd()] if os.getcwd() not in roots else [])]
        found.key = Cache.run_key(cwd, keyed)
        found.token = cache.holding(found.key, known, found.roots)
    return found


def review(arguments: list[str], diff: str | None, cwd: Path, jobs: int = 1,
           cache: Cache | None = None) -> list[ReviewedFile]:
    """Raises ConfigError or DiffError for what the user must fix first."""
    return plan(arguments, diff, cwd, cache).review(jobs)
