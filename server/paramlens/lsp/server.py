"""The language server: pygls handlers over `document.Document`. The only module that knows LSP.

Handlers are thin: find the document, make sure the blocks asked about are fresh, format with
`views`, convert positions. Analysis runs on the event loop when a stale block is asked for, or
when typing pauses (a timer on the loop, not a thread) to publish diagnostics.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import traceback
from pathlib import Path

from lsprotocol import types
from pygls import uris
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from paramlens import __version__
from paramlens.editor.document import BlockResults, Document
from paramlens.editor.evaluation import DocumentEvaluator, disk_version, model_call_at
from paramlens.editor.index import WorkspaceIndex
from paramlens.engine.parse import parse_quietly
from paramlens.engine.results import Diagnostic, LayerResult, Span
from paramlens.lsp import views
from paramlens.lsp.options import Options, read_options
from paramlens.review.checks import reviewed
from paramlens.review.config import ConfigError, ProjectConfig, config_for

log = logging.getLogger("paramlens")
MAX_IMPORTERS = 20  # files importing a document whose entry points are evaluated with it
REQUEST_BUDGET = 0.01  # seconds a request may spend evaluating before it answers without
# Seconds one debounced pass may evaluate before it lets the loop serve requests. More than an
# entry point's own cap (machine.MAX_SECONDS), so that every pass finishes at least one.
PASS_BUDGET = 5.0
MAX_PASSES = 50  # then the document's diagnostics are published without the evaluation

_SEVERITY = {"error": types.DiagnosticSeverity.Error,
             "warning": types.DiagnosticSeverity.Warning,
             "information": types.DiagnosticSeverity.Information,
             "hint": types.DiagnosticSeverity.Hint}


class ParamlensProtocol(LanguageServerProtocol):
    """pygls drops requests that arrive after `shutdown` without answering, which leaves the
    client waiting; the specification asks for an InvalidRequest error."""

    def handle_message(self, message):  # type: ignore[no-untyped-def]
        method = getattr(message, "method", None)
        if self._shutdown and method not in (None, types.EXIT) and hasattr(message, "id"):
            self._send_response(message.id, None, types.ResponseError(
                code=types.ErrorCodes.InvalidRequest, message=f"{method} after shutdown"))
            return None
        return super().handle_message(message)


class ParamlensServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("paramlens", __version__, protocol_cls=ParamlensProtocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.documents: dict[str, Document] = {}
        self.evaluators: dict[str, DocumentEvaluator] = {}
        self.index: WorkspaceIndex | None = None
        self.by_path: dict[str, str] = {}  # an open document's file → its URI
        # an open document → the version at which its text was that of its file on disk
        self.as_on_disk: dict[str, int | None] = {}
        self.disk_trees: dict[str, tuple[float, list]] = {}
        self.unevaluated: set[str] = set()  # documents a request answered before evaluating
        self.passes: dict[str, int] = {}  # debounced passes that ran out of time, by document
        self.options = Options()
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.published: set[str] = set()

    # documents ---------------------------------------------------------------------------------
    def fresh(self, uri: str, first_line: int = 1, last_line: int | None = None) -> Document | None:
        """The document, with the blocks between two 1-based lines analysed if they were stale."""
        doc = self.documents.get(uri)
        if doc is None or doc.error:
            return doc
        last = last_line if last_line is not None else len(doc.lines)
        asked = doc.blocks_between(first_line, last)
        if any(b.stale for b in asked):
            try:
                run = doc.analyse(asked)
                log.debug("analysed %s: %s", uri, run)
            except Exception:  # a bug of ours must cost this document, never the server
                log.error("analysis of %s failed:\n%s", uri, traceback.format_exc())
                doc.give_up("paramlens failed on this file; the log has the details")
        return doc

    def results(self, doc: Document, blocks: list | None = None, wait: bool = False
                ) -> BlockResults:
        """Fresh block results with the evaluated program (contexts, totals) laid over them.

        A request does not wait for a long evaluation (an edit that reaches many entry points):
        it answers with what the blocks fix, and once the debounced pass has evaluated the
        document, the client is asked to refresh its hints and lenses."""
        results = doc.all_results(blocks)
        evaluator = self.evaluator(doc)
        try:
            laid = evaluator.overlay(doc, results, PASS_BUDGET if wait else REQUEST_BUDGET)
            if laid is results and not wait:
                self.unevaluated.add(doc.uri)
            return laid
        except Exception:  # a bug of ours costs the contexts, never the answer
            log.error("evaluation of %s failed:\n%s", doc.uri, traceback.format_exc())
            return results

    def evaluator(self, doc: Document) -> DocumentEvaluator:
        evaluator = self.evaluators.get(doc.uri)
        if evaluator is None:
            path = uris.to_fs_path(doc.uri) or "untitled.py"
            evaluator = DocumentEvaluator(path, self.workspace_roots(),
                                          lambda: self.importers_of(path),
                                          lambda: self.open_sources(except_uri=doc.uri),
                                          self.file_version)
            self.evaluators[doc.uri] = evaluator
        return evaluator

    def open_sources(self, except_uri: str) -> list[tuple[str, list]]:
        """The other open documents' current trees."""
        found = []
        for uri, doc in self.documents.items():
            path = uris.to_fs_path(uri)
            if uri == except_uri or doc.error or not path:
                continue
            found.append((os.path.abspath(path), doc.statements()))
        return found

    def file_version(self, path: str) -> str:
        """What identifies a file's current text: its open document's version, or its file's."""
        uri = self.by_path.get(path)
        doc = self.documents.get(uri) if uri is not None else None
        if doc is not None and self.as_on_disk.get(uri) != doc.version:
            return f"open:{doc.version}"
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
            doc = self.documents.get(uri) if uri is not None else None
            if doc is not None and not doc.error:
                found.append((other, doc.statements()))
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
            with open(path, encoding="utf-8") as handle:
                tree = (mtime, parse_quietly(handle.read()))
        except (OSError, UnicodeError, SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        self.disk_trees[path] = tree
        return tree

    def workspace_roots(self) -> list[str]:
        roots = []
        for folder in self.workspace.folders.values():
            path = uris.to_fs_path(folder.uri)
            if path:
                roots.append(path)
        if self.workspace.root_path and self.workspace.root_path not in roots:
            roots.append(self.workspace.root_path)
        return roots

    def schedule_diagnostics(self, uri: str) -> None:
        self.passes.pop(uri, None)
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        loop = asyncio.get_running_loop()
        self.timers[uri] = loop.call_later(self.options.debounce_ms / 1000,
                                           self.publish_diagnostics, uri)

    def publish_diagnostics(self, uri: str) -> None:
        self.timers.pop(uri, None)
        doc = self.fresh(uri)
        if doc is None:
            return
        # The whole evaluation, now that typing has paused, in passes of at most PASS_BUDGET:
        # each pass keeps the entry points it finished, and the loop serves what waits between.
        evaluator = self.evaluator(doc)
        try:
            done = doc.error is not None or evaluator.evaluation(doc, PASS_BUDGET) is not None
        except Exception:
            log.error("evaluation of %s failed:\n%s", uri, traceback.format_exc())
            done = True
        passes = self.passes.get(uri, 0) + 1
        if not done and evaluator.failure is None and passes < MAX_PASSES:
            self.passes[uri] = passes
            self.unevaluated.add(uri)
            self.timers[uri] = asyncio.get_running_loop().call_later(0.001, self.publish_diagnostics,
                                                                     uri)
            return
        self.passes.pop(uri, None)
        if uri in self.unevaluated:
            self.unevaluated.discard(uri)
            self.refresh_views()
        found: list[types.Diagnostic] = []
        if self.options.diagnostics:
            found = [to_lsp_diagnostic(doc, d) for d in document_diagnostics(self, doc, self.options)]
        # Published for every version, empty lists too: a client (and a test) learns from it that
        # the document's evaluation for that version is done.
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=doc.version))
        self.published.add(uri)
        tidy_memory()

    def refresh_views(self) -> None:
        """Ask the client to fetch inlay hints and code lenses again, where it can."""
        workspace = self.client_capabilities.workspace
        if workspace and workspace.inlay_hint and workspace.inlay_hint.refresh_support:
            self.workspace_inlay_hint_refresh(None)
        if workspace and workspace.code_lens and workspace.code_lens.refresh_support:
            self.workspace_code_lens_refresh(None)

    def apply_options(self, raw: object) -> None:
        self.options, problems = read_options(raw, self.options)
        for problem in problems:
            log.warning(problem)
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                            message=problem))


