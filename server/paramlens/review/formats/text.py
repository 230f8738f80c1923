"""The table `paramlens check` prints by default, laid out by rich to the terminal's width.

Each file's layers are grouped by the model (class or builder) whose code builds them, under a
title with that model's total. Cells wrap inside their column rather than being cut, and the
count column never wraps, so no count is ever shortened. Layers that own no parameters (ReLU,
pooling, `Add`) are left out unless asked for. Colour only where the caller says the output is a
terminal that wants it (rich honours NO_COLOR too).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from paramlens.engine.notebook import Notebook
from paramlens.engine.results import (
    Diagnostic,
    FileReport,
    LayerResult,
    ModelTotal,
    submodule_counts,
)

DEFAULT_WIDTH = 100  # when the output is not a terminal and $COLUMNS is not set
_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "information": "cyan",
                   "hint": "dim"}


@dataclass(frozen=True)
class TextOptions:
    width: int = DEFAULT_WIDTH
    color: bool = False
    show_all: bool = False  # parameterless layers too


def params_cell(layer: LayerResult) -> str:
    count, certain = layer.shown_count
    if count is None:
        return "?"
    return f"{count:,}{'' if certain else '*'}"


def _shape_cell(layer: LayerResult) -> str:
    groups = submodule_counts(layer.tensors, assumed=layer.params is None)
    if groups is not None:
        return " + ".join(f"{name} {'?' if n is None else f'{n:,}'}" for name, n in groups)
    return " + ".join(f"{t.name} {t.text}" + ("?" if t.present is None else "")
                      for t in layer.tensors)


def _in_cell(layer: LayerResult) -> str:
    if layer.in_channels_from == "not needed":
        return "-"
    cell = str(layer.in_channels if layer.in_channels is not None else
               layer.in_channels_default if layer.in_channels_default is not None
               else layer.in_channels_text)
    if layer.in_channels_from != "literal":
        cell += f" ({layer.in_channels_from})"
    return cell


def _group(layer: LayerResult) -> str:
    """The class or top-level function whose code builds the layer ("" for module level)."""
    group = layer.scope.split(".", 1)[0] if layer.scope else ""
    return "" if group == "<module>" else group


def _title(path: str, group: str, models: list[ModelTotal], notebook: Notebook | None) -> Text:
    title = Text(f"{path}", style="bold")
    if not group:
        return title.append("  module level", style="dim")
    title.append(f"  {group}", style="bold cyan")
    for model in models:
        if model.name == group and model.kind in ("nn.Module", "builder", "model", "Model"):
            where = _line(notebook, model.span.line)
            return title.append(f" ({'line ' if notebook is None else ''}{where}): "
                                f"{model.words()}")
    return title


def _line(notebook: Notebook | None, line: int) -> str:
    """`5`, or in a notebook `cell 3:5`."""
    return notebook.place(line) if notebook is not None else str(line)


def _table(layers: list[LayerResult], notebook: Notebook | None) -> Table:
    table = Table(box=box.SIMPLE_HEAD, safe_box=True, header_style="bold", pad_edge=False,
                  expand=False, width=None, show_edge=False)
    table.add_column("line", justify="right", no_wrap=True)
    table.add_column("layer", overflow="fold", max_width=24)
    table.add_column("in channels (from)", overflow="fold", ratio=2)
    table.add_column("weights", overflow="fold", ratio=3)
    table.add_column("params", justify="right", no_wrap=True, style="bold")
    for layer in layers:
        table.add_row(_line(notebook, layer.span.line), layer.layer.rsplit(".", 1)[1],
                      _in_cell(layer),
                      _shape_cell(layer), params_cell(layer))
    return table


def _notes(path: str, layers: list[LayerResult], notebook: Notebook | None) -> list[Text]:
    notes: list[Text] = []
    for layer in layers:
        where = f"{path}:{_line(notebook, layer.span.line)}"
        if layer.params is None and layer.params_default is not None:
            notes.append(Text(f"{where}: * assumes {'; '.join(layer.assumptions) or 'defaults'}"))
        elif layer.params is None:
            notes.append(Text(f"{where}: ? = {layer.formula}"
                              + (f" ({', '.join(layer.unknowns)})" if layer.unknowns else "")))
    return notes


def _finding(path: str, d: Diagnostic, notebook: Notebook | None) -> Text:
    line = Text(f"{path}:{_line(notebook, d.span.line)}:{d.span.column + 1}: ")
    line.append(d.severity, style=_SEVERITY_STYLE.get(d.severity, ""))
    return line.append(f" [{d.code}] {d.message}")


def render_text(reports: list[FileReport], options: TextOptions | None = None,
                notebooks: Sequence[Notebook | None] = ()) -> str:
    """`notebooks`: each report's notebook, where it is one (its lines are named by cell)."""
    options = options or TextOptions()
    books = list(notebooks) + [None] * (len(reports) - len(notebooks))
    out = io.StringIO()
    console = Console(file=out, width=options.width, force_terminal=options.color,
                      no_color=not options.color, color_system="standard" if options.color
                      else None, highlight=False, emoji=False, markup=False,
                      legacy_windows=False)
    grand_known = grand_unknown = hidden = 0
    layers_total = 0
    for report, notebook in zip(reports, books, strict=True):
        if report.error:
            console.print(_finding_text(f"{report.path}: error: {report.error}", "error"))
            continue
        groups: dict[str, list[LayerResult]] = {}
        for layer in report.layers:
            layers_total += 1
            if layer.params is not None:
                grand_known += layer.params
            else:
                grand_unknown += 1
            if layer.never_has_parameters and not options.show_all:
                hidden += 1
                continue
            groups.setdefault(_group(layer), []).append(layer)
        for n, (group, layers) in enumerate(groups.items()):
            if n:
                console.print()
            console.print(_title(report.path, group, report.models, notebook))
            console.print(_table(layers, notebook))
            for note in _notes(report.path, layers, notebook):
                console.print(note, style="dim")
        for d in report.diagnostics:
            console.print(_finding(report.path, d, notebook))
        shown = {g for g in groups}
        for model in report.models:
            if model.name in shown and model.kind in ("nn.Module", "builder", "model", "Model"):
                continue  # its total stands in its group's title
            console.print(Text(f"{report.path}:{_line(notebook, model.span.line)}: {model.kind} "
                               f"{model.name}: "
                               f"{model.words()}"))
        if groups or report.diagnostics or report.models:
            console.print()
    if hidden:
        console.print(Text(f"{hidden} layers without parameters are not shown (--all shows "
                           "them)", style="dim"))
    console.print(Text(
        f"total: {grand_known:,} parameters certain in {layers_total - grand_unknown} of "
        f"{layers_total} layers; {grand_unknown} not fixed by the code ({len(reports)} files, "
        f"{sum(1 for r in reports if r.error)} with errors)"))
    # rich pads every cell to its column's width: no line keeps the spaces it ends with
    return "\n".join(line.rstrip() for line in out.getvalue().rstrip("\n").split("\n"))


def _finding_text(text: str, severity: str) -> Text:
    return Text(text, style=_SEVERITY_STYLE.get(severity, ""))
