"""Handlers for document and notebook sync: they record the client's text and schedule the
analysis (never run it here, on the event loop)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls import uris

from paramlens.engine.reading import try_read_source
from paramlens.lsp.open_document import OpenDocument

if TYPE_CHECKING:
    from paramlens.lsp.server import ParamlensServer

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
    readers_changed(ls, uri)


def readers_changed(ls: ParamlensServer, uri: str) -> None:
    """The text of `uri` changed (an edit, or a close that puts its file's text back): the
    documents whose evaluation read it are evaluated again once typing pauses."""
    path = uris.to_fs_path(uri)
    changed = os.path.abspath(path) if path else None
    for other, known in list(ls.open.items()):
        last = known.evaluator.last if known.evaluator is not None else None
        read = last.versions if last is not None else known.asleep_reads
        if other != uri and changed in read:
            ls.schedule(other)


def did_save(ls: ParamlensServer, params: types.DidSaveTextDocumentParams) -> None:
    files_changed(ls, [params.text_document.uri])


def did_change_watched_files(ls: ParamlensServer, params: types.DidChangeWatchedFilesParams) -> None:
    if any(change.type != types.FileChangeType.Changed for change in params.changes):
        ls.files_made_or_removed()
    files_changed(ls, [change.uri for change in params.changes])


def files_changed(ls: ParamlensServer, uris_changed: list[str]) -> None:
    """Files on disk changed: evaluations that read them are redone, and what shows is
    refreshed. The files named are read again even where their modification time and size are
    what they were (`cp -p`, `rsync -t`, `tar x` keep both)."""
    for uri in uris_changed:
        path = uris.to_fs_path(uri)
        if path:
            ls.disk_changed(os.path.abspath(path))
    if ls.index is not None:
        ls.index.files_changed()
    for uri in ls.open:
        ls.schedule(uri)
    ls.refresh_views()


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
    readers_changed(ls, uri)  # what they read of it is its file now, not its unsaved text
    ls.refresh_views()


def notebook_did_open(ls: ParamlensServer, params: types.DidOpenNotebookDocumentParams) -> None:
    ls.notebook_changed(params.notebook_document.uri, params.notebook_document.version)


def notebook_did_change(ls: ParamlensServer, params: types.DidChangeNotebookDocumentParams
                        ) -> None:
    ls.notebook_changed(params.notebook_document.uri, params.notebook_document.version)


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



def register(server: ParamlensServer) -> None:
    """Hands pygls this module's handlers."""
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE)(did_save)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
    server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)(notebook_did_open)
    server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)(notebook_did_change)
    server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)(notebook_did_close)