server = ParamlensServer()


# positions --------------------------------------------------------------------------------------
def _codec(ls: LanguageServer) -> PositionCodec:
    return ls.workspace.position_codec


def to_lsp_position(doc: Document, line: int, column: int) -> types.Position:
    """A 1-based line and code-point column → LSP position in the client's units (UTF-16)."""
    text = doc.lines[line - 1] if 1 <= line <= len(doc.lines) else ""
    position = _codec(server).position_to_client_units([text], ServerTextPosition(0, column))
    return types.Position(line=line - 1, character=position.character)


def to_lsp_range(doc: Document, span: Span) -> types.Range:
    return types.Range(start=to_lsp_position(doc, span.line, span.column),
                       end=to_lsp_position(doc, span.end_line, span.end_column))


def from_lsp_position(doc: Document, position: types.Position) -> tuple[int, int]:
    """An LSP position → a 1-based line and a code-point column."""
    if position.line >= len(doc.lines):
        return position.line + 1, position.character
    text = doc.lines[position.line]
    codec = _codec(server)
    if position.character > codec.client_num_units(text):
        return position.line + 1, len(text) + 1  # past the end of the line: on nothing
    converted = codec.position_from_client_units(
        [text], types.Position(line=0, character=position.character))
    return position.line + 1, converted.character


