"""The language server: pygls handlers over `document.Document`. The only module that knows LSP.

Handlers are thin and never analyse on the event loop, so that requests on other documents,
`$/cancelRequest`, `shutdown` and `exit` are answered at once whatever is being analysed:
- a request (hover, hints, lenses) runs in a request thread: it takes the document's lock,
  brings the blocks it asks about up to date and answers; if the background analysis holds the
  lock for longer than REQUEST_WAIT it answers with nothing, and the client is asked to refresh
  once the analysis is done;
- when typing pauses, the whole document is analysed, evaluated and its diagnostics published by
  the background worker (worker.py), a step at a time; an edit or a close cancels what it made
  stale, between steps and inside the evaluation.
Everything sent to the client is sent from the event loop. The wire, and leaving when the
client goes, are transport.py's.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lsprotocol import types
from pygls import uris
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.workspace.position_codec import PositionCodec

from paramlens import __version__
from paramlens.editor.document import BlockResults, Document
from paramlens.editor.evaluation import (
    DocumentEvaluator,
    disk_version,
    model_call_at,
    model_calls,
)
from paramlens.editor.index import WorkspaceIndex
from paramlens.engine.parse import parse_quietly
from paramlens.engine.reading import try_read_source
from paramlens.engine.results import LayerResult, ModelTotal
from paramlens.lsp import actions, model_panel, notebooks, views
from paramlens.lsp.answers import Snapshot, SnapshotView, View
from paramlens.lsp.convert import (
    document_diagnostics,
    from_lsp_position,
    layer_at,
    project_config,
    to_lsp_diagnostic,
    to_lsp_position,
    to_lsp_range,
)
from paramlens.lsp.options import Options, read_options
from paramlens.lsp.worker import Worker

log = logging.getLogger("paramlens")
T = TypeVar("T")
MAX_IMPORTERS = 20  # files importing a document whose entry points are evaluated with it
REQUEST_BUDGET = 0.01  # seconds a request may spend evaluating before it answers without
# Seconds a request waits for a step of its document's background analysis (a step is at most
# one evaluation pass, PASS_BUDGET): waiting holds no thread, and a cancel answers at once.
REQUEST_WAIT = 10.0
LOCK_POLL = 0.005  # seconds between a waiting request's looks at its document's lock
# Seconds one background pass may evaluate before the job lets the others have a turn. More
# than an entry point's own cap (machine.MAX_SECONDS), so that every pass finishes at least one.
PASS_BUDGET = 5.0
MAX_PASSES = 50  # then the document's diagnostics are published without the evaluation
OTHER_WAIT = 0.05  # seconds an evaluation waits for another open document it reads
PARENT_CHECK = 5.0  # seconds between looks at whether the client's process still lives
# Documents kept live (trees, evaluations); the others, once their diagnostics are published,
# sleep as a snapshot of their results (answers.py) until an edit wakes them.
LIVE_DOCUMENTS = 4


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
    fixes: actions.PublishedFixes | None = None  # the published diagnostics that hold a fix
    # a notebook: its cells as the latest text composes them, and as `document` holds them
    layout: notebooks.NotebookLayout | None = None
    applied_layout: notebooks.NotebookLayout | None = None
    published_cells: frozenset[str] = frozenset()  # the cells whose diagnostics are shown
    cell_fixes: dict[str, actions.PublishedFixes | None] = field(default_factory=dict)

    def stale_since(self, edits: int) -> Callable[[], bool]:
        return lambda: self.closed or self.edits != edits


class ParamlensProtocol(LanguageServerProtocol):
    """pygls answers requests that come before `initialize` with null and drops those after
    `shutdown` without a word; the specification asks for errors (ServerNotInitialized,
    InvalidRequest). A didChange for a document never opened is logged, not shown as an error."""

    initialize_seen = False

    def handle_message(self, message):  # type: ignore[no-untyped-def]
        method = getattr(message, "method", None)
        is_request = method is not None and hasattr(message, "id")
        if method == types.INITIALIZE:
            self.initialize_seen = True
        elif not self.initialize_seen and method not in (None, types.EXIT):
            if is_request:
                self.send_error(message.id, types.ErrorCodes.ServerNotInitialized,
                                f"{method} before initialize")
            else:
                log.info("dropped %s: it came before initialize", method)
            return None
        if self._shutdown and is_request and method != types.EXIT:
            self.send_error(message.id, types.ErrorCodes.InvalidRequest, f"{method} after shutdown")
            return None
        if method == types.TEXT_DOCUMENT_DID_CHANGE and \
                message.params.text_document.uri not in self.workspace.text_documents:
            log.warning("didChange for %s, which is not open: ignored",
                        message.params.text_document.uri)
            return None
        if method == types.NOTEBOOK_DOCUMENT_DID_CHANGE and self.workspace.get_notebook_document(
                notebook_uri=message.params.notebook_document.uri) is None:
            log.warning("didChange for notebook %s, which is not open: ignored",
                        message.params.notebook_document.uri)
            return None
        return super().handle_message(message)

    def send_error(self, message_id: Any, code: int, text: str) -> None:
        self._send_response(message_id, None, types.ResponseError(code=code, message=text))


class ParamlensServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("paramlens", __version__, protocol_cls=ParamlensProtocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         notebook_document_sync=notebooks.SYNC)
        self.open: dict[str, OpenDocument] = {}  # documents and notebooks, by URI
        self.cells: dict[str, str] = {}  # an open notebook's code cell → the notebook's URI
        self.index: WorkspaceIndex | None = None
        self.by_path: dict[str, str] = {}  # an open document's file → its URI
        # an open document → the version at which its text was that of its file on disk
        self.as_on_disk: dict[str, int | None] = {}
        self.disk_trees: dict[str, tuple[float, list]] = {}
        self.unevaluated: set[str] = set()  # documents a request answered before evaluating
        # a document → the documents (it, or a notebook's cells) whose summary panel was told
        # "not analysed yet": told again once its pass is done
        self.summary_waiting: dict[str, set[str]] = {}
        self.options = Options()
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.published: set[str] = set()
        self.warned: set[str] = set()  # messages already shown once
        self.worker = Worker()
        self.requests = ThreadPoolExecutor(max_workers=4, thread_name_prefix="paramlens-request")
        self.loop: asyncio.AbstractEventLoop | None = None
        self.is_shut_down = False
        self.recent: OrderedDict[str, None] = OrderedDict()  # open documents, least recent first
        self.thawed: tuple[bytes, Snapshot] | None = None  # the last snapshot read, at hand

    # the session (transport.py) ----------------------------------------------------------------
    def session_started(self, session: object) -> None:
        self.loop = asyncio.get_running_loop()

    def stop_work(self) -> None:
        """Nothing more to analyse: the client asked to shut down, or is gone."""
        for state in list(self.open.values()):
            state.closed = True
        self.worker.stop()

    def report_server_error(self, error: Exception, source: Any) -> None:
        # pygls shows every error in a notification handler as a pop-up; ours go to the log
        log.error("%s: %s", getattr(source, "__name__", source), error)

    def warn_once(self, message: str) -> None:
        """A warning for the user, shown once (from any thread)."""
        if message in self.warned or self.loop is None:
            return
        self.warned.add(message)
        log.warning(message)
        self.loop.call_soon_threadsafe(self.window_show_message, types.ShowMessageParams(
            type=types.MessageType.Warning, message=f"paramlens: {message}"))

    def codec(self) -> PositionCodec:
        return self.workspace.position_codec

    # documents ---------------------------------------------------------------------------------
    def sync(self, state: OpenDocument) -> Document | None:
        """The document at the client's latest text (the caller holds `state.lock`)."""
        if state.applied != state.edits or state.document is None:
            edits, text, version, layout = state.edits, state.text, state.version, state.layout
            state.asleep = None  # woken: the live document answers from now on
            try:
                if state.document is None:
                    state.document = Document(state.uri, text, version)
                else:
                    state.document.update(text, version)
            except Exception:  # a bug of ours costs this document, never the server
                log.error("reading %s failed:\n%s", state.uri, traceback.format_exc())
                state.document = Document(state.uri, "", version)
                state.document.error = "paramlens failed on this file; the log has the details"
            state.applied, state.applied_layout = edits, layout
        return state.document

    def fresh(self, doc: Document, first_line: int = 1, last_line: int | None = None) -> None:
        """The blocks between two 1-based lines analysed, if they were stale."""
        if doc.error:
            return
        last = last_line if last_line is not None else len(doc.lines)
        asked = doc.blocks_between(first_line, last)
        if any(b.stale for b in asked):
            try:
                run = doc.analyse(asked)
                log.debug("analysed %s: %s", doc.uri, run)
            except Exception:  # a bug of ours must cost this document, never the server
                log.error("analysis of %s failed:\n%s", doc.uri, traceback.format_exc())
                doc.give_up("paramlens failed on this file; the log has the details")

    def results(self, state: OpenDocument, doc: Document, blocks: list | None = None,
                within: float = REQUEST_BUDGET, cancelled: Callable[[], bool] | None = None
                ) -> BlockResults:
        """Fresh block results with the evaluated program (contexts, totals) laid over them.

        A request does not wait for a long evaluation: it answers with what the blocks fix, and
        once the background pass has evaluated the document, the client is asked to refresh."""
        results = doc.all_results(blocks)
        try:
            laid = self.evaluator(state).overlay(doc, results, within, cancelled)
            if laid is results and within == REQUEST_BUDGET:
                self.unevaluated.add(doc.uri)
            return laid
        except Exception:  # a bug of ours costs the contexts, never the answer
            log.error("evaluation of %s failed:\n%s", doc.uri, traceback.format_exc())
            return results

    def evaluator(self, state: OpenDocument) -> DocumentEvaluator:
        if state.evaluator is None:
            path = uris.to_fs_path(state.uri) or "untitled.py"
            # nothing imports a notebook (a model.py beside model.ipynb is another module)
            notebook = state.layout is not None
            state.evaluator = DocumentEvaluator(path, self.workspace_roots(),
                                                lambda: [] if notebook else self.importers_of(path),
                                                lambda: self.open_sources(except_uri=state.uri),
                                                self.file_version)
        return state.evaluator

    def statements_of(self, uri: str) -> list | None:
        """Another open document's current trees, if its lock comes soon (two documents reading
        each other from two threads must not wait for each other)."""
        state = self.open.get(uri)
        if state is None or self.as_on_disk.get(uri) == state.version:
            return None  # as saved: the evaluation reads the file itself
        if not state.lock.acquire(timeout=OTHER_WAIT):
            return None
        try:
            doc = self.sync(state)
            return doc.statements() if doc is not None and not doc.error else None
        finally:
            state.lock.release()

    def open_sources(self, except_uri: str) -> list[tuple[str, list]]:
        """The other open documents' current trees."""
        found = []
        for uri in list(self.open):
            path = uris.to_fs_path(uri)
            state = self.open.get(uri)
            if uri == except_uri or not path or state is None or state.layout is not None:
                continue  # (a notebook is no module: nothing imports it)
            statements = self.statements_of(uri)
            if statements is not None:
                found.append((os.path.abspath(path), statements))
        return found

    def file_version(self, path: str) -> str:
        """What identifies a file's current text: its open document's version, or its file's."""
        uri = self.by_path.get(path)
        state = self.open.get(uri) if uri is not None else None
        if state is not None and self.as_on_disk.get(uri) != state.version:
            return f"open:{state.version}"
        return disk_version(path)

    def importers_of(self, path: str) -> list[tuple[str, list]]:
        """The workspace files importing `path`, as their open document or their file on disk."""
        if self.index is None:
            roots = self.workspace_roots()
            if not roots:
                return []
            self.index = WorkspaceIndex(roots)
        found = []
        for other in self.index.importers(path)[:MAX_IMPORTERS]:
            uri = self.by_path.get(other)
            statements = self.statements_of(uri) if uri is not None else None
            if statements is not None:
                found.append((other, statements))
                continue
            tree = self.disk_tree(other)
            if tree is not None:
                found.append((other, tree[1]))
        return found

    def disk_tree(self, path: str) -> tuple[float, list] | None:
        """A file's statements as saved, parsed again only when its modification time changes."""
        try:
            mtime = os.stat(path).st_mtime
            known = self.disk_trees.get(path)
            if known is not None and known[0] == mtime:
                return known
            text, _why = try_read_source(path)  # a regular file under the cap, or nothing
            if text is None:
                return None
            tree = (mtime, parse_quietly(text))
        except (OSError, UnicodeError, SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        self.disk_trees[path] = tree
        return tree

    def workspace_roots(self) -> list[str]:
        roots = []
        for folder in list(self.workspace.folders.values()):
            path = uris.to_fs_path(folder.uri)
            if path:
                roots.append(path)
        if self.workspace.root_path and self.workspace.root_path not in roots:
            roots.append(self.workspace.root_path)
        return roots

    # requests ----------------------------------------------------------------------------------
    async def answer(self, uri: str, compute: Callable[[View], T], empty: T,
                     wake: bool = False) -> T:
        """`compute` on the document, in a request thread; `empty` when it is not open, cannot
        be analysed, or the background analysis holds it for longer than REQUEST_WAIT. With
        `wake`, a sleeping document is woken (its evaluation is asked for, which a snapshot
        does not hold) and one that cannot be analysed is handed over too (to say why).

        The lock is waited for here, on the event loop, a few milliseconds at a time: a request
        waiting for a busy document holds no thread, and a cancelled one is answered at once
        (pygls cancels this coroutine). The background pass lets waiting requests in between
        its steps (`let_requests_in`)."""
        notebook_uri = self.cells.get(uri)
        if notebook_uri is not None:  # a notebook's cell: asked of the notebook, in its lines
            uri, compute = notebook_uri, self.in_cell(uri, compute, empty)
        state = self.open.get(uri)
        if state is None:
            return empty
        self.touch(uri)
        loop = asyncio.get_running_loop()
        give_up = loop.time() + REQUEST_WAIT
        state.waiting += 1
        try:
            while not state.lock.acquire(blocking=False):
                if loop.time() > give_up:
                    self.unevaluated.add(uri)  # asked again once the analysis is done
                    return empty
                await asyncio.sleep(LOCK_POLL)
        finally:
            state.waiting -= 1
        # The lock is ours now and the thread releases it: shielded, so that a cancel cannot
        # drop the job before it runs and leave the document locked.
        work = self.requests.submit(self._compute_locked, state, compute, empty, wake)
        return await asyncio.shield(asyncio.wrap_future(work))

    def _compute_locked(self, state: OpenDocument, compute: Callable[[View], T], empty: T,
                        wake: bool = False) -> T:
        try:
            if state.closed:
                return empty
            if state.document is None and state.asleep is not None and \
                    state.asleep_edits == state.edits and not wake:
                state.applied_layout = state.layout  # the snapshot's text is the latest
                return compute(SnapshotView(state.text, self.thaw(state.asleep)))
            doc = self.sync(state)
            if doc is None or (doc.error and not wake):
                return empty
            return compute(LiveView(self, state, doc))
        finally:
            state.lock.release()

    def in_cell(self, cell_uri: str, compute: Callable[[View], T], empty: T
                ) -> Callable[[View], T]:
        """`compute` for one cell, given the View of its notebook (called under its lock)."""
        notebook_uri = self.cells[cell_uri]

        def on_cell(view: View) -> T:
            state = self.open.get(notebook_uri)
            layout = state.applied_layout if state is not None else None
            cell = layout.cell(cell_uri) if layout is not None else None
            if layout is None or cell is None:
                return empty  # the cell is gone from the notebook since
            return compute(notebooks.CellView(view, layout.notebook, cell))
        return on_cell

    def thaw(self, frozen: bytes) -> Snapshot:
        if self.thawed is None or self.thawed[0] is not frozen:
            self.thawed = (frozen, Snapshot.thaw(frozen))
        return self.thawed[1]

    def touch(self, uri: str) -> None:
        """The document was opened, edited or asked about: among the last to sleep."""
        self.recent.pop(uri, None)
        self.recent[uri] = None

    @staticmethod
    def let_requests_in(state: OpenDocument) -> None:
        """Before the background pass takes the document's lock again: requests waiting for it
        go first (they poll for it, and would rarely find it free between two steps)."""
        until = time.monotonic() + REQUEST_WAIT
        while state.waiting and time.monotonic() < until:
            time.sleep(LOCK_POLL / 2)

    # the background pass -----------------------------------------------------------------------
    def schedule(self, uri: str, delay: float | None = None) -> None:
        """Analyse, evaluate and publish once typing pauses (on the event loop)."""
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        wait = self.options.debounce_ms / 1000 if delay is None else delay
        self.timers[uri] = asyncio.get_running_loop().call_later(wait, self.start_pass, uri)

    def start_pass(self, uri: str) -> None:
        self.timers.pop(uri, None)
        state = self.open.get(uri)
        if state is not None and not self.is_shut_down:
            self.worker.submit(uri, self.background_pass(state, state.edits))

    def background_pass(self, state: OpenDocument, edits: int) -> Iterator[None]:
        """The steps of one document's pass; each ends with the lock released and a yield, where
        the worker may drop it (a newer text came, or the document closed)."""
        cancelled = state.stale_since(edits)
        with state.lock:
            if cancelled():
                return
            doc = self.sync(state)
            if doc is None:
                return
            self.fresh(doc)
        yield
        passes = 0
        done = False
        while not doc.error:
            self.let_requests_in(state)
            with state.lock:
                if cancelled():
                    return
                evaluator = self.evaluator(state)
                try:
                    done = evaluator.evaluation(doc, PASS_BUDGET, cancelled) is not None
                except Exception:
                    log.error("evaluation of %s failed:\n%s", state.uri, traceback.format_exc())
                    done = True
            passes += 1
            if done or evaluator.failure is not None or passes >= MAX_PASSES or cancelled():
                break
            self.unevaluated.add(state.uri)
            yield
        self.let_requests_in(state)
        with state.lock:
            if cancelled():
                return
            if not done:
                state.gave_up = edits
            found: list[types.Diagnostic] = []
            fixes = None
            by_cell: dict[str, list[types.Diagnostic]] | None = None
            cell_fixes: dict[str, actions.PublishedFixes | None] = {}
            layout = state.applied_layout
            if layout is not None:
                by_cell = {document.uri: [] for document in layout.documents}
            if self.options.diagnostics:
                config, config_error = project_config(state.uri)
                if config_error:
                    self.warn_once(f"{config_error}; using the default configuration")
                results = doc.all_results() if doc.error else self.results(
                    state, doc, within=PASS_BUDGET, cancelled=cancelled)
                codec = self.codec()
                reviewed = document_diagnostics(doc, results, config, config_error, self.options)
                if layout is not None:  # each cell's, in its lines and its UTF-16 columns
                    split = notebooks.split_diagnostics(layout, doc.lines, reviewed)
                    by_cell = {uri: [to_lsp_diagnostic(codec, lines, d) for d in cell_found]
                               for uri, (lines, cell_found) in split.items()}
                    cell_fixes = {uri: actions.published_fixes(lines.lines, cell_found)
                                  for uri, (lines, cell_found) in split.items()}
                else:
                    found = [to_lsp_diagnostic(codec, doc, d) for d in reviewed]
                    fixes = actions.published_fixes(doc.lines, reviewed)
            version = doc.version
        if self.loop is None:
            return
        if layout is not None and by_cell is not None:
            self.loop.call_soon_threadsafe(self.publish_cells, state, edits, layout, by_cell,
                                           cell_fixes)
        else:
            self.loop.call_soon_threadsafe(self.publish, state, edits, version, found, fixes)

    def publish(self, state: OpenDocument, edits: int, version: int | None,
                found: list[types.Diagnostic], fixes: actions.PublishedFixes | None = None,
                to_client: bool = True) -> None:
        if state.closed or state.edits != edits or self.open.get(state.uri) is not state:
            return
        state.fixes = fixes  # the quick fixes offered are those of the diagnostics shown
        if state.uri in self.unevaluated:
            self.unevaluated.discard(state.uri)
            self.refresh_views()
        for asked in sorted(self.summary_waiting.pop(state.uri, ())):
            self.protocol.notify(model_panel.READY, {"uri": asked})
        # Published for every version, empty lists too: a client (and a test) learns from it that
        # the document's evaluation for that version is done. (A notebook's are its cells'.)
        if to_client:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=state.uri, diagnostics=found, version=version))
            self.published.add(state.uri)
        state.published = edits
        self.put_idle_to_sleep()
        tidy_memory()

    def publish_cells(self, state: OpenDocument, edits: int, layout: notebooks.NotebookLayout,
                      by_cell: dict[str, list[types.Diagnostic]],
                      cell_fixes: dict[str, actions.PublishedFixes | None]) -> None:
        """A notebook's diagnostics, each cell's under its URI (and cleared from cells that
        left the notebook since the last pass)."""
        if state.closed or state.edits != edits or self.open.get(state.uri) is not state:
            return
        versions = {document.uri: document.version for document in layout.documents}
        for uri in state.published_cells - by_cell.keys():
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        for uri, found in by_cell.items():
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=versions[uri]))
        state.published_cells = frozenset(by_cell)
        state.cell_fixes = cell_fixes  # each cell's quick fixes: those of its diagnostics shown
        self.publish(state, edits, None, [], None, to_client=False)

    def action_source(self, uri: str
                      ) -> tuple[str | None, int | None, actions.PublishedFixes | None] | None:
        """(text, version, published fixes) that code actions on a document rest on; a
        notebook cell's text is the one its view has (its magics skipped: libcst reads it)."""
        notebook_uri = self.cells.get(uri)
        if notebook_uri is None:
            state = self.open.get(uri)
            return (state.text, state.version, state.fixes) if state is not None else None
        notebook = self.open.get(notebook_uri)
        if notebook is None:
            return None
        version = self.workspace.get_text_document(uri).version
        return None, version, notebook.cell_fixes.get(uri)

    def summary_pending(self, uri: str) -> None:
        """The summary panel on `uri` was told its document is not analysed yet: told again
        once it is, by the pass that publishes its text's diagnostics: the one under way or
        scheduled, else one started now (that text's were published before: a document woken
        from sleep, an evaluation that another file's change made stale)."""
        document = self.cells.get(uri, uri)
        state = self.open.get(document)
        if state is None:
            return
        self.summary_waiting.setdefault(document, set()).add(uri)
        if state.published == state.edits and document not in self.timers:
            self.schedule(document, 0)

    def notebook_changed(self, uri: str, version: int) -> None:
        """A notebook opened or changed (pygls has applied the change to its workspace): its
        cells composed again, and the notebook analysed as one document once typing pauses."""
        layout = notebooks.layout_of(self.workspace, uri)
        state = self.open.get(uri)
        if state is not None and state.layout is not None and \
                state.layout.notebook == layout.notebook and \
                [d.uri for d in state.layout.documents] == [d.uri for d in layout.documents]:
            state.layout = layout  # run, moved in metadata: the same program in the same cells
            return
        if state is None:
            state = self.open[uri] = OpenDocument(uri, layout.notebook.text, version)
        else:
            state.text, state.version = layout.notebook.text, version
            state.edits += 1  # what runs for the older text stops at its next step
        state.layout = layout
        self.cells = {cell: notebook for cell, notebook in self.cells.items() if notebook != uri}
        self.cells.update((document.uri, uri) for document in layout.documents)
        for document in layout.documents:
            alone = self.open.pop(document.uri, None)
            if alone is not None:  # a client that also opened the cell as a text document
                alone.closed = True
                self.worker.cancel(document.uri)
        self.touch(uri)
        self.schedule(uri)

    def put_idle_to_sleep(self) -> None:
        """Every live document beyond the LIVE_DOCUMENTS most recent whose diagnostics are up
        to date goes to sleep (a job of the worker, which holds no other job's lock)."""
        idle = list(self.recent)[:-LIVE_DOCUMENTS]
        for uri in idle:
            state = self.open.get(uri)
            if state is not None and state.document is not None and \
                    state.published == state.edits and uri not in self.timers and \
                    not self.worker.busy(uri):
                self.worker.submit(uri, self.fall_asleep(state, state.edits), first=True)

    def fall_asleep(self, state: OpenDocument, edits: int) -> Iterator[None]:
        cancelled = state.stale_since(edits)
        with state.lock:
            doc, evaluator = state.document, state.evaluator
            if cancelled() or doc is None or evaluator is None or state.published != edits:
                return
            if doc.error:
                snapshot = Snapshot([], [], [])
            else:
                # Every block analysed first: a document woken by another one's evaluation
                # (statements_of) or by a request has only the blocks asked about analysed, and
                # the snapshot must hold every layer as analysed, not the evaluation's bare calls.
                self.fresh(doc)
                results = self.results(state, doc, within=REQUEST_BUDGET)
                if evaluator.current(doc) is None:
                    return  # not evaluated after all: stay awake
                snapshot = Snapshot(results.layers, results.models, model_calls(evaluator))
            state.asleep, state.asleep_edits = snapshot.freeze(), edits
            state.document = state.evaluator = None
        log.debug("%s sleeps (%d bytes)", state.uri, len(state.asleep))
        tidy_memory()
        yield

    def refresh_views(self) -> None:
        """Ask the client to fetch inlay hints and code lenses again, where it can."""
        workspace = self.client_capabilities.workspace
        if workspace and workspace.inlay_hint and workspace.inlay_hint.refresh_support:
            self.workspace_inlay_hint_refresh(None)
        if workspace and workspace.code_lens and workspace.code_lens.refresh_support:
            self.workspace_code_lens_refresh(None)

    def edits_with_versions(self) -> bool:
        """Whether the client takes a workspace edit as `documentChanges` (with the document's
        version, so that it applies the edit only to the text it was computed on)."""
        workspace = self.client_capabilities.workspace
        edit = workspace.workspace_edit if workspace is not None else None
        return bool(edit is not None and edit.document_changes)

    def apply_options(self, raw: object) -> None:
        self.options, problems = read_options(raw, self.options)
        for problem in problems:
            log.warning(problem)
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                            message=problem))


