"""The JSON report whose shape the corpus scorer reads (see the README)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring_ascii
from typing import Any

from paramlens.engine.notebook import Notebook
from paramlens.engine.results import Diagnostic, FileReport, LayerResult, ModelTotal
from paramlens.review.fixes import TextEdit, fix_edits


def layer_dict(layer: LayerResult) -> dict:
    return {
        "line": layer.span.line,
        "column": layer.span.column + 1,
        "end_line": layer.span.end_line,
        "end_column": layer.span.end_column + 1,
        "layer": layer.layer,
        "params": layer.params,
        "params_default": layer.params_default,
        "formula": layer.formula,
        "weight_shape": list(layer.weight_shape) if layer.weight_shape else None,
        "bias_shape": list(layer.bias_shape) if layer.bias_shape else None,
        "tensors": [{"name": t.name, "shape": list(t.shape) if t.shape else None,
                     "shape_text": t.text, "present": t.present} for t in layer.tensors],
        "in_channels": layer.in_channels,
        "in_channels_default": layer.in_channels_default,
        "in_channels_from": layer.in_channels_from,
        "assumptions": list(layer.assumptions),
        "unknowns": list(layer.unknowns),
        "output_shape": list(layer.output_shape) if layer.output_shape else None,
        "mult_adds": layer.mult_adds,
        "contexts": [{"params": c.params, "instances": c.instances, "via": c.via}
                     for c in layer.contexts],
    }


def diagnostic_dicts(report: FileReport) -> list[dict]:
    """Each diagnostic; one with a proven fix has `fix`: its title, kind and the edit (1-based
    lines and columns in characters, as everywhere here; the range of the text it replaces)."""
    fixed = [d for d in report.diagnostics if d.fix is not None]
    edits: dict[int, TextEdit | None] = {}
    if fixed and report.index is not None:  # libcst is loaded only for a file with a fix
        source = "\n".join(report.index.lines)
        found = fix_edits(source, [d.fix for d in fixed if d.fix is not None])
        edits = {id(d): edit for d, edit in zip(fixed, found, strict=True)}
    return [_diagnostic_dict(d, edits.get(id(d))) for d in report.diagnostics]


def _diagnostic_dict(d: Diagnostic, edit: TextEdit | None) -> dict:
    found: dict = {"line": d.span.line, "column": d.span.column + 1,
                   "end_line": d.span.end_line, "end_column": d.span.end_column + 1,
                   "severity": d.severity, "code": d.code, "message": d.message}
    if d.fix is not None and edit is not None:
        found["fix"] = {"title": d.fix.title, "kind": d.fix.kind,
                        "edit": {"line": edit.line, "column": edit.column + 1,
                                 "end_line": edit.end_line, "end_column": edit.end_column + 1,
                                 "new_text": edit.new_text}}
    return found


def model_dict(m: ModelTotal) -> dict:
    return {"name": m.name, "kind": m.kind, "line": m.span.line,
            "column": m.span.column + 1, "params": m.exact,
            "params_default": m.params_default if m.params_default is not None
            else m.exact, "params_known": m.params,
            "unknown_layers": m.unknown_layers, "trainable": m.trainable,
            "why": m.why or None, "raised": m.raised, "assumptions": list(m.assumptions),
            "totals": list(m.span_of_totals), "instances": m.instances or None,
            "children": [{"name": n, "class": c, "params": p}
                         for n, c, p in m.children]}


def in_cells(found: dict, notebook: Notebook | None) -> dict:
    """A notebook's item: `"cell": N` (1-based over all cells, as the text names it) with its
    lines counted in that cell; a .py file's item as it is."""
    if notebook is None:
        return found
    cell, line = notebook.locate(found["line"])
    moved = {"cell": cell, **found, "line": line}
    if "end_line" in found:
        moved["end_line"] = notebook.locate(found["end_line"])[1]
    fix = found.get("fix")
    if fix is not None:
        edit = fix["edit"]
        moved["fix"] = {**fix, "edit": {**edit, "line": notebook.locate(edit["line"])[1],
                                        "end_line": notebook.locate(edit["end_line"])[1]}}
    return moved


def render_json(reports: list[FileReport], notebooks: Sequence[Notebook | None] = ()) -> str:
    """`notebooks`: each report's notebook, where it is one (each item then names its cell)."""
    cells = list(notebooks) + [None] * (len(reports) - len(notebooks))
    return joined_files([file_json(report, notebook)
                         for report, notebook in zip(reports, cells, strict=True)])


def file_json(report: FileReport, notebook: Notebook | None = None) -> str:
    """One file's item of the report, as json.dumps writes it with indent=1 at the top level:
    each file's made while other files are still being analysed (cli.py), then joined."""
    out: list[str] = []
    _indented({
        "path": report.path,
        "error": report.error,
        "layers": [in_cells(layer_dict(layer), notebook) for layer in report.layers],
        "diagnostics": [in_cells(d, notebook) for d in diagnostic_dicts(report)],
        "models": [in_cells(model_dict(m), notebook) for m in report.models],
    }, 0, out)
    return "".join(out)


def _indented(value: Any, level: int, out: list[str]) -> None:
    """`json.dumps(value, indent=1)` at nesting `level`, appended to `out`: the same text, made
    without the standard library's encoder, which with an indent is its pure-Python one, a
    generator per container (on transformers' 2,597 reports: 0.32 s against 0.13 s here, in
    the main process's last stretch). What is not a str-keyed dict, a list, a tuple or a str,
    int, bool or None (a float) is json.dumps' own."""
    kind = type(value)
    if kind is str:
        out.append(encode_basestring_ascii(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif (kind is list or kind is tuple) or (kind is dict and all(type(k) is str for k in value)):
        if not value:
            out.append("{}" if kind is dict else "[]")
            return
        inner = "\n" + " " * (level + 1)
        separator = ("{" if kind is dict else "[") + inner
        for key in value:
            out.append(separator)
            if kind is dict:
                out.append(encode_basestring_ascii(key))
                out.append(": ")
                _indented(value[key], level + 1, out)
            else:
                _indented(key, level + 1, out)
            separator = "," + inner
        out.append("\n" + " " * level + ("}" if kind is dict else "]"))
    else:
        out.append(json.dumps(value, indent=1).replace("\n", "\n" + " " * level))


def joined_files(items: list[str]) -> str:
    """`json.dumps({"files": files}, indent=1)` from each file's file_json: its lines moved two
    levels in (a JSON string holds no raw line break, so every one is the layout's)."""
    if not items:
        return '{\n "files": []\n}'
    return '{\n "files": [\n  ' + ",\n  ".join(item.replace("\n", "\n  ") for item in items) \
        + "\n ]\n}"