def to_lsp_diagnostic(doc: Document, diagnostic: Diagnostic) -> types.Diagnostic:
    return types.Diagnostic(range=to_lsp_range(doc, diagnostic.span), message=diagnostic.message,
                            severity=_SEVERITY[diagnostic.severity], code=diagnostic.code,
                            source="paramlens")


def project_config(uri: str) -> tuple[ProjectConfig, str | None]:
    """The [tool.paramlens] table that applies to a file on disk, as the CLI reads it."""
    if not uri.startswith("file:"):
        return ProjectConfig(), None
    try:
        return config_for(Path(uris.to_fs_path(uri) or "")), None
    except ConfigError as error:
        return ProjectConfig(), str(error)


def document_diagnostics(ls: ParamlensServer, doc: Document, options: Options) -> list[Diagnostic]:
    if doc.error:
        return [Diagnostic(Span(1, 0, 1, 0), "information", "not-analysed", doc.error)]
    config, config_error = project_config(doc.uri)
    results = ls.results(doc)
    found = reviewed(results.diagnostics, results.layers, results.models, config,
                     options.max_params_per_layer) + views.unknown_count_hints(results.layers)
    if config_error:
        found.append(Diagnostic(Span(1, 0, 1, 0), "warning", "config", config_error))
    for first, last, why in doc.unread_lines():
        lines = f"line {first}" if first == last else f"lines {first}–{last}"
        found.append(Diagnostic(Span(first, 0, first, len(doc.lines[first - 1])), "hint",
                                "not-parsed", f"paramlens skips {lines} ({why}) until it parses"))
    if doc.failure:
        found.append(Diagnostic(Span(1, 0, 1, 0), "information", "internal-error", doc.failure))
    return sorted(found, key=lambda d: (d.span.line, d.span.column))


def layer_at(layers: list[LayerResult], line: int, column: int) -> LayerResult | None:
    """The innermost layer call whose name or parentheses hold the position."""
    holding = [r for r in layers if r.span.contains(line, column) or
               r.name_span.contains(line, column)]
    return min(holding, key=lambda r: (r.span.end_line - r.span.line, r.span.end_column -
                                       r.span.column), default=None)


# lifecycle and configuration --------------------------------------------------------------------
@server.feature(types.INITIALIZE)
def initialize(ls: ParamlensServer, params: types.InitializeParams) -> None:
    ls.apply_options(params.initialization_options)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
def did_change_configuration(ls: ParamlensServer, params: types.DidChangeConfigurationParams
                             ) -> None:
    ls.apply_options(params.settings)
    for uri in ls.documents:
        ls.publish_diagnostics(uri)
    ls.refresh_views()