server = ParamlensServer()


def tidy_memory() -> None:
    """Collect garbage now, once a document went to sleep (its trees hold reference cycles), and
    set what survives aside: the collector's full passes over a large heap would otherwise land
    in the middle of a hover. Sleeping documents keep the heap small, and the pass short."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


# lifecycle and configuration --------------------------------------------------------------------
@server.feature(types.INITIALIZE)
def initialize(ls: ParamlensServer, params: types.InitializeParams) -> None:
    ls.apply_options(params.initialization_options)
    if params.process_id is not None:
        asyncio.ensure_future(watch_parent(ls, params.process_id))


async def watch_parent(ls: ParamlensServer, pid: int) -> None:
    """The client's process died without closing our input (it was killed): leave too, rather
    than analyse for nobody (LSP's `processId`)."""
    from paramlens.lsp.transport import leave

    while True:
        await asyncio.sleep(PARENT_CHECK)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            log.info("the client's process %d is gone; exiting", pid)
            ls.stop_work()
            leave(1)
        except PermissionError:
            pass  # alive, under another user


@server.feature(types.SHUTDOWN)
def shutdown(ls: ParamlensServer, params: None) -> None:
    ls.is_shut_down = True
    for timer in ls.timers.values():
        timer.cancel()
    ls.timers.clear()
    ls.stop_work()


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
def did_change_configuration(ls: ParamlensServer, params: types.DidChangeConfigurationParams
                             ) -> None:
    ls.apply_options(params.settings)
    for uri in ls.open:
        ls.schedule(uri, 0)
    ls.refresh_views()


# documents --------------------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: ParamlensServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    if item.uri in ls.cells:
        return  # a notebook's cell is analysed with its notebook (notebook_changed)
    old = ls.open.get(item.uri)
    if old is not None:
        old.closed = True
    ls.open[item.uri] = OpenDocument(item.uri, item.text, item.version)
    ls.touch(item.uri)
    path = uris.to_fs_path(item.uri)
    if path:
        ls.by_path[os.path.abspath(path)] = item.uri
        # opening a file changes nothing another document's evaluation read from it
        if _same_text(path, item.text):
            ls.as_on_disk[item.uri] = item.version
    ls.schedule(item.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: ParamlensServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri in ls.cells:
        return
    text = ls.workspace.get_text_document(uri).source
    state = ls.open.get(uri)
    if state is None:
        state = ls.open[uri] = OpenDocument(uri, text, params.text_document.version)
    else:
        state.text, state.version = text, params.text_document.version
        state.edits += 1  # what runs for the older text stops at its next step
    ls.touch(uri)
    ls.schedule(uri)
    path = uris.to_fs_path(uri)
    changed = os.path.abspath(path) if path else None
    for other, known in list(ls.open.items()):
        # documents whose evaluation read this one are evaluated again once typing pauses
        last = known.evaluator.last if known.evaluator is not None else None
        if other != uri and last is not None and changed in last.versions:
            ls.schedule(other)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: ParamlensServer, params: types.DidSaveTextDocumentParams) -> None:
    files_changed(ls)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: ParamlensServer, params: types.DidChangeWatchedFilesParams) -> None:
    files_changed(ls)


