"""The evaluated program behind an open document, laid over its block results.

The blocks' own analysis answers what each call fixes by itself. What the program builds when its
entry points run (contexts, builder and model totals) needs the whole document evaluated, as
`paramlens check` does for the file on disk: the same `evaluate_files`, on the document's current
trees, so that the editor and the CLI agree.

An evaluation holds while the document's text and every file it read stand as they were: a
request on an unchanged document costs nothing, an edit that is undone finds its evaluation
again, and an edit elsewhere in the workspace matters only if the evaluation read that file.
After an edit, the entry points it does not reach lend their last results (entries.py).
"""

from __future__ import annotations

import ast
import hashlib
import logging
import math
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from paramlens.editor.document import BlockResults, Document
from paramlens.engine.evaluate.entries import (
    Deferred,
    EntryCache,
    Evaluation,
    call_total,
    evaluate_files,
)
from paramlens.engine.evaluate.parsed_files import ParsedFiles
from paramlens.engine.in_context import apply_evaluation, as_model_total
from paramlens.engine.positions import LineIndex
from paramlens.engine.results import FileReport, ModelTotal

KEPT = 8  # evaluations kept per document (undo, redo and typing back and forth)

Cancelled = Callable[[], bool]

_log = logging.getLogger(__name__)


class Deadline(float):
    """A `time.monotonic()` deadline that has also passed once `cancelled()` says so.

    The evaluator compares `now > deadline` between steps; a float subclass that overrides `<`
    is asked first (Python tries the reflected operation of a subclass before the float's own),
    so the document's analysis thread can be stopped between steps without the engine knowing
    about threads: an edit or a closed document cancels what it made stale."""

    cancelled: Cancelled

    def __new__(cls, at: float, cancelled: Cancelled) -> Deadline:
        made = super().__new__(cls, at)
        made.cancelled = cancelled
        return made

    def __lt__(self, now: object) -> bool:
        return self.cancelled() or float(self) < now  # type: ignore[operator]

    def __gt__(self, now: object) -> bool:
        return not self.cancelled() and float(self) > now  # type: ignore[operator]


# (path, statements): other files, as their open documents' current trees
Sources = Callable[[], list[tuple[str, list[ast.stmt]]]]
# a file → what identifies its current text ("open:7", "disk:1732608000.5")
Version = Callable[[str], str]


# Not a file: which files exist. Every evaluation holds its version, since a file created or
# deleted may change what an import finds (a module that was missing, a package beside a module
# of the same name) without any file it read changing.
FILE_SET = "<the files that exist>"


@dataclass
class _Kept:
    evaluation: Evaluation | None  # None: deferred, only `cache` was made
    versions: dict[str, str]  # each file it read (this document aside) → its version then
    cache: EntryCache | None

    def holds(self, version: Version) -> bool:
        return all(version(path) == seen for path, seen in self.versions.items())


