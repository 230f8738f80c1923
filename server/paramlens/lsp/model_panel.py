"""`paramlens/modelSummary`: the tree of one model for the editor's summary panel.

The tree is the one `paramlens summary` prints (engine/evaluate/tree.py), taken from the
document's current evaluation, so the panel and the CLI never disagree. Lines are 0-based LSP
lines of the document; a row made in another file (an imported module) has `line` null, since
the panel can only reveal lines of the document it was asked about.
"""

from __future__ import annotations

import os
from typing import Any

from paramlens.engine.evaluate.tree import ModelSummary, SummaryRow

DEPTH = 3  # as the CLI's default: deeper rows are torchinfo's "..." territory
WAIT = 5.0  # seconds the evaluation may take: asked for by a click, not by typing


def pick(found: list[tuple[int, ModelSummary]], line: int | None,
         name: str | None) -> ModelSummary | None:
    """The model asked for by name; else the last one starting at or above the 1-based `line`
    (the class or builder the cursor is in); else the file's largest."""
    if not found:
        return None
    if name:
        return next((tree for _, tree in found if tree.root.name == name), None)
    if line is not None:
        above = [(start, tree) for start, tree in found if start <= line]
        if above:
            return max(above, key=lambda pair: pair[0])[1]
    return max(found, key=lambda pair: pair[1].known)[1]


def row_json(row: SummaryRow, path: str) -> dict[str, Any]:
    here = row.line is not None and (not row.path or os.path.abspath(row.path) == path)
    # "className", not "class": a Python keyword, which a namedtuple of the answer renames
    return {"name": row.name, "className": row.class_name, "depth": row.depth,
            "params": row.params, "trainable": row.trainable, "shared": row.shared,
            "line": row.line - 1 if here and row.line is not None else None,
            "children": [row_json(child, path) for child in row.children]}


def summary_json(tree: ModelSummary, path: str) -> dict[str, Any]:
    return {"name": tree.root.name, "root": row_json(tree.root, path),
            "total": tree.total, "trainable": tree.trainable, "known": tree.known,
            "why": tree.why, "depth": tree.depth}


def model_summary(evaluation: Any, path: str, line: int | None,
                  name: str | None) -> dict[str, Any] | None:
    """The panel's JSON for the model at the 1-based `line` (or named), None if none is built."""
    if evaluation is None:
        return None
    path = os.path.abspath(path)
    tree = pick(evaluation.summaries(path, DEPTH), line, name)
    return summary_json(tree, path) if tree is not None else None