def files_changed(ls: ParamlensServer) -> None:
    """A file on disk changed: evaluations that read it are redone, and what shows is refreshed."""
    if ls.index is not None:
        ls.index.files_changed()
    for uri in ls.open:
        ls.schedule(uri)
    ls.refresh_views()


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: ParamlensServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    state = ls.open.pop(uri, None)
    ls.recent.pop(uri, None)
    if state is not None:
        state.closed = True  # its background pass stops at its next step
    ls.worker.cancel(uri)
    ls.by_path = {p: u for p, u in ls.by_path.items() if u != uri}
    ls.as_on_disk.pop(uri, None)
    ls.summary_waiting.pop(uri, None)  # no pass publishes for it any more
    timer = ls.timers.pop(uri, None)
    if timer is not None:
        timer.cancel()
    if uri in ls.published:
        ls.published.discard(uri)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
def notebook_did_open(ls: ParamlensServer, params: types.DidOpenNotebookDocumentParams) -> None:
    ls.notebook_changed(params.notebook_document.uri, params.notebook_document.version)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
def notebook_did_change(ls: ParamlensServer, params: types.DidChangeNotebookDocumentParams
                        ) -> None:
    ls.notebook_changed(params.notebook_document.uri, params.notebook_document.version)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
def notebook_did_close(ls: ParamlensServer, params: types.DidCloseNotebookDocumentParams) -> None:
    uri = params.notebook_document.uri
    state = ls.open.get(uri)
    cells = state.published_cells if state is not None else frozenset()
    did_close(ls, types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    ls.cells = {cell: notebook for cell, notebook in ls.cells.items() if notebook != uri}
    for cell in cells:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=cell, diagnostics=[]))


