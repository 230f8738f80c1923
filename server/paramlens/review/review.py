"""What `paramlens check` reports for each file: its analysis, the project's configuration
applied (enabled checks, budgets), and with `--diff` only what touches changed lines."""

from __future__ import annotations

import ast
import functools
import multiprocessing
import os
import stat
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from paramlens.engine.evaluate.entries import Evaluation, package_root
from paramlens.engine.in_context import apply_evaluation, evaluate_parsed, parse_text
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
class _Work:
    """What a run's worker processes read. Set before each fork, so that a worker inherits it
    with the rest of this process's memory: a task names its files by index instead of carrying
    their texts (pickled into the task, and out again in the worker), and the trees this
    process parsed before forking are there too (pickling a tree costs more than parsing)."""

    read: list[tuple[str, str | None, str | None]]
    trees: dict[str, list[ast.stmt]]
    # called where each file's analysis is made, before any evaluation is laid on it
    on_analysed: Callable[[int, FileReport], None] | None


_WORK: _Work | None = None


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


def _pool(jobs: int) -> ProcessPoolExecutor:
    """jobs - 1 worker processes, forked at the first task submitted (not before: they inherit
    this process's memory as it is then)."""
    return ProcessPoolExecutor(max_workers=jobs - 1, mp_context=multiprocessing.get_context("fork"))


def analyse_and_evaluate(read: list[tuple[str, str | None, str | None]], texts: dict[str, str],
                         jobs: int, analysed: dict[int, FileReport] | None = None,
                         on_analysed: Callable[[int, FileReport], None] | None = None,
                         progress: RunProgress | None = None,
                         on_final: Callable[[int, FileReport], None] | None = None
                         ) -> list[FileReport]:
    """Each file's own analysis, and the program evaluated as a whole.

    The evaluation needs every file's tree in this process, and cannot be split; the analyses
    can. With jobs > 1, each file is parsed once, here, for both:
    - this process parses the files chunk by chunk; whenever the workers have nothing left,
      jobs - 1 new ones are forked, which inherit the trees parsed so far and analyse the
      chunks parsed since the last ones were given theirs (never a chunk not parsed yet: a
      worker forked at the start would parse each file again itself);
    - once every tree exists, the chunks no worker was given go to jobs - 1 last workers. This
      process evaluates meanwhile, then takes the chunks no worker has started from the back
      (neither side waits idle for the other), on the trees it parsed.

    `analysed`: the files (by index) whose own analysis is known already (the cache's); each
    other one is passed to `on_analysed` where it is analysed (in a worker, if one does it),
    before the evaluation is laid on it. `on_final`: called here with each report once the
    evaluation is laid on it, in no set order, as soon as it is: between the chunks this
    process analyses, so that what the caller does with each (storing, rendering) overlaps
    the workers' analyses instead of following them all."""
    global _WORK
    known = analysed or {}
    todo = [i for i in range(len(read)) if i not in known]
    chunks = [todo[n:n + CHUNK] for n in range(0, len(todo), CHUNK)]
    parallel = jobs > 1 and len(todo) > 1 and "fork" in multiprocessing.get_all_start_methods()
    _WORK = _Work(read, {}, on_analysed)
    pools: list[ProcessPoolExecutor] = []
    finished = _Finishing(read, texts, on_final, dict(known))
    if progress is not None:
        progress.start(len(read))
        progress.advance(len(known))
    try:
        pending: dict[int, Future[list[FileReport]]] = {}
        placed: set[int] = set()  # the chunks whose reports are in `finished`
        given = 0  # chunks[:given] are the workers'

        def hand_out(upto: int) -> None:
            """chunks[given:upto] to jobs - 1 workers forked now."""
            nonlocal given
            pool = _pool(jobs)
            pools.append(pool)
            for n in range(given, upto):
                pending[n] = pool.submit(_chunk_reports, chunks[n])
                if progress is not None:
                    pending[n].add_done_callback(_advancing(progress, len(chunks[n])))
            given = upto

        def place(n: int, reports: list[FileReport]) -> None:
            finished.place(chunks[n], reports)
            placed.add(n)

        def place_done() -> None:
            for n, future in pending.items():
                if n not in placed and future.done() and not future.cancelled():
                    place(n, future.result())

        trees, tried = _WORK.trees, set()
        for n, chunk in enumerate(chunks):
            _parse_into(trees, tried, [read[i][0] for i in chunk], texts)
            if parallel and all(future.done() for future in pending.values()):
                hand_out(n + 1)
        _parse_into(trees, tried, list(texts), texts)  # the files the cache knows: evaluated too
        if parallel and given < len(chunks):
            hand_out(len(chunks))
        finished.evaluated(evaluate_parsed({path: trees[path] for path in texts
                                            if path in trees}))
        # The workers take chunks from the front; this process now takes them from the back,
        # one at a time, until it reaches one a worker has started. (Taking them in order would
        # chase the workers: each wait lets them queue the next chunk first.)
        for n in reversed(range(len(chunks))):
            place_done()
            if n in pending and not pending[n].cancel():
                break
            place(n, _chunk_reports(chunks[n]))
            if progress is not None:
                progress.advance(len(chunks[n]))
        for n in range(len(chunks)):
            if n not in placed:
                place(n, pending[n].result())
    finally:
        _WORK = None
        for pool in pools:
            # with a join: a pool shut down without one leaves its workers waiting when the
            # process exits
            pool.shutdown(cancel_futures=True)
    return finished.all()


