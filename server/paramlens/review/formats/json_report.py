"""The JSON report whose shape the corpus scorer reads (see the README)."""

from __future__ import annotations

import json

from paramlens.engine.results import FileReport, LayerResult


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


def render_json(reports: list[FileReport]) -> str:
    files = []
    for report in reports:
        files.append({
            "path": report.path,
            "error": report.error,
            "layers": [layer_dict(layer) for layer in report.layers],
            "diagnostics": [{"line": d.span.line, "column": d.span.column + 1,
                             "end_line": d.span.end_line, "end_column": d.span.end_column + 1,
                             "severity": d.severity, "code": d.code, "message": d.message}
                            for d in report.diagnostics],
            "models": [{"name": m.name, "kind": m.kind, "line": m.span.line,
                        "column": m.span.column + 1, "params": m.exact,
                        "params_default": m.params_default if m.params_default is not None
                        else m.exact, "params_known": m.params,
                        "unknown_layers": m.unknown_layers, "trainable": m.trainable,
                        "why": m.why or None, "assumptions": list(m.assumptions),
                        "totals": list(m.span_of_totals), "instances": m.instances or None,
                        "children": [{"name": n, "class": c, "params": p}
                                     for n, c, p in m.children]}
                       for m in report.models],
        })
    return json.dumps({"files": files}, indent=1)