def _same_text(path: str, text: str) -> bool:
    return try_read_source(path)[0] == text


# features ---------------------------------------------------------------------------------------
class LiveView:
    """A live document, for requests: blocks analysed as they are asked for (answers.View)."""

    def __init__(self, ls: ParamlensServer, state: OpenDocument, doc: Document) -> None:
        self.ls, self.state, self.doc = ls, state, doc
        self.lines = doc.lines

    def layers_at(self, line: int) -> list[LayerResult]:
        block = self.doc.block_at(line)
        if block is None:
            return []
        self.ls.fresh(self.doc, block.start, block.end)
        return self.ls.results(self.state, self.doc, [block]).layers

    def layers_between(self, first: int, last: int) -> list[LayerResult]:
        self.ls.fresh(self.doc, first, last)
        return self.ls.results(self.state, self.doc, self.doc.blocks_between(first, last)).layers

    def models(self, fresh: bool) -> list[ModelTotal]:
        if fresh:
            self.ls.fresh(self.doc)
        return self.ls.results(self.state, self.doc).models

    def call_total(self, line: int, column: int) -> ModelTotal | None:
        evaluator = self.state.evaluator
        return model_call_at(evaluator, self.doc, line, column) if evaluator is not None else None

    def model_summary(self, at: tuple[int, int] | None, name: str | None) -> dict[str, object]:
        """The summary panel's answer (lsp/model_panel.py) for a position of the program (1-based
        line, character column), from the evaluation the lenses use. A user asked for it: the
        evaluation may take longer than a hover's budget."""
        doc, state = self.doc, self.state
        if doc.error:
            return model_panel.status("unavailable", f"paramlens cannot read this file: {doc.error}")
        self.ls.fresh(doc)
        evaluator = self.ls.evaluator(state)
        try:
            evaluation = evaluator.evaluation(doc, within=model_panel.WAIT)
            if evaluation is None:
                if evaluator.failure is not None:
                    return model_panel.status("unavailable", f"paramlens cannot evaluate this "
                                                             f"file: {evaluator.failure}.")
                if state.gave_up == state.edits:
                    return model_panel.status("unavailable", model_panel.OVER_BUDGET)
                return model_panel.status("pending", model_panel.PENDING)
            lenses = self.ls.results(state, doc).models  # the lenses' models, in its lines
            layout = state.applied_layout
            if layout is None:
                return model_panel.model_summary(evaluation, evaluator.path, doc.lines, at, name,
                                                 lenses)
            return model_panel.model_summary(evaluation, evaluator.path, doc.lines, at, name,
                                             lenses, notebooks.cell_place(layout),
                                             layout.notebook.words)
        except Exception:  # a bug of ours costs the panel, never the server
            log.error("model summary of %s failed:\n%s", doc.uri, traceback.format_exc())
            return model_panel.status("unavailable", model_panel.FAILED)


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: ParamlensServer, params: types.HoverParams) -> types.Hover | None:
    if not ls.options.hover:
        return None
    return await ls.answer(params.text_document.uri,
                           lambda view: hover_at(ls.codec(), view, params.position), None)


