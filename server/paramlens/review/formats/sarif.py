"""SARIF 2.1.0 as GitHub code scanning takes it: rules from the checks, results with 1-based
regions (UTF-16 columns, the SARIF default), repository-relative URIs, and fingerprints that stay
the same when lines move."""

from __future__ import annotations

import hashlib
import json

from paramlens import __version__
from paramlens.review.formats.findings import Finding
from paramlens.review.registry import CHECKS


def _fingerprint(finding: Finding, seen: dict[str, int]) -> str:
    """Stable across runs and across edits elsewhere: the rule, the file, the text of the line
    (not its number), and which occurrence of that text it is."""
    text = finding.line_text if finding.line_text is not None else \
        finding.index.line_text(finding.span.line) if finding.index else ""
    text = text.strip()
    key = f"{finding.rule}|{finding.path}|{text}"
    seen[key] = seen.get(key, 0) + 1
    return hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest()[:32]


def _region(finding: Finding) -> dict[str, int]:
    """1-based lines, UTF-16 columns; whole lines (no columns) for a notebook's finding."""
    span = finding.span
    if finding.whole_lines:
        return {"startLine": span.line, "endLine": span.end_line}
    return {"startLine": span.line,
            "startColumn": finding.column(span.line, span.column, "utf-16"),
            "endLine": span.end_line,
            "endColumn": finding.column(span.end_line, span.end_column, "utf-16")}


def render_sarif(findings: list[Finding]) -> str:
    rule_ids = list(CHECKS)
    rules = [{
        "id": check.code,
        "name": check.code.title().replace("-", ""),
        "shortDescription": {"text": check.short},
        "fullDescription": {"text": f"{check.short}. Reported when {check.fact}."},
        "help": {"text": check.help},
        "defaultConfiguration": {"level": check.level},
    } for check in CHECKS.values()]
    seen: dict[str, int] = {}
    results = []
    for finding in findings:
        results.append({
            "ruleId": finding.rule,
            "ruleIndex": rule_ids.index(finding.rule),
            "level": finding.level,
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                "region": _region(finding),
            }}],
            "partialFingerprints": {"paramlens/v1": _fingerprint(finding, seen)},
        })
    return json.dumps({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "paramlens", "version": __version__, "rules": rules}},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    }, indent=1)
