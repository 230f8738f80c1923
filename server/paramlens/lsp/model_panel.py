"""`paramlens/modelSummary`: the tree of one model for the editor's summary panel.

The tree is the one `paramlens summary` prints (engine/evaluate/tree.py), taken from the
document's current evaluation, so the panel and the CLI never disagree. Which model: the one a
lens or the cursor is on (`find`). The answer always says what it is (`status`):
- "built": the tree, with `note` saying which model it is when the code builds it several times
  or only inside other models;
- "notBuilt": the position is on a model the code never builds (a block class nothing builds);
- "none": the evaluation is done and the file builds no model;
- "pending": the evaluation is not done yet (the server then tells the client when it is, with
  `paramlens/modelSummaryReady`);
- "unavailable": the file cannot be evaluated (too large, nested too deeply).
Each row's `line` is 0-based in the document that holds it: `uri` names that document where it
is not the one asked about (a notebook's other cell); a row made in another file (an imported
module) has `line` null.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from paramlens.engine.evaluate.entries import Evaluation
from paramlens.engine.evaluate.several import Made, choose_call, choose_instance, model_of
from paramlens.engine.evaluate.tree import ModelSummary, SummaryRow, entry_tree
from paramlens.engine.results import ModelTotal

DEPTH = 3  # as the CLI's default: deeper rows are torchinfo's "..." territory
WAIT = 5.0  # seconds the evaluation may take: asked for by a click, not by typing
CLASS_KINDS = ("nn.Module", "keras.Model", "builder")  # a lens on a def: the rest are calls
PENDING = "This file is not analysed yet: its summary shows here once paramlens has evaluated it."
NONE = "No model is built in this file."
OVER_BUDGET = "paramlens stopped evaluating this file: it takes longer than its time budget."
FAILED = "paramlens failed on this file; the log has the details."
READY = "paramlens/modelSummaryReady"  # server → client: {uri}, a "pending" answer may be asked again

# a 1-based line of the evaluated program → (the document holding it, None for the one asked
# about; its 0-based line there), or None where no document shows it
Place = Callable[[int], tuple[str | None, int] | None]
Words = Callable[[str], str]  # words about the program's lines, as the document's user names them
Inside = Sequence[tuple[str, int, list[Made]]]  # Evaluation.inside's: (class, its line, instances)


@dataclass(frozen=True)
class Found:
    tree: ModelSummary | None  # None: the position is on a model the code does not build
    note: str = ""  # which model the tree is (one of several), or why there is none


def status(kind: str, message: str) -> dict[str, Any]:
    return {"status": kind, "message": message}


def find(evaluation: Evaluation, path: str, lines: list[str], at: tuple[int, int] | None,
         name: str | None, lenses: Sequence[ModelTotal]) -> Found | None:
    """The model asked for: by `name`; else the one at `at` (1-based line, character column):
    a call that makes a model holding it, a model defined or bound on its line, else the
    innermost model definition above it; else the file's largest. None: the file builds none."""
    built = evaluation.summaries(path, DEPTH)
    inside = evaluation.inside.get(path, [])
    if name:
        return _named(built, inside, path, name)
    if at is not None:
        found = _at(evaluation, built, inside, path, lines, at, lenses)
        if found is not None:
            return found
    if not built:
        return None
    return Found(max(built, key=lambda pair: pair[1].known)[1])


def _named(built: list[tuple[int, ModelSummary]], inside: Inside, path: str, name: str
           ) -> Found | None:
    tree = next((tree for _, tree in built if tree.root.name == name), None)
    if tree is not None:
        return Found(tree)
    held = next(((cls, made) for cls, _line, made in inside if cls == name), None)
    if held is not None:
        return _instance(held[0], path, held[1])
    return Found(None, f"No model named {name} is built in this file.")


def _at(evaluation: Evaluation, built: list[tuple[int, ModelSummary]], inside: Inside, path: str,
        lines: list[str], at: tuple[int, int], lenses: Sequence[ModelTotal]) -> Found | None:
    line, column = at
    made = _calls_at(evaluation, path, lines, line, column)
    if made:
        chosen = choose_call(made)
        tree = entry_tree(model_of(chosen.value), _kind(chosen.value), chosen.result, DEPTH)
        return Found(tree, chosen.note)
    # each model defined or bound in the file: (its line, what the panel shows for it)
    anchors: dict[int, Callable[[], Found]] = {}
    for lens in lenses:  # a model the code never builds: said so (a call's only on its line)
        if lens.kind in CLASS_KINDS or lens.span.line == line:
            anchors[lens.span.line] = _not_built(lens)
    for cls, start, instances in inside:
        anchors[start] = _bind_instance(cls, path, instances)
    for start, tree in built:
        anchors[start] = _bind_tree(tree)
    if line in anchors:
        return anchors[line]()
    above = [start for start in anchors if start <= line]
    return anchors[max(above)]() if above else None