def hover_at(codec: PositionCodec, view: View, position: types.Position) -> types.Hover | None:
    line, column = from_lsp_position(codec, view, position)
    layer = layer_at(view.layers_at(line), line, column)
    if layer is not None:
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                        value=views.hover_markdown(layer)),
                           range=to_lsp_range(codec, view, layer.name_span))
    if not 1 <= line <= len(view.lines):
        return None
    text = view.lines[line - 1]
    # the innermost call that made a model, else a model defined or bound on this line
    total = view.call_total(line, column)
    if total is None:
        total = next((m for m in view.models(fresh=False) if m.span.line == line and
                      m.span.column <= column < len(text.rstrip())), None)
    if total is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                    value=views.model_hover(total)))


@server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
async def inlay_hints(ls: ParamlensServer, params: types.InlayHintParams
                      ) -> list[types.InlayHint]:
    if not ls.options.inlay_hints:
        return []
    first, last = params.range.start.line + 1, params.range.end.line + 1

    def compute(view: View) -> list[types.InlayHint]:
        codec = ls.codec()
        hints = []
        for layer in view.layers_between(first, last):
            if not first <= layer.span.end_line <= last or not views.wants_hint(layer):
                continue
            hints.append(types.InlayHint(
                position=to_lsp_position(codec, view, layer.span.end_line, layer.span.end_column),
                label=views.inlay_label(layer), padding_left=True))
        return hints

    return await ls.answer(params.text_document.uri, compute, [])


