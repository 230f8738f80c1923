"""What the review formats (github, sarif, rdjson) annotate: one finding per layer count and per
check, each with its place in the file. Built once; the formats only spell them."""

from __future__ import annotations

from dataclasses import dataclass

from paramlens.engine.notebook import Notebook
from paramlens.engine.positions import LineIndex
from paramlens.engine.results import Diagnostic, FileReport, LayerResult, Span
from paramlens.review.registry import CHECKS

_LEVELS = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}


@dataclass(frozen=True)
class Finding:
    path: str  # as the reader's tools want it: relative to the repository root
    span: Span  # code-point columns; `column` converts them
    index: LineIndex | None
    level: str  # "error" | "warning" | "note"
    rule: str  # a key of registry.CHECKS
    title: str
    message: str
    # a notebook's finding: its span is in lines of the notebook file (the JSON lines holding
    # the cell's source), whose columns are not the code's, so it covers those lines whole
    whole_lines: bool = False
    line_text: str | None = None  # the code on the line, where the span's lines are not code

    def column(self, line: int, column: int, unit: str) -> int:
        """A 1-based column in `unit` ("utf-8", "utf-16" or "code points")."""
        converted = self.index.column_in(line, column, unit) if self.index else column
        return converted + 1


def layer_message(layer: LayerResult) -> str:
    short = layer.layer.rsplit(".", 1)[1]
    if layer.params is not None:
        count = f"{layer.params:,} parameters"
    elif layer.params_default is not None:
        count = f"{layer.params_default:,} parameters if defaults hold " \
                f"({'; '.join(layer.assumptions) or 'defaults'})"
    else:
        count = "parameters not fixed by this file" + \
            (f" ({', '.join(layer.unknowns)})" if layer.unknowns else "")
    return f"{short}: {count}; formula {layer.formula}"


def in_notebook(finding: Finding, notebook: Notebook) -> Finding:
    """A finding on a notebook's program moved onto the notebook file: the file lines holding
    its cell's source, the message naming the cell and the line in it."""
    span = finding.span
    cell, line = notebook.locate(span.line)
    text = finding.index.line_text(span.line) if finding.index else ""
    return Finding(finding.path, Span(notebook.file_line(span.line), 0,
                                      notebook.file_line(span.end_line), 0),
                   None, finding.level, finding.rule, finding.title,
                   f"cell {cell}, line {line}: {finding.message}", True, text)


def file_findings(report: FileReport, display_path: str, diagnostics: list[Diagnostic],
                  with_layers: bool, notebook: Notebook | None = None) -> list[Finding]:
    found: list[Finding] = []
    if with_layers:
        for layer in report.layers:
            if layer.never_has_parameters:
                continue  # a count of zero on every ReLU is noise in a review
            found.append(Finding(display_path, layer.span, report.index, "note", "layer-params",
                                 f"{layer.layer.rsplit('.', 1)[1]} parameters",
                                 layer_message(layer)))
    for d in diagnostics:
        rule = d.code if d.code in CHECKS else "layer-params"
        found.append(Finding(display_path, d.span, report.index, _LEVELS[d.severity], rule,
                             f"paramlens {d.code}", d.message))
    found.sort(key=lambda f: (f.span.line, f.span.column, f.rule))
    return [in_notebook(f, notebook) for f in found] if notebook is not None else found
