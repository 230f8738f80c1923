"""Open notebooks: one composed document per notebook, and each request on a cell answered from
it in the cell's own lines.

A notebook reaches the server as notebookDocument/* notifications whose cells are text
documents of their own (pygls keeps both in its workspace). The server analyses the notebook as
one `Document` over its Python code cells in order (engine/notebook.py composes them), so that
a name defined in one cell is known in the next; a `CellView` then shows a request on one cell
the composed document's results in that cell's lines, and diagnostics are split by cell.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lsprotocol import types
from pygls.workspace import Workspace

from paramlens.engine.notebook import CodeCell, Notebook, compose, reworded_layer, reworded_model
from paramlens.engine.results import Diagnostic, LayerResult, ModelTotal, Span
from paramlens.lsp.answers import View

# What the server registers for: every cell of Jupyter notebooks. Only the Python cells are
# analysed, but with the markdown ones synced too (no cell selector: LSP then syncs all cells) a
# cell is numbered as the CLI numbers it and as VS Code's status bar does ("Cell 3 of 7").
SYNC = types.NotebookDocumentSyncOptions(notebook_selector=[
    types.NotebookDocumentFilterWithNotebook(notebook="jupyter-notebook")])


@dataclass(frozen=True)
class CellDocument:
    uri: str
    version: int | None


@dataclass(frozen=True)
class NotebookLayout:
    """A notebook's program and where each of its code cells sits in it."""

    notebook: Notebook
    documents: tuple[CellDocument, ...]  # one per code cell, in the order of notebook.cells

    def cell(self, uri: str) -> CodeCell | None:
        for cell, document in zip(self.notebook.cells, self.documents, strict=True):
            if document.uri == uri:
                return cell
        return None

    def document_at(self, line: int) -> tuple[CellDocument, CodeCell] | None:
        """The cell holding a line of the program; past the last cell, the last one."""
        cell = self.notebook.cell_at(line)
        if cell is None and self.notebook.cells and line > self.notebook.cells[-1].last_line:
            cell = self.notebook.cells[-1]
        if cell is None:
            return None
        return self.documents[self.notebook.cells.index(cell)], cell


def cell_place(layout: NotebookLayout) -> Callable[[int], tuple[str | None, int] | None]:
    """A line of the notebook's program → (its cell's URI, its 0-based line in that cell): where
    the summary panel's links lead."""
    def place(line: int) -> tuple[str | None, int] | None:
        held = layout.document_at(line)
        if held is None:
            return None
        document, cell = held
        return document.uri, min(line, cell.last_line) - cell.first_line
    return place


def layout_of(workspace: Workspace, notebook_uri: str) -> NotebookLayout:
    """The notebook as the client last sent it (pygls has applied every change already)."""
    notebook = workspace.get_notebook_document(notebook_uri=notebook_uri)
    sources: list[tuple[int, str]] = []
    documents: list[CellDocument] = []
    for number, cell in enumerate(notebook.cells if notebook is not None else [], start=1):
        if cell.kind != types.NotebookCellKind.Code:
            continue
        document = workspace.get_text_document(cell.document)
        if document.language_id not in (None, "python"):
            continue  # a %%sql or R cell of a Python notebook
        sources.append((number, document.source))
        documents.append(CellDocument(cell.document, document.version))
    return NotebookLayout(compose(sources), tuple(documents))


def _in_cell(span: Span, offset: int) -> Span:
    return span.shifted(-offset)


class CellView:
    """One cell of a notebook's View (answers.View): lines counted from the cell's first, and
    only what lies in the cell."""

    def __init__(self, program: View, notebook: Notebook, cell: CodeCell) -> None:
        self.program, self.notebook, self.cell = program, notebook, cell
        self.offset = cell.first_line - 1
        self.lines = program.lines[self.offset:cell.last_line]

    def _layers(self, layers: Sequence[LayerResult]) -> list[LayerResult]:
        cell = self.cell
        return [self._layer(layer) for layer in layers
                if cell.first_line <= layer.span.line and layer.span.end_line <= cell.last_line]

    def _layer(self, layer: LayerResult) -> LayerResult:
        moved = reworded_layer(layer, self.notebook)
        return dataclasses.replace(moved, span=_in_cell(layer.span, self.offset),
                                   name_span=_in_cell(layer.name_span, self.offset))

    def _model(self, model: ModelTotal) -> ModelTotal:
        return dataclasses.replace(reworded_model(model, self.notebook),
                                   span=_in_cell(model.span, self.offset))

    def layers_at(self, line: int) -> list[LayerResult]:
        if not 1 <= line <= len(self.lines):
            return []
        return self._layers(self.program.layers_at(line + self.offset))

    def layers_between(self, first: int, last: int) -> list[LayerResult]:
        first, last = max(first, 1), min(last, len(self.lines))
        if first > last:
            return []
        return self._layers(self.program.layers_between(first + self.offset, last + self.offset))

    def models(self, fresh: bool) -> list[ModelTotal]:
        cell = self.cell
        return [self._model(m) for m in self.program.models(fresh)
                if cell.first_line <= m.span.line <= cell.last_line]

    def call_total(self, line: int, column: int) -> ModelTotal | None:
        if not 1 <= line <= len(self.lines):
            return None
        found = self.program.call_total(line + self.offset, column)
        # only its words are shown (hover): they name the notebook's cells
        return reworded_model(found, self.notebook) if found is not None else None


@dataclass(frozen=True)
class CellLines:
    """A cell's lines, for converting its positions to the client's units (convert.HasLines)."""

    lines: list[str]


def split_diagnostics(layout: NotebookLayout, lines: list[str], found: list[Diagnostic]
                      ) -> dict[str, tuple[CellLines, list[Diagnostic]]]:
    """The program's diagnostics by cell document, each in its cell's lines, with those lines
    (every code cell has its list, empty ones too: publishing it clears what an earlier pass
    showed)."""
    by_cell: dict[str, tuple[CellLines, list[Diagnostic]]] = {
        document.uri: (CellLines(lines[cell.first_line - 1:cell.last_line]), [])
        for document, cell in zip(layout.documents, layout.notebook.cells, strict=True)}
    for diagnostic in found:
        held = layout.document_at(diagnostic.span.line)
        if held is None:
            continue
        document, cell = held
        offset = cell.first_line - 1
        span = diagnostic.span
        if span.line > cell.last_line:  # on the program's final newline: the last cell's end
            span = Span(cell.last_line, 0, cell.last_line, 0)
        end_line = min(span.end_line, cell.last_line)  # a diagnostic never spills into the next
        end_column = span.end_column if end_line == span.end_line else len(lines[end_line - 1])
        moved = Span(span.line - offset, span.column, end_line - offset, end_column)
        fix = diagnostic.fix
        if fix is not None:  # its edit lands in the cell too (the cell's quick fix)
            fix = dataclasses.replace(fix, target=_in_cell(fix.target, offset))
        by_cell[document.uri][1].append(Diagnostic(moved, diagnostic.severity, diagnostic.code,
                                                   layout.notebook.words(diagnostic.message),
                                                   fix))
    return by_cell
