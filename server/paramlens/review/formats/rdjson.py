"""reviewdog's Diagnostic Format (rdjson): 1-based lines, 1-based UTF-8 byte columns."""

from __future__ import annotations

import json

from paramlens.review.formats.findings import Finding

_SEVERITY = {"error": "ERROR", "warning": "WARNING", "note": "INFO"}


def _position(finding: Finding, line: int, column: int) -> dict[str, int]:
    """A notebook's finding covers its file lines whole: no column (rdjson's is optional)."""
    if finding.whole_lines:
        return {"line": line}
    return {"line": line, "column": finding.column(line, column, "utf-8")}


def render_rdjson(findings: list[Finding]) -> str:
    diagnostics = []
    for finding in findings:
        span = finding.span
        diagnostics.append({
            "message": finding.message,
            "location": {"path": finding.path, "range": {
                "start": _position(finding, span.line, span.column),
                "end": _position(finding, span.end_line, span.end_column),
            }},
            "severity": _SEVERITY[finding.level],
            "code": {"value": finding.rule},
        })
    return json.dumps({"source": {"name": "paramlens"}, "severity": "INFO",
                       "diagnostics": diagnostics}, indent=1)