@server.feature(types.TEXT_DOCUMENT_CODE_LENS)
async def code_lens(ls: ParamlensServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    if not ls.options.code_lens:
        return []

    def compute(view: View) -> list[types.CodeLens]:
        codec = ls.codec()
        lenses = []
        for total in view.models(fresh=True):
            start = to_lsp_position(codec, view, total.span.line, total.span.column)
            lenses.append(types.CodeLens(range=types.Range(start=start, end=start),
                                         command=types.Command(title=views.lens_title(total),
                                                               command="")))
        return lenses

    return await ls.answer(params.text_document.uri, compute, [])


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=actions.KINDS))
async def code_action(ls: ParamlensServer, params: types.CodeActionParams
                      ) -> list[types.CodeAction]:
    uri = params.text_document.uri
    source = ls.action_source(uri)
    if source is None:
        return []
    text, version, published = source
    request = await ls.answer(uri, lambda view: actions.gather(
        view, uri, text if text is not None else "\n".join(view.lines), version, published,
        ls.codec(), params.range), None)
    if request is None:
        return []
    # libcst parses the file here, in a request thread, without the document's lock
    work = ls.requests.submit(actions.code_actions, request, params.context, ls.codec(),
                              params.range, ls.edits_with_versions())
    try:
        return await asyncio.wrap_future(work)
    except Exception:  # a bug of ours costs the actions, never the request or the server
        log.error("code actions for %s failed:\n%s", uri, traceback.format_exc())
        return []