# documents --------------------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: ParamlensServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    ls.documents[item.uri] = Document(item.uri, item.text, item.version)
    path = uris.to_fs_path(item.uri)
    if path:
        ls.by_path[os.path.abspath(path)] = item.uri
        # opening a file changes nothing another document's evaluation read from it
        if _same_text(path, item.text):
            ls.as_on_disk[item.uri] = item.version
    ls.schedule_diagnostics(item.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: ParamlensServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    text = ls.workspace.get_text_document(uri).source
    doc = ls.documents.get(uri)
    if doc is None:
        ls.documents[uri] = Document(uri, text, params.text_document.version)
    else:
        doc.update(text, params.text_document.version)
    ls.schedule_diagnostics(uri)
    path = uris.to_fs_path(uri)
    changed = os.path.abspath(path) if path else None
    for other, evaluator in ls.evaluators.items():
        # documents whose evaluation read this one are evaluated again once typing pauses
        if other != uri and evaluator.last is not None and changed in evaluator.last.versions:
            ls.schedule_diagnostics(other)


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
    for uri in ls.documents:
        ls.schedule_diagnostics(uri)
    ls.refresh_views()


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: ParamlensServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.documents.pop(uri, None)
    ls.evaluators.pop(uri, None)
    ls.by_path = {p: u for p, u in ls.by_path.items() if u != uri}
    ls.as_on_disk.pop(uri, None)
    timer = ls.timers.pop(uri, None)
    if timer is not None:
        timer.cancel()
    if uri in ls.published:
        ls.published.discard(uri)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def tidy_memory() -> None:
    """Collect garbage now, while typing pauses, and set what survives aside: the collector's
    full passes over a large heap (trees and evaluations of big files) then do not land in the
    middle of a hover."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _same_text(path: str, text: str) -> bool:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read() == text
    except (OSError, UnicodeError):
        return False


# features ---------------------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: ParamlensServer, params: types.HoverParams) -> types.Hover | None:
    doc = ls.documents.get(params.text_document.uri)
    if not ls.options.hover or doc is None or doc.error:
        return None
    line, column = from_lsp_position(doc, params.position)
    block = doc.block_at(line)
    if block is None:
        return None
    ls.fresh(doc.uri, block.start, block.end)
    results = ls.results(doc, [block])
    layer = layer_at(results.layers, line, column)
    if layer is None:
        text = doc.lines[line - 1] if 1 <= line <= len(doc.lines) else ""
        evaluator = ls.evaluators.get(doc.uri)
        # the innermost call that made a model, else a model defined or bound on this line
        total = model_call_at(evaluator, doc, line, column) if evaluator is not None else None
        if total is None:
            total = next((m for m in ls.results(doc).models if m.span.line == line and
                          m.span.column <= column < len(text.rstrip())), None)
        if total is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                        value=views.model_hover(total)))
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                    value=views.hover_markdown(layer)),
                       range=to_lsp_range(doc, layer.name_span))


@server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
def inlay_hints(ls: ParamlensServer, params: types.InlayHintParams) -> list[types.InlayHint]:
    doc = ls.documents.get(params.text_document.uri)
    if not ls.options.inlay_hints or doc is None or doc.error:
        return []
    first, last = params.range.start.line + 1, params.range.end.line + 1
    ls.fresh(doc.uri, first, last)
    hints = []
    for layer in ls.results(doc, doc.blocks_between(first, last)).layers:
        if not first <= layer.span.end_line <= last or not views.wants_hint(layer):
            continue
        hints.append(types.InlayHint(
            position=to_lsp_position(doc, layer.span.end_line, layer.span.end_column),
            label=views.inlay_label(layer), padding_left=True))
    return hints


@server.feature(types.TEXT_DOCUMENT_CODE_LENS)
def code_lens(ls: ParamlensServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    doc = ls.fresh(params.text_document.uri)
    if not ls.options.code_lens or doc is None or doc.error:
        return []
    lenses = []
    for total in ls.results(doc).models:
        start = to_lsp_position(doc, total.span.line, total.span.column)
        lenses.append(types.CodeLens(range=types.Range(start=start, end=start),
                                     command=types.Command(title=views.lens_title(total),
                                                           command="")))
    return lenses


@server.feature("paramlens/fileSummary")
def file_summary(ls: ParamlensServer, params: object) -> dict[str, object] | None:
    """The status bar's numbers: every layer of the file counted once."""
    uri = params.get("uri") if isinstance(params, dict) else getattr(params, "uri", None)
    doc = ls.fresh(uri) if isinstance(uri, str) else None
    if doc is None or doc.error:
        return None
    results = ls.results(doc)
    return views.file_summary(results.layers, results.models)
