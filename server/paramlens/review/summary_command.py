"""`paramlens summary FILE[:MODEL]`: the tree of the models a file builds.

The file is evaluated as `paramlens check` evaluates it (engine/in_context.py), and each model
its entry points build (builders, model classes, the models its top level binds) is listed as a
tree (engine/evaluate/tree.py). MODEL picks one of them by name; without it, every one.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from paramlens.engine.in_context import evaluate_texts
from paramlens.engine.notebook import Notebook, is_notebook, read_notebook
from paramlens.engine.reading import SourceError, read_regular_bytes
from paramlens.review.formats.summary import ShownModel
from paramlens.review.sources import MAX_BYTES, read_source


@dataclass(frozen=True)
class Request:
    target: str  # FILE or FILE:MODEL
    depth: int
    fmt: str  # "text" | "json"
    width: int
    color: bool


def split_target(target: str) -> tuple[str, str | None]:
    """FILE:MODEL → (FILE, MODEL); a path that exists as given is a file, colon or not."""
    if os.path.exists(target) or ":" not in target:
        return target, None
    path, model = target.rsplit(":", 1)
    return (path, model) if model.isidentifier() else (target, None)


def find_models(path: str, depth: int) -> tuple[list[ShownModel], str | None]:
    """The file's models as trees, in source order, or why the file cannot be read."""
    notebook: Notebook | None = None
    if is_notebook(path):  # its code cells as one program; its lines are named by cell
        try:
            notebook = read_notebook(read_regular_bytes(path, MAX_BYTES))
        except SourceError as problem:
            return [], str(problem)
        text: str | None = notebook.text
    else:
        text, error = read_source(path)
        if text is None:
            return [], error
    abspath = os.path.abspath(path)
    evaluation = evaluate_texts({abspath: text})
    if evaluation is None:
        return [], "not valid Python"
    found = [ShownModel(path, line, tree, notebook)
             for line, tree in evaluation.summaries(abspath, depth)]
    found.sort(key=lambda m: m.line)
    return found, None


def run_summary(request: Request) -> int:
    path, wanted = split_target(request.target)
    models, error = find_models(path, request.depth)
    if error is not None:
        print(f"paramlens: {path}: {error}", file=sys.stderr)
        return 2
    if wanted is not None:
        chosen = [m for m in models if m.summary.root.name == wanted]
        if not chosen:
            names = sorted({m.summary.root.name for m in models})
            known = f"models: {', '.join(names)}" if names else "it builds no model"
            print(f"paramlens: no model named {wanted!r} in {path} ({known})", file=sys.stderr)
            return 2
        models = chosen
    from paramlens.review.formats.summary import render_summary_json, render_summary_text

    if request.fmt == "json":
        print(render_summary_json(models))
    elif models:
        print(render_summary_text(models, request.width, request.color))
    else:
        print(f"{path}: no model found")
    return 0
