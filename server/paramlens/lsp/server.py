"""The language server's state and the work behind its handlers: `ParamlensServer` holds the open
documents and brings them up to date, and `server` is the instance that pygls runs. The handlers
themselves are thin, in lifecycle.py (initialize, shutdown, settings), sync.py (documents and
notebooks) and features.py (hover, hints, lenses, actions, the status bar and the panel).

Handlers and never analyse on the event loop, so that requests on other documents,
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
import logging
import os
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from lsprotocol import types
from pygls import uris
from pygls.lsp.server import LanguageServer
from pygls.workspace.position_codec import PositionCodec

from paramlens import __version__
from paramlens.editor.document import BlockResults, Document
from paramlens.editor.evaluation import (
    FILE_SET,
    DocumentEvaluator,
    disk_version,
    model_calls,
)
from paramlens.editor.index import WorkspaceIndex
from paramlens.engine.evaluate.parsed_files import ParsedFiles
from paramlens.engine.reading import MAX_SOURCE_BYTES
from paramlens.lsp import actions, features, lifecycle, model_panel, notebooks, sync
from paramlens.lsp.answers import Snapshot, SnapshotView, View
from paramlens.lsp.convert import (
    document_diagnostics,
    project_config,
    to_lsp_diagnostic,
)
from paramlens.lsp.live_view import LiveView
from paramlens.lsp.memory import Tidier
from paramlens.lsp.open_document import OpenDocument
from paramlens.lsp.options import Options, read_options
from paramlens.lsp.protocol import ParamlensProtocol
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
# Documents kept live (trees, evaluations); the others, once their diagnostics are published,
# sleep as a snapshot of their results (answers.py) until an edit wakes them.
LIVE_DOCUMENTS = 4


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
        # the modules evaluations read, parsed once for all documents while their files stand
        self.parsed = ParsedFiles(self.disk_file_version)
        # the files importing a document, read as entry points: under the cap of a checked file
        self.importer_trees = ParsedFiles(self.disk_file_version, max_bytes=MAX_SOURCE_BYTES)
        # how many times the client said a file changed on disk: part of the file's version, so
        # that a rewrite keeping its modification time and size is still read again
        self.disk_changes: dict[str, int] = {}
        self.files_made = 0  # how many times the client said files were created or deleted
        self.unevaluated: set[str] = set()  # documents a request answered before evaluating
        # a document → the documents (it, or a notebook's cells) whose summary panel was told
        # "not analysed yet": told again once its pass is done
        self.summary_waiting: dict[str, set[str]] = {}
        self.options = Options()
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.published: set[str] = set()
        self.warned: set[str] = set()  # messages already shown once
        self.worker = Worker()
        self.tidier = Tidier()  # full collections, on the event loop
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
                                                self.file_version, self.parsed)
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
        """What identifies a file's current text: its open document's version, or its file's.
        For FILE_SET, which files exist."""
        if path == FILE_SET:
            return f"files:{self.files_made}"
        uri = self.by_path.get(path)
        state = self.open.get(uri) if uri is not None else None
        if state is not None and self.as_on_disk.get(uri) != state.version:
            return f"open:{state.version}"
        return self.disk_file_version(path)

    def disk_file_version(self, path: str) -> str:
        """What identifies the text of the file on disk, whatever an open document holds."""
        changes = self.disk_changes.get(path)
        return disk_version(path) if changes is None else f"{disk_version(path)}:{changes}"

    def files_made_or_removed(self) -> None:
        """Files were created or deleted: an import may find another module now (a module that
        was missing, a package's __init__.py beside a module of its name), so no evaluation made
        before stands."""
        self.files_made += 1

    def disk_changed(self, path: str) -> None:
        """The client says the file at `path` changed on disk: it is read again."""
        self.disk_changes[path] = self.disk_changes.get(path, 0) + 1
        self.parsed.forget(path)
        self.importer_trees.forget(path)
        if self.index is not None:
            self.index.forget(path)

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
            tree = self.importer_trees.statements(other)
            if tree is not None:
                found.append((other, tree))
        return found

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
                    state.asleep_edits == state.edits and not wake and self.still_read(state):
                state.applied_layout = state.layout  # the snapshot's text is the latest
                return compute(SnapshotView(state.text, self.thaw(state.asleep)))
            doc = self.sync(state)
            if doc is None or (doc.error and not wake):
                return empty
            return compute(LiveView(self, state, doc))
        finally:
            state.lock.release()

    def still_read(self, state: OpenDocument) -> bool:
        """Whether every file a sleeping document's evaluation read is as it was then."""
        return all(self.file_version(path) == version
                   for path, version in state.asleep_reads.items())

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
        self.tidier.tidy(self.loop)

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
                reads = evaluator.read_versions(doc) if evaluator.current(doc) is not None \
                    else None
                if reads is None:
                    return  # not evaluated after all: stay awake
                snapshot = Snapshot(results.layers, results.models, model_calls(evaluator))
                state.asleep_reads = reads
            state.asleep, state.asleep_edits = snapshot.freeze(), edits
            state.document = state.evaluator = None
        log.debug("%s sleeps (%d bytes)", state.uri, len(state.asleep))
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.tidier.tidy, self.loop)
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
lifecycle.register(server)
sync.register(server)
features.register(server)
