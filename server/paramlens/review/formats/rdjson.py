"""reviewdog's Diagnostic Format (rdjson): 1-based lines, 1-based UTF-8 byte columns."""

from __future__ import annotations

import json

from paramlens.review.formats.findings import Finding

_SEVERITY = {"error": "ERROR", "warning": "WARNING", "note": "INFO"}


def render_rdjson(findings: list[Finding]) -> str:
    diagnostics = []
    for finding in findings:
        span = finding.span
        diagnostics.append({
            "message": finding.message,
            "location": {"path": finding.path, "range": {
                "start": {"line": span.line,
                          "column": finding.column(span.line, span.column, "utf-8")},
                "end": {"line": span.end_line,
                        "column": finding.column(span.end_line, span.end_column, "utf-8")},
            }},
            "severity": _SEVERITY[finding.level],
            "code": {"value": finding.rule},
        })
    return json.dumps({"source": {"name": "paramlens"}, "severity": "INFO",
                       "diagnostics": diagnostics}, indent=1)