class DocumentEvaluator:
    """Evaluations of one document, by the text they were made for."""

    def __init__(self, path: str, roots: list[str], importers: Sources | None = None,
                 unsaved: Sources | None = None, version: Version | None = None,
                 parsed: ParsedFiles | None = None) -> None:
        self.path = os.path.abspath(path)
        self.roots = roots
        self.importers = importers  # files importing this one: their entry points reach it
        self.unsaved = unsaved  # the other open documents, read instead of their files
        self.version = version or disk_version
        self.parsed = parsed  # files' trees shared with the other documents' evaluations
        self.kept: OrderedDict[str, _Kept] = OrderedDict()
        self.last: _Kept | None = None  # the newest evaluation made: it lends entry points
        self.failure: str | None = None
        self.failed_on: str | None = None  # the text key the failure came from
        self.index_for: Evaluation | None = None  # the evaluation `index` was made for
        self.index: LineIndex | None = None

    def evaluation(self, doc: Document, within: float | None = None,
                   cancelled: Cancelled | None = None) -> Evaluation | None:
        """The document's evaluation; with `within` (seconds), None if it is not done by then
        (what it did is kept, and the next call goes on from there). With `cancelled`, also
        None as soon as it says so (checked as often as the time is)."""
        if doc.error:
            return None
        current = self.current(doc)
        if current is not None:
            return current
        key = _text_key(doc)
        if self.failure is not None and self.failed_on == key:
            return None  # (the same text would fail the same way)
        importers = self.importers() if self.importers is not None else []
        statements = doc.statements()
        last = self.last
        previous = last.cache if last is not None and last.holds(self.version) else None
        deadline: float | None = time.monotonic() + within if within is not None else None
        if cancelled is not None:
            deadline = Deadline(math.inf if deadline is None else deadline, cancelled)
        try:
            evaluation = evaluate_files(
                [(self.path, statements), *importers], extra_roots=self.roots,
                unsaved=self.unsaved() if self.unsaved is not None else [],
                previous=previous, deadline=deadline, editor=True, parsed=self.parsed)
        except Deferred as deferred:
            self.last = _Kept(None, self._versions(deferred.read), deferred.cache)
            return None
        except RecursionError:
            self.failure, self.failed_on = "nested too deeply to evaluate", key
            return None
        except Exception as error:  # a bug of ours: the file's own reading still stands
            _log.exception("evaluating %s", self.path)
            self.failure = f"internal error while evaluating ({type(error).__name__}: {error})"
            self.failed_on = key
            return None
        self.failure = self.failed_on = None
        kept = _Kept(evaluation, self._versions(evaluation.read), evaluation.cache)
        self.kept[key] = self.last = kept
        while len(self.kept) > KEPT:
            self.kept.popitem(last=False)
        return evaluation

    def current(self, doc: Document) -> Evaluation | None:
        """The evaluation made for the document's text, if everything it read still stands; never
        starts one."""
        key = _text_key(doc)
        found = self.kept.get(key)
        if found is None or found.evaluation is None or not found.holds(self.version):
            return None
        self.kept.move_to_end(key)
        return found.evaluation

    def read_versions(self, doc: Document) -> dict[str, str] | None:
        """What the document's current evaluation read, each file with its version then."""
        found = self.kept.get(_text_key(doc))
        return dict(found.versions) if found is not None and found.evaluation is not None \
            else None

    def _versions(self, read: frozenset[str]) -> dict[str, str]:
        versions = {path: self.version(path) for path in read if path != self.path}
        versions[FILE_SET] = self.version(FILE_SET)
        return versions

    def overlay(self, doc: Document, results: BlockResults, within: float | None = None,
                cancelled: Cancelled | None = None) -> BlockResults:
        """The block results with the evaluated program's contexts and totals laid over them;
        the results alone when the evaluation is not done `within` seconds."""
        evaluation = self.evaluation(doc, within, cancelled)
        if evaluation is None:
            return results
        if self.index_for is not evaluation:
            self.index_for, self.index = evaluation, LineIndex.from_lines(doc.lines)
        report = FileReport(self.path, layers=list(results.layers), models=list(results.models),
                            index=self.index)
        apply_evaluation(report, evaluation)
        return BlockResults(report.layers, list(results.diagnostics) + report.diagnostics,
                            report.models,
                            results.layout)


def model_call_at(evaluator: DocumentEvaluator, doc: Document, line: int, column: int
                  ) -> ModelTotal | None:
    """The total of what a call of the project's code at this position returned (`backbone =
    resnet50(...)`), from the document's current evaluation if it has one."""
    evaluation = evaluator.index_for
    if evaluation is None or evaluator.index is None or evaluation is not evaluator.current(doc):
        return None
    return call_at(model_calls(evaluator, line), line, evaluator.index.utf8_column(line, column))


# (line, first and last UTF-8 column of the call, the total of what it made)
ModelCall = tuple[int, int, int, ModelTotal]


def model_calls(evaluator: DocumentEvaluator, line: int | None = None) -> list[ModelCall]:
    """Every call in the document (on `line`, if given) whose value the evaluation knows as a
    model, with its total: what a hover on such a call shows, kept when the document's trees
    are let go."""
    evaluation = evaluator.index_for
    if evaluation is None:
        return []
    found: list[ModelCall] = []
    for site, made in evaluation.call_models.items():
        node = made[0][0].node
        if site[0] != evaluator.path or node is None or line not in (None, site[1]):
            continue
        end = node.end_col_offset if node.end_lineno == site[1] else 1 << 30
        total = call_total(evaluation, site)
        if total is not None:
            found.append((site[1], site[2], end if end is not None else site[2],
                          as_model_total(total)))
    return found


def call_at(calls: list[ModelCall], line: int, byte_column: int) -> ModelTotal | None:
    """The innermost of `calls` holding the position."""
    holding = [c for c in calls if c[0] == line and c[1] <= byte_column <= c[2]]
    return max(holding, key=lambda c: c[1])[3] if holding else None


def _text_key(doc: Document) -> str:
    return hashlib.blake2b("\n".join(doc.lines).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def disk_version(path: str) -> str:
    try:
        stat = os.stat(path)
    except OSError:
        return "missing"
    return f"disk:{stat.st_mtime_ns}:{stat.st_size}"