def _bind_tree(tree: ModelSummary) -> Callable[[], Found]:
    return lambda: Found(tree)


def _bind_instance(cls: str, path: str, instances: list[Made]) -> Callable[[], Found]:
    return lambda: _instance(cls, path, instances)


def _instance(cls: str, path: str, instances: list[Made]) -> Found:
    chosen = choose_instance(cls, path, instances)
    return Found(entry_tree(chosen.value, cls, chosen.result, DEPTH), chosen.note)


def _not_built(lens: ModelTotal) -> Callable[[], Found]:
    if lens.kind in ("nn.Module", "keras.Model"):
        words = f"{lens.name} is not built on its own, and no model that this file builds " \
                f"holds one."
    elif lens.kind == "builder":
        words = f"{lens.name} is not run with arguments the file fixes: its model is not built."
    else:
        words = f"The {lens.name} made on line {lens.span.line} is not built by the code this " \
                f"file runs (nothing calls its function with arguments the code fixes)."
    if lens.why:
        words += f" ({lens.why})"
    return lambda: Found(None, words)


def _kind(value: Any) -> str:
    """A call's model is named for what made it: `Sequential`, `BasicBlock`, `resnet18`."""
    kind = getattr(value, "kind", None)
    return kind if isinstance(kind, str) else type(value).__name__


def _calls_at(evaluation: Evaluation, path: str, lines: list[str], line: int, column: int
              ) -> list[Made]:
    """What the innermost call holding the position made, each time it ran (as a hover on it
    finds it)."""
    if not 1 <= line <= len(lines):
        return []
    byte = len(lines[line - 1][:column].encode("utf-8", errors="surrogatepass"))
    holding: list[tuple[int, list[Made]]] = []
    for site, made in evaluation.call_models.items():
        if site[0] != path or site[1] != line or not made:
            continue
        node = getattr(made[0][0], "node", None)
        end = getattr(node, "end_col_offset", None)
        if getattr(node, "end_lineno", line) != line or end is None:
            end = 1 << 30
        if site[2] <= byte <= end:
            holding.append((site[2], made))
    return max(holding, key=lambda pair: pair[0])[1] if holding else []


def row_json(row: SummaryRow, path: str, place: Place) -> dict[str, Any]:
    here = row.line is not None and (not row.path or os.path.abspath(row.path) == path)
    spot = place(row.line) if here and row.line is not None else None
    # "className", not "class": a Python keyword, which a namedtuple of the answer renames
    return {"name": row.name, "className": row.class_name, "depth": row.depth,
            "params": row.params, "trainable": row.trainable, "shared": row.shared,
            "outputShape": list(row.output_shape) if row.output_shape is not None else None,
            "line": spot[1] if spot is not None else None,
            "uri": spot[0] if spot is not None else None,
            "children": [row_json(child, path, place) for child in row.children]}


def summary_json(found: Found, path: str, place: Place, words: Words) -> dict[str, Any]:
    tree = found.tree
    if tree is None:
        return status("notBuilt", words(found.note))
    return {"status": "built", "name": tree.root.name, "root": row_json(tree.root, path, place),
            "total": tree.total, "trainable": tree.trainable, "known": tree.known,
            "why": words(tree.why), "depth": tree.depth, "note": words(found.note)}


def same_document(line: int) -> tuple[str | None, int] | None:
    return None, line - 1


def model_summary(evaluation: Evaluation, path: str, lines: list[str],
                  at: tuple[int, int] | None, name: str | None, lenses: Sequence[ModelTotal],
                  place: Place = same_document, words: Words = str) -> dict[str, Any]:
    """The panel's JSON for the model at `at` (1-based line, character column) or named, from
    a finished evaluation."""
    path = os.path.abspath(path)
    found = find(evaluation, path, lines, at, name, lenses)
    if found is None:
        return status("none", NONE)
    return summary_json(found, path, place, words)
