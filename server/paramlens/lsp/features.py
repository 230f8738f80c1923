"""Handlers for what the editor shows: hover, inlay hints, lenses, code actions, the status bar's
and the summary panel's requests. Each computes on a View (answers.py) in a request thread,
through `ParamlensServer.answer`."""

from __future__ import annotations

import asyncio
import logging
import traceback
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from paramlens.engine.results import LayerResult, Span
from paramlens.lsp import actions, model_panel, notebooks, views
from paramlens.lsp.answers import View
from paramlens.lsp.convert import from_lsp_position, layer_at, to_lsp_position, to_lsp_range
from paramlens.lsp.live_view import LiveView

if TYPE_CHECKING:
    from paramlens.lsp.server import ParamlensServer

log = logging.getLogger("paramlens")


async def hover(ls: ParamlensServer, params: types.HoverParams) -> types.Hover | None:
    if not ls.options.hover:
        return None
    return await ls.answer(params.text_document.uri,
                           lambda view: hover_at(ls.codec(), view, params.position), None)


def hover_at(codec: PositionCodec, view: View, position: types.Position) -> types.Hover | None:
    line, column = from_lsp_position(codec, view, position)
    here = view.layers_at(line)
    layer = layer_at(here, line, column)
    if layer is not None:
        # (a call through a variable may build several classes: each has its own counts)
        value = "\n\n---\n\n".join(views.hover_markdown(r) for r in here if r.span == layer.span)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                        value=value),
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


async def inlay_hints(ls: ParamlensServer, params: types.InlayHintParams
                      ) -> list[types.InlayHint]:
    if not ls.options.inlay_hints:
        return []
    first, last = params.range.start.line + 1, params.range.end.line + 1

    def compute(view: View) -> list[types.InlayHint]:
        codec = ls.codec()
        # one hint a call: a call building several classes names each with its counts
        by_call: dict[Span, list[LayerResult]] = {}
        for layer in view.layers_between(first, last):
            if first <= layer.span.end_line <= last and views.wants_hint(layer):
                by_call.setdefault(layer.span, []).append(layer)
        return [types.InlayHint(
            position=to_lsp_position(codec, view, span.end_line, span.end_column),
            label=views.inlay_label(layers[0]) if len(layers) == 1 else
            views.inlay_label_of_classes(layers), padding_left=True)
            for span, layers in by_call.items()]

    return await ls.answer(params.text_document.uri, compute, [])


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


async def file_summary(ls: ParamlensServer, params: object) -> dict[str, object] | None:
    """The status bar's numbers: every layer of the file counted once."""
    uri = params.get("uri") if isinstance(params, dict) else getattr(params, "uri", None)
    if not isinstance(uri, str):
        return None

    def compute(view: View) -> dict[str, object]:
        models = view.models(fresh=True)  # brings every block up to date first
        return views.file_summary(view.layers_between(1, len(view.lines)), models, view.lines)

    return await ls.answer(uri, compute, None)


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


def register(server: ParamlensServer) -> None:
    """Hands pygls this module's handlers."""
    server.feature(types.TEXT_DOCUMENT_HOVER)(hover)
    server.feature(types.TEXT_DOCUMENT_INLAY_HINT)(inlay_hints)
    server.feature(types.TEXT_DOCUMENT_CODE_LENS)(code_lens)
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                   types.CodeActionOptions(code_action_kinds=actions.KINDS))(code_action)
    server.feature("paramlens/fileSummary")(file_summary)
    server.feature("paramlens/modelSummary")(model_summary)
