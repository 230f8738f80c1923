"""A live document as requests see it (answers.View): blocks analysed as they are asked for."""

from __future__ import annotations

import logging
import traceback
from typing import TYPE_CHECKING

from paramlens.editor.document import Document
from paramlens.editor.evaluation import model_call_at
from paramlens.engine.results import LayerResult, ModelTotal
from paramlens.lsp import model_panel, notebooks
from paramlens.lsp.open_document import OpenDocument

if TYPE_CHECKING:
    from paramlens.lsp.server import ParamlensServer

log = logging.getLogger("paramlens")


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
