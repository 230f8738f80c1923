"""An open document (or notebook) as the server holds it, between the client's notifications
and the threads that analyse it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from paramlens.editor.document import Document
from paramlens.editor.evaluation import DocumentEvaluator
from paramlens.lsp import actions, notebooks


@dataclass(eq=False)
class OpenDocument:
    """An open document as the server holds it. The text is the client's latest; `document` is
    brought up to it (`ParamlensServer.sync`) only under `lock`, by whichever thread needs it."""

    uri: str
    text: str
    version: int | None
    edits: int = 0  # texts received; a step made for an older one is cancelled
    lock: threading.Lock = field(default_factory=threading.Lock)
    document: Document | None = None
    applied: int = -1  # the `edits` whose text `document` holds
    evaluator: DocumentEvaluator | None = None
    closed: bool = False
    waiting: int = 0  # requests waiting for the lock (changed on the event loop only)
    published: int = -1  # the `edits` whose diagnostics were published last
    # the `edits` whose background pass ended without an evaluation (over its budget, failed):
    # the summary panel says so rather than wait for one
    gave_up: int = -1
    asleep: bytes | None = None  # a frozen Snapshot of the results, while `document` is None
    asleep_edits: int = -1  # the `edits` the snapshot was made for
    # each other file its evaluation read → that file's version then: the snapshot stands only
    # while they all do (a helper module it imports, edited while it sleeps)
    asleep_reads: dict[str, str] = field(default_factory=dict)
    fixes: actions.PublishedFixes | None = None  # the published diagnostics that hold a fix
    # a notebook: its cells as the latest text composes them, and as `document` holds them
    layout: notebooks.NotebookLayout | None = None
    applied_layout: notebooks.NotebookLayout | None = None
    published_cells: frozenset[str] = frozenset()  # the cells whose diagnostics are shown
    cell_fixes: dict[str, actions.PublishedFixes | None] = field(default_factory=dict)

    def stale_since(self, edits: int) -> Callable[[], bool]:
        return lambda: self.closed or self.edits != edits
