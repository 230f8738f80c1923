"""`paramlens annotate`'s codemod: a `# 280 params` comment at the end of each counted layer
call's line and of each model's `class`/`def` line, written, refreshed or removed.

What is written is recognised later by a strict pattern anchored at the end of the comment, so
a user's own comment on the line is kept in front of it (`# stem  # 448 params`), a refresh
changes only our part, and `--remove` gives back the bytes there were before.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange, WhitespaceInclusivePositionProvider

from paramlens.engine.results import FileReport, LayerResult, ModelTotal
from paramlens.review.rewriting import Rewrite, line_ends, parse, replace_nodes

SEPARATOR = "  "  # between the code (or the user's comment) and ours, as PEP 8 asks
_COUNT = r"≈?\d{1,3}(?:,\d{3})*"  # 9,232 or ≈280: thousands separated as everywhere else
_OURS = rf"# {_COUNT}(?: \+ {_COUNT})* params"
# The whole comment is ours, or it ends with ours after the separator. Spaces after it (an
# editor's) are taken as part of it, so that they do not hide it from a refresh.
_WHOLE = re.compile(rf"(?P<ours>{_OURS})[ \t]*")
_SUFFIX = re.compile(rf"{SEPARATOR}(?P<ours>{_OURS})[ \t]*\Z")


@dataclass(frozen=True)
class Count:
    value: int
    certain: bool  # False: it rests on defaults or on the file's own calls (`≈`)

    def text(self) -> str:
        return f"{'' if self.certain else '≈'}{self.value:,}"


def comment_text(counts: list[Count]) -> str:
    """`# 448 params`, or `# 448 + ≈32 params` for several calls ending on one line."""
    return "# " + " + ".join(c.text() for c in counts) + " params"


def layer_count(layer: LayerResult) -> Count | None:
    """Certain when the file fixes it, else under its defaults, else none. A layer that owns no
    parameters whatever its arguments (an activation) gets none, as it gets no inlay hint."""
    if layer.never_has_parameters:
        return None
    value, certain = layer.shown_count
    return Count(value, certain) if value is not None else None


def total_count(total: ModelTotal) -> Count | None:
    if total.exact is not None:
        return Count(total.exact, True)
    if total.params_default is not None:
        return Count(total.params_default, False)
    return None  # open: a lower bound or a range is not a count


@dataclass(frozen=True)
class Split:
    """A trailing comment cut into the user's part and ours."""

    user: str | None
    ours: str | None
    exact: bool  # ours is exactly as written (nothing after it)


def split_comment(comment: cst.Comment | None) -> Split:
    if comment is None:
        return Split(None, None, True)
    value = comment.value
    whole = _WHOLE.fullmatch(value)
    if whole is not None:
        return Split(None, whole["ours"], whole.end("ours") == len(value))
    suffix = _SUFFIX.search(value)
    if suffix is not None:
        return Split(value[:suffix.start()], suffix["ours"], suffix.end("ours") == len(value))
    return Split(value, None, True)


def wanted_comments(report: FileReport, def_lines: Mapping[int, str]) -> dict[int, list[Count]]:
    """The counts to write, by line: each layer's at the line its call ends, each model's at its
    `class`/`def` line (`def_lines`: the line of each class or function name, with the name)."""
    totals: dict[int, list[Count]] = {}
    for total in report.models:
        count = total_count(total)
        # Sequential(...) and Model(...) totals sit on calls, not on a class or def line.
        if count is not None and def_lines.get(total.span.line) == total.name:
            totals[total.span.line] = [count]
    layers: dict[int, list[tuple[tuple[int, int], Count]]] = {}
    seen = set()
    # a call building several classes (through a variable) has no one count to write
    classes = Counter(layer.span for layer in report.layers)
    for layer in report.layers:
        count = layer_count(layer)
        if count is None or layer.span in seen or classes[layer.span] > 1:
            continue
        seen.add(layer.span)
        if layer.span.end_line in totals:
            # A layer ending on a model's header line (a default argument): one comment a line,
            # and a total beside layer counts would read as their sum.
            continue
        key = (layer.span.end_column, layer.span.column)
        layers.setdefault(layer.span.end_line, []).append((key, count))
    wanted = dict(totals)
    for line, found in layers.items():
        wanted[line] = [count for _key, count in sorted(found, key=lambda item: item[0])]
    return wanted


