"""GitHub Actions workflow commands: `::notice file=…,line=…::message`, one per finding.

GitHub shows only 10 annotations of each kind per step, so notices are capped and the rest are
summed up in one. Errors are never capped.
"""

from __future__ import annotations

from paramlens.review.formats.findings import Finding

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    span = finding.span
    properties = {"file": finding.path, "line": str(span.line)}
    if not finding.whole_lines:
        properties["col"] = str(finding.column(span.line, span.column, "code points"))
    properties["endLine"] = str(span.end_line)
    if not finding.whole_lines:
        properties["endColumn"] = str(finding.column(span.end_line, span.end_column,
                                                     "code points"))
    properties["title"] = finding.title
    joined = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items())
    return f"::{_COMMAND[finding.level]} {joined}::{escape_data(finding.message)}"


def render_github(findings: list[Finding], max_notices: int) -> str:
    """Past the cap, the layer counts go first: a finding of a check (redundant-bias) is shown
    before any count, and the summary says what it leaves out."""
    lines: list[str] = []
    notices = [f for f in findings if f.level == "note"]
    ranked = [f for f in notices if f.rule != "layer-params"] + \
        [f for f in notices if f.rule == "layer-params"]
    kept = ranked if len(ranked) <= max_notices else ranked[:max(max_notices - 1, 0)]
    shown = {id(f) for f in kept}
    for finding in findings:
        if finding.level != "note" or id(finding) in shown:
            lines.append(command(finding))
    left = [f for f in notices if id(f) not in shown]
    if left:
        counts = sum(1 for f in left if f.rule == "layer-params")
        others = len(left) - counts
        what = " and ".join(part for part in (
            f"{counts} more layer count{'s' if counts != 1 else ''}" if counts else "",
            f"{others} more note{'s' if others != 1 else ''}" if others else "") if part)
        files = len({f.path for f in left})
        lines.append(f"::notice title=paramlens::{what} in {files} "
                     f"file{'s' if files != 1 else ''} (GitHub shows 10 annotations per step; "
                     "run paramlens check for the table)")
    return "\n".join(lines)
