"""Code actions: the quick fix of each published diagnostic that carries a proven fix, and the
refactor that makes a Lazy layer's input size explicit, as LSP workspace edits.

Two steps, so that the document's lock is never held while libcst parses: `gather` (under the
lock, in the request's thread) takes what the actions rest on; `code_actions` (after it)
writes the edits with review/fixes.py.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from paramlens.engine.results import Diagnostic, Fix
from paramlens.lsp.answers import View, split_lines
from paramlens.lsp.convert import from_lsp_position, layer_at, to_lsp_diagnostic, to_lsp_range
from paramlens.review.fixes import TextEdit, fix_edits  # libcst is loaded by fix_edits only
from paramlens.review.refactors import make_explicit

KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite]

log = logging.getLogger("paramlens")
_said_libcst_missing = False


@dataclass(frozen=True)
class PublishedFixes:
    """The published diagnostics that carry a fix, and the text they were found in (by digest:
    a fix is offered only on the very text it was proven for)."""

    digest: str
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class ActionRequest:
    uri: str
    version: int | None
    text: str
    lines: list[str]
    fixes: tuple[Diagnostic, ...]  # published, holding a fix, for this text
    refactor: Fix | None  # the Lazy layer under the cursor, made explicit


def lines_digest(lines: list[str]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for line in lines:
        digest.update(line.encode("utf-8", errors="surrogatepass"))
        digest.update(b"\n")
    return digest.hexdigest()


def published_fixes(lines: list[str], diagnostics: Sequence[Diagnostic]) -> PublishedFixes | None:
    fixable = tuple(d for d in diagnostics if d.fix is not None)
    return PublishedFixes(lines_digest(lines), fixable) if fixable else None


def gather(view: View, uri: str, text: str, version: int | None,
           published: PublishedFixes | None, codec: PositionCodec, cursor: types.Range
           ) -> ActionRequest | None:
    """What the actions for the cursor rest on; None when the client's text is not the one the
    view's results are for (an edit came in between: the client asks again)."""
    if split_lines(text) != view.lines:
        return None
    fixes: tuple[Diagnostic, ...] = ()
    if published is not None and published.digest == lines_digest(view.lines):
        first, last = cursor.start.line + 1, cursor.end.line + 1
        fixes = tuple(d for d in published.diagnostics
                      if d.span.line <= last and d.span.end_line >= first)
    line, column = from_lsp_position(codec, view, cursor.start)
    layer = layer_at(view.layers_at(line), line, column)
    refactor = make_explicit(layer) if layer is not None else None
    if not fixes and refactor is None:
        return None
    return ActionRequest(uri, version, text, view.lines, fixes, refactor)


def code_actions(request: ActionRequest, context: types.CodeActionContext, codec: PositionCodec,
                 cursor: types.Range, document_changes: bool) -> list[types.CodeAction]:
    lines = _Lines(request.lines)
    fixes = [d for d in request.fixes if _wanted(types.CodeActionKind.QuickFix, context) and
             _overlaps(to_lsp_range(codec, lines, d.span), cursor)]
    refactor = request.refactor if _wanted(types.CodeActionKind.RefactorRewrite, context) \
        else None
    asked = [d.fix for d in fixes if d.fix is not None] + ([refactor] if refactor else [])
    if not asked:
        return []
    try:
        edits = fix_edits(request.text, asked)
    except ModuleNotFoundError as error:
        # libcst writes the fixes; a server run without it (the VS Code extension's bundle holds
        # pure-Python packages only) offers none, and says so once in its log
        if (error.name or "").split(".")[0] != "libcst":
            raise
        global _said_libcst_missing
        if not _said_libcst_missing:
            _said_libcst_missing = True
            log.warning("no quick fixes: they need libcst, which this Python lacks (%s); "
                        "install it with: python -m pip install libcst", error)
        return []
    found: list[types.CodeAction] = []
    for diagnostic, edit in zip(fixes, edits, strict=False):
        if edit is None or diagnostic.fix is None:
            continue
        shown = _client_diagnostic(context, to_lsp_diagnostic(codec, lines, diagnostic))
        found.append(types.CodeAction(
            title=diagnostic.fix.title, kind=types.CodeActionKind.QuickFix, diagnostics=[shown],
            is_preferred=True,  # the one change the finding proves right
            edit=_workspace_edit(request, codec, lines, edit, document_changes)))
    if refactor is not None and edits[-1] is not None:
        found.append(types.CodeAction(
            title=refactor.title, kind=types.CodeActionKind.RefactorRewrite,
            edit=_workspace_edit(request, codec, lines, edits[-1], document_changes)))
    return found


@dataclass
class _Lines:
    lines: list[str]


def _workspace_edit(request: ActionRequest, codec: PositionCodec, lines: _Lines,
                    edit: TextEdit, document_changes: bool) -> types.WorkspaceEdit:
    change = types.TextEdit(range=to_lsp_range(codec, lines, edit.span), new_text=edit.new_text)
    if document_changes:
        # with the version, a client applies it only to the text the fix was computed on
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(
                uri=request.uri, version=request.version),
            edits=[change])])
    return types.WorkspaceEdit(changes={request.uri: [change]})


def _wanted(kind: str, context: types.CodeActionContext) -> bool:
    """Whether the client's `only` filter lets this kind through (`refactor` lets
    `refactor.rewrite` through)."""
    if not context.only:
        return True
    return any(kind == only or kind.startswith(f"{only}.") for only in context.only)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return p.line, p.character
    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _client_diagnostic(context: types.CodeActionContext, ours: types.Diagnostic
                       ) -> types.Diagnostic:
    """The client's own copy of the diagnostic where it sent one (same code and range), so
    that it links the fix to the squiggle it shows."""
    for theirs in context.diagnostics:
        if theirs.code == ours.code and theirs.range == ours.range and \
                theirs.source == ours.source:
            return theirs
    return ours