@server.feature("paramlens/fileSummary")
async def file_summary(ls: ParamlensServer, params: object) -> dict[str, object] | None:
    """The status bar's numbers: every layer of the file counted once."""
    uri = params.get("uri") if isinstance(params, dict) else getattr(params, "uri", None)
    if not isinstance(uri, str):
        return None

    def compute(view: View) -> dict[str, object]:
        models = view.models(fresh=True)  # brings every block up to date first
        return views.file_summary(view.layers_between(1, len(view.lines)), models, view.lines)

    return await ls.answer(uri, compute, None)


@server.feature("paramlens/modelSummary")
async def model_summary(ls: ParamlensServer, params: object) -> dict[str, object] | None:
    """The summary panel's answer (lsp/model_panel.py): the model at `position`, or named
    `model`, else the largest; in a notebook's cell, of the notebook's program. None for a
    document that is not open."""
    document = _field(params, "textDocument") or _field(params, "text_document")
    uri = _field(document, "uri")
    if not isinstance(uri, str) or uri not in ls.open and uri not in ls.cells:
        return None
    name = _field(params, "model")
    position = _field(params, "position")
    line = _field(position, "line")
    character = _field(position, "character")

    def compute(view: View) -> dict[str, object] | None:
        program, offset = view, 0
        if isinstance(view, notebooks.CellView):  # a cell: its position in the notebook's lines
            program, offset = view.program, view.offset
        if not isinstance(program, LiveView):
            return None  # (woken for this request: never a snapshot)
        at: tuple[int, int] | None = None
        if isinstance(line, int) and isinstance(character, int):
            in_view = from_lsp_position(ls.codec(), view,
                                        types.Position(line=line, character=character))
            at = (in_view[0] + offset, in_view[1])
        return program.model_summary(at, name if isinstance(name, str) else None)

    found = await ls.answer(uri, compute, None, wake=True)
    if found is None or found.get("status") == "pending":
        ls.summary_pending(uri)  # the panel is told when it can ask again
        return found or model_panel.status("pending", model_panel.PENDING)
    return found


def _field(value: object, key: str) -> object:
    # pygls hands custom requests' params over as a namedtuple-like object, tests as a dict
    return value.get(key) if isinstance(value, dict) else getattr(value, key, None)
