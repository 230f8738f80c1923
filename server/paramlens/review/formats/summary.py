"""`paramlens summary`'s output: a model's tree in torchinfo's layout, or as JSON.

The text follows torchinfo's `summary(model, depth=N)`: one row per module down to the depth
limit, `Class (name): depth-idx` (the index counts the rows of that depth in listing order), its
Output Shape column (where the evaluation flowed a shape through the layer, else `--`, as
torchinfo marks a shape it has not; left out for a model with no shape known at all, as
torchinfo leaves it out when it is given no input), and its Param # column: a module's whole
count at the depth limit or where it has no submodules, above the limit only what it holds itself (else `--`),
`(recursive)` for a module listed before, the count in parentheses when none of it is trainable.
Then Total / Trainable / Non-trainable params, counted once each. A count the code does not fix
shows `?`, and the totals then say "at least". rich lays the rows out to the terminal's width,
as the check table does.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from paramlens.engine.evaluate.tree import ModelSummary, SummaryRow, walk_rows
from paramlens.engine.notebook import Notebook


@dataclass(frozen=True)
class ShownModel:
    path: str  # as the user named the file
    line: int  # the def, class or assignment that made it
    summary: ModelSummary
    notebook: Notebook | None = None  # the file is a notebook: lines are named by cell


def shape_cell(row: SummaryRow) -> str:
    """`(None, 48, 48, 32)`, written as Keras' summary writes it (the only shapes known are
    Keras'), or `--`."""
    if row.output_shape is None:
        return "--"
    return f"({', '.join(str(d) for d in row.output_shape)})"


def params_cell(row: SummaryRow, limit: int) -> str:
    if row.shared:
        return "(recursive)"
    if row.params is None:
        return "?"
    if row.params == 0:
        return "--"
    if row.depth >= limit or not (row.children or row.cut):
        text = f"{row.params:,}"
        return text if row.trainable or row.trainable is None else f"({text})"
    if row.own is None:
        return "?"
    return f"{row.own:,}" if row.own else "--"


def line_cell(row: SummaryRow, shown: ShownModel) -> str:
    """`36`, `cell 3:5` in a notebook, or `blocks.py:12` for a module made in another file."""
    if row.line is None:
        return ""
    if not row.path or os.path.abspath(shown.path) == row.path:
        return _line(shown, row.line)
    return f"{os.path.relpath(row.path)}:{row.line}"


def _line(shown: ShownModel, line: int) -> str:
    return shown.notebook.place(line) if shown.notebook is not None else str(line)


def _label(row: SummaryRow, index: int | None) -> str:
    if row.depth == 0:
        return row.class_name
    start = "├─" if row.depth == 1 else "│    " * (row.depth - 1) + "└─"
    name = f" ({row.name})" if row.name else ""
    return f"{start}{row.class_name}{name}: {row.depth}-{index}"


def _count(summary: ModelSummary, value: int | None) -> str:
    if value is None:
        return "? (requires_grad is set under a condition the code does not fix)"
    return f"{value:,}" if summary.total is not None else f"at least {value:,}"


def render_summary_text(models: list[ShownModel], width: int, color: bool) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, highlight=False, emoji=False,
                      markup=False, legacy_windows=False)
    for i, shown in enumerate(models):
        summary = shown.summary
        if i:
            console.print()
        console.print(f"{shown.path}:{_line(shown, shown.line)}  {summary.root.name}",
                      style="bold")
        table = Table(box=box.SIMPLE_HEAD, safe_box=True, header_style="bold", pad_edge=False,
                      show_edge=False)
        rows = list(walk_rows(summary.root))
        shapes = any(row.output_shape is not None for row in rows)
        table.add_column("Layer (type (var_name):depth-idx)", overflow="fold")
        if shapes:
            table.add_column("Output Shape", overflow="fold")
        table.add_column("Param #", justify="right", no_wrap=True)
        table.add_column("line", justify="right", no_wrap=True)
        index: dict[int, int] = {}
        for row in rows:
            index[row.depth] = index.get(row.depth, 0) + 1
            cells = [_label(row, index[row.depth]), shape_cell(row)] if shapes else \
                [_label(row, index[row.depth])]
            table.add_row(*cells, params_cell(row, summary.depth), line_cell(row, shown))
        console.print(table)
        non_trainable = None if summary.trainable is None else summary.known - summary.trainable
        console.print(f"Total params: {_count(summary, summary.known)}")
        console.print(f"Trainable params: {_count(summary, summary.trainable)}")
        console.print(f"Non-trainable params: {_count(summary, non_trainable)}")
        if summary.total is None and summary.why:
            console.print(f"? not fixed by the code: {summary.why}")
        for assumption in summary.assumptions:
            console.print(f"assumes {assumption}")
    return out.getvalue().rstrip("\n")


def row_json(row: SummaryRow, shown: ShownModel) -> dict[str, Any]:
    found = {"name": row.name, "class": row.class_name, "depth": row.depth,
             "params": row.params, "trainable": row.trainable, "line": row.line,
             "output_shape": list(row.output_shape) if row.output_shape is not None else None,
             "path": os.path.relpath(row.path) if row.path else None,
             "shared": row.shared, "cut": row.cut,
             "children": [row_json(c, shown) for c in row.children]}
    _in_cell(found, shown, row.path)
    return found


def _in_cell(found: dict[str, Any], shown: ShownModel, path: str) -> None:
    """A notebook's line as the check JSON gives it: `cell`, and `line` counted in that cell."""
    if shown.notebook is None or found["line"] is None or (
            path and path != os.path.abspath(shown.path)):
        return
    found["cell"], found["line"] = shown.notebook.locate(found["line"])


def render_summary_json(models: list[ShownModel]) -> str:
    found = []
    for shown in models:
        s = shown.summary
        found.append({"path": shown.path, "name": s.root.name, "line": shown.line,
                      "depth": s.depth, "params": s.total, "known": s.known,
                      "trainable": s.trainable if s.total is not None else None,
                      "non_trainable": s.known - s.trainable
                      if s.total is not None and s.trainable is not None else None,
                      "why": s.why, "assumptions": list(s.assumptions),
                      "tree": row_json(s.root, shown)})
        _in_cell(found[-1], shown, "")
    return json.dumps({"models": found}, indent=2)
