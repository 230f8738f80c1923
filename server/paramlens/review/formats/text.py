"""The table `paramlens check` prints by default."""

from __future__ import annotations

from collections.abc import Sequence

from paramlens.engine.notebook import Notebook
from paramlens.engine.results import FileReport, LayerResult


def params_cell(layer: LayerResult) -> str:
    count, certain = layer.shown_count
    if count is None:
        return "?"
    return f"{count:,}{'' if certain else '*'}"


def _shape_cell(layer: LayerResult) -> str:
    return " + ".join(f"{t.name} {t.text}" + ("?" if t.present is None else "")
                      for t in layer.tensors)


def _where(report: FileReport, notebook: Notebook | None, line: int) -> str:
    """`model.py:5`, or in a notebook `model.ipynb:cell 3:5`."""
    return f"{report.path}:{notebook.place(line) if notebook is not None else line}"


def render_text(reports: list[FileReport], notebooks: Sequence[Notebook | None] = ()) -> str:
    """`notebooks`: each report's notebook, where it is one (its lines are named by cell)."""
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    grand_known = 0
    grand_unknown = 0
    books = list(notebooks) + [None] * (len(reports) - len(notebooks))
    for report, notebook in zip(reports, books, strict=True):
        if report.error:
            notes.append(f"{report.path}: error: {report.error}")
            continue
        for layer in report.layers:
            where = _where(report, notebook, layer.span.line)
            short = layer.layer.rsplit(".", 1)[1]
            in_cell = str(layer.in_channels if layer.in_channels is not None else
                          layer.in_channels_default if layer.in_channels_default is not None
                          else layer.in_channels_text)
            if layer.in_channels_from not in ("literal", "not needed"):
                in_cell += f" ({layer.in_channels_from})"
            elif layer.in_channels_from == "not needed":
                in_cell = "-"
            rows.append((where, short, in_cell, _shape_cell(layer), params_cell(layer)))
            if layer.params is None and layer.params_default is not None:
                notes.append(f"{where}: * assumes {'; '.join(layer.assumptions) or 'defaults'}")
            elif layer.params is None:
                notes.append(f"{where}: ? = {layer.formula}"
                             + (f" ({', '.join(layer.unknowns)})" if layer.unknowns else ""))
            if layer.params is not None:
                grand_known += layer.params
            else:
                grand_unknown += 1
        for d in report.diagnostics:
            notes.append(f"{_where(report, notebook, d.span.line)}:{d.span.column + 1}: {d.severity} "
                         f"[{d.code}] {d.message}")
    header = ("location", "layer", "in channels (from)", "weights", "params")
    lines = []
    if rows:
        widths = [min(max(len(r[i]) for r in [header, *rows]), 60) for i in range(len(header))]
        lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)).rstrip())
        for row in rows:
            cells = [c if len(c) <= 60 or i == len(row) - 1 else c[:57] + "..."
                     for i, c in enumerate(row)]
            lines.append("  ".join(c.ljust(w) if i < len(row) - 1 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths, strict=False))).rstrip())
    lines += ["", *notes] if notes else []
    for report, notebook in zip(reports, books, strict=True):
        for model in report.models:
            lines.append(f"{_where(report, notebook, model.span.line)}: {model.kind} {model.name}: "
                         f"{model.words()}")
    layers = sum(len(r.layers) for r in reports)
    lines.append(f"total: {grand_known:,} parameters certain in {layers - grand_unknown} of "
                 f"{layers} layers; {grand_unknown} not fixed by the code "
                 f"({len(reports)} files, {sum(1 for r in reports if r.error)} with errors)")
    return "\n".join(lines)
