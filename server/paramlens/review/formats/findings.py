"""What the review formats (github, sarif, rdjson) annotate: one finding per layer count and per
check, each with its place in the file. Built once; the formats only spell them."""

from __future__ import annotations

from dataclasses import dataclass

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


def file_findings(report: FileReport, display_path: str, diagnostics: list[Diagnostic],
                  with_layers: bool) -> list[Finding]:
    found: list[Finding] = []
    if with_layers:
        for layer in report.layers:
            if layer.family in ("activation", "merge", "shape", "pool") and layer.params == 0:
                continue  # a count of zero on every ReLU is noise in a review
            found.append(Finding(display_path, layer.span, report.index, "note", "layer-params",
                                 f"{layer.layer.rsplit('.', 1)[1]} parameters",
                                 layer_message(layer)))
    for d in diagnostics:
        rule = d.code if d.code in CHECKS else "layer-params"
        found.append(Finding(display_path, d.span, report.index, _LEVELS[d.severity], rule,
                             f"paramlens {d.code}", d.message))
    return sorted(found, key=lambda f: (f.span.line, f.span.column, f.rule))