@dataclass
class Changes:
    written: int = 0  # ours added where there was none
    refreshed: int = 0  # ours there, with other counts
    removed: int = 0  # ours there, no count for the line any more
    skipped: list[int] = field(default_factory=list)  # lines with counts that cannot be written

    @property
    def any(self) -> bool:
        return bool(self.written or self.refreshed or self.removed)


def rewritten(line: cst.TrailingWhitespace, want: str | None, changes: Changes
              ) -> cst.TrailingWhitespace:
    """The line's end with our comment `want` (or none), the user's comment kept before it."""
    found = split_comment(line.comment)
    if found.ours == want and found.exact:
        return line
    whitespace = line.whitespace.value
    if want is None:
        if found.ours is None:
            return line
        changes.removed += 1
        if found.user is not None:
            return line.with_changes(comment=cst.Comment(found.user))
        # written as whitespace + SEPARATOR + ours: take back what was added
        if whitespace.endswith(SEPARATOR):
            whitespace = whitespace[:-len(SEPARATOR)]
        return line.with_changes(whitespace=cst.SimpleWhitespace(whitespace), comment=None)
    if found.ours is None:
        changes.written += 1
        if found.user is not None:
            return line.with_changes(comment=cst.Comment(found.user + SEPARATOR + want))
        # after any whitespace already there, so that removing gives it back
        return line.with_changes(whitespace=cst.SimpleWhitespace(whitespace + SEPARATOR),
                                 comment=cst.Comment(want))
    changes.refreshed += 1
    prefix = "" if found.user is None else found.user + SEPARATOR
    return line.with_changes(comment=cst.Comment(prefix + want))


def definition_lines(positions: Mapping[cst.CSTNode, CodeRange]) -> dict[int, str]:
    """The line of each class and function name (the `class`/`def` keyword's line, where the
    engine puts a model's total), with the name. From the positions already resolved: a visit of
    the whole tree for this would cost as much as the parse."""
    return {positions[node.name].start.line: node.name.value for node in positions
            if isinstance(node, (cst.ClassDef, cst.FunctionDef))}


class AnnotateCounts(Rewrite):
    """Writes the counts of `report` (the engine's, for this very source) as trailing comments,
    refreshes ours that differ, removes ours where no count is left; with `remove`, removes
    them all."""

    METADATA_DEPENDENCIES = (WhitespaceInclusivePositionProvider,)

    def __init__(self, report: FileReport, remove: bool = False) -> None:
        super().__init__()
        self.report = report
        self.remove = remove
        self.changes = Changes()

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        positions = self.metadata[WhitespaceInclusivePositionProvider]
        ends = line_ends(positions)
        wanted: dict[int, list[Count]] = {}
        if not self.remove:
            wanted = wanted_comments(self.report, definition_lines(positions))
        texts = {number: comment_text(counts) for number, counts in wanted.items()}
        # Skipped: counts for a line that no TrailingWhitespace ends (it ends inside a
        # multi-line string, or with a backslash) have no place where a comment is still the
        # code's; and `≈` cannot be written in a file whose encoding lacks it (latin-1).
        self.changes.skipped = sorted(number for number, text in texts.items()
                                      if number not in ends or not _encodable(text, tree.encoding))
        for number in self.changes.skipped:
            del texts[number]
        replacements: dict[cst.CSTNode, cst.CSTNode] = {}
        for number, line in ends.items():
            new = rewritten(line, texts.get(number), self.changes)
            if new is not line:
                replacements[line] = new
        return replace_nodes(tree, replacements, positions)


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Annotated:
    """One file's outcome: its new bytes (None: unchanged) and what changed."""

    data: bytes | None
    changes: Changes


def worth_parsing(data: bytes, report: FileReport, remove: bool = False) -> bool:
    """Whether the file may change: it has a count to write, or may hold a comment of ours. A
    file with neither is left without parsing it."""
    counted = not remove and (any(layer_count(layer) for layer in report.layers)
                              or any(total_count(total) for total in report.models))
    return counted or b"params" in data


def annotate_source(data: bytes, report: FileReport, remove: bool = False) -> Annotated:
    """The file's bytes with its comments written (or removed). `report` is the engine's report
    for these bytes. Raises rewriting.Unparsable when libcst cannot read them."""
    if not worth_parsing(data, report, remove):
        return Annotated(None, Changes())
    codemod = AnnotateCounts(report, remove)
    module = codemod.transform_module(parse(data))
    if not codemod.changes.any:
        return Annotated(None, codemod.changes)
    new = module.bytes
    return Annotated(new if new != data else None, codemod.changes)