def _parse_into(trees: dict[str, list[ast.stmt]], tried: set[str], paths: list[str],
                texts: dict[str, str]) -> None:
    """The trees of `paths` not tried yet (a text Python refuses has none)."""
    for path in paths:
        if path in tried or path not in texts:
            continue
        tried.add(path)
        statements = parse_text(texts[path])
        if statements is not None:
            trees[path] = statements


class _Finishing:
    """The run's reports as they come in; each one, once the evaluation is there too, is
    finished: its line index rebuilt (a worker's report comes without one), the evaluation laid
    on it, and handed to `on_final`."""

    def __init__(self, read: list[tuple[str, str | None, str | None]], texts: dict[str, str],
                 on_final: Callable[[int, FileReport], None] | None,
                 known: dict[int, FileReport]) -> None:
        self.read, self.texts, self.on_final = read, texts, on_final
        self.reports: list[FileReport | None] = [known.get(i) for i in range(len(read))]
        self.ready = False
        self.evaluation: Evaluation | None = None

    def place(self, indices: list[int], reports: list[FileReport]) -> None:
        for i, report in zip(indices, reports, strict=True):
            self.reports[i] = report
            if self.ready:
                self._finish(i, report)

    def evaluated(self, evaluation: Evaluation | None) -> None:
        self.evaluation, self.ready = evaluation, True
        for i, report in enumerate(self.reports):
            if report is not None:
                self._finish(i, report)

    def _finish(self, i: int, report: FileReport) -> None:
        text = self.texts.get(report.path)
        if report.index is None and report.error is None and text is not None:
            report.index = LineIndex(text)
        if self.evaluation is not None and report.error is None:
            apply_evaluation(report, self.evaluation)
        if self.on_final is not None:
            self.on_final(i, report)

    def all(self) -> list[FileReport]:
        reports = [r for r in self.reports if r is not None]
        if len(reports) != len(self.read) or not self.ready:
            raise RuntimeError("a file's report is missing")  # a bug: every chunk is placed
        return reports


def _advancing(progress: RunProgress, count: int) -> Callable[[Future[list[FileReport]]], None]:
    def done(future: Future[list[FileReport]]) -> None:
        if not future.cancelled():  # a cancelled chunk is analysed elsewhere, and counted then
            progress.advance(count)
    return done


def _chunk_reports(indices: list[int]) -> list[FileReport]:
    """The own analyses of the files `indices` names in _WORK, on the trees there if any."""
    work = _WORK
    if work is None:
        raise RuntimeError("no run's files to analyse")  # a task outside analyse_and_evaluate
    in_worker = multiprocessing.parent_process() is not None
    reports = []
    for i in indices:
        path, text, error = work.read[i]
        report = report_for(path, text, error, work.trees.get(path))
        if work.on_analysed is not None:
            work.on_analysed(i, report)
        if in_worker:
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

    def reports(self, jobs: int, progress: RunProgress | None = None,
                on_final: Callable[[int, FileReport], None] | None = None) -> list[FileReport]:
        """Each file's report; `on_final` gets each one as soon as it is final (see
        analyse_and_evaluate), the cache's included."""
        texts = {path: text for path, text, _error in self.read if text is not None}
        if self.cache is not None and self.token is not None:
            found = self.cache.reports(self.key, self.token, texts)
            if found is not None and [r.path for r in found] == [p for p, _t, _e in self.read]:
                if on_final is not None:
                    for i, report in enumerate(found):
                        on_final(i, report)
                return found
        if self.cache is None:
            return analyse_and_evaluate(self.read, texts, jobs, progress=progress,
                                        on_final=on_final)
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

        def keep(i: int, report: FileReport) -> None:
            # encoded and stored where it is made (a worker's, in the worker), before the
            # evaluation's results are laid on the report in place
            encoded = cache.encode_analysis(report) if self.read[i][1] is not None else None
            if encoded is not None:
                cache.store_analysis(keys[i], encoded)

        stored: list[str | None] = [None] * len(self.read)

        def final(i: int, report: FileReport) -> None:
            stored[i] = cache.encode_report(report)  # before on_final, which may change it
            if on_final is not None:
                on_final(i, report)

        try:
            with recording() as recorded:
                reports = analyse_and_evaluate(self.read, texts, jobs, analysed, keep, progress,
                                               final)
        except CacheUnavailable:
            return analyse_and_evaluate(self.read, texts, jobs, progress=progress,
                                        on_final=on_final)
        if len(analysed) < len(reports):
            cache.evict_analyses()
        self.token = cache.store_run(self.key, recorded, stored)
        return reports

    def review(self, jobs: int, progress: RunProgress | None = None,
               on_reviewed: Callable[[int, ReviewedFile], None] | None = None
               ) -> list[ReviewedFile]:
        """Each file reviewed; `on_reviewed` gets each one as soon as it is (between the
        analyses of others, when this process analyses some: see analyse_and_evaluate)."""
        reviewed: list[ReviewedFile | None] = [None] * len(self.chosen)

        def final(i: int, report: FileReport) -> None:
            reviewed[i] = self._reviewed(i, report)
            if on_reviewed is not None:
                on_reviewed(i, reviewed[i])  # type: ignore[arg-type]  # set just above

        self.reports(jobs, progress, final)
        done = [f for f in reviewed if f is not None]
        if len(done) != len(reviewed):
            raise RuntimeError("a file was not reviewed")  # a bug: reports() finals every one
        return done

    def _reviewed(self, i: int, report: FileReport) -> ReviewedFile:
        absolute, config, _path = self.chosen[i]
        notebook = self.decoded[i][2]
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
        return ReviewedFile(report, config, self.display(absolute), notebook)

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
