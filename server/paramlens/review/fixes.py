"""Writing the engine's proven fixes (`engine.results.Fix`) into a source text.

The change itself is made on libcst's concrete tree (fix_cst.py), never by string surgery, and
handed back as the smallest text edit that turns the old text into the new one: every byte
outside it (comments, trailing commas, line breaks inside a call, CRLF) stays as it was. A
source libcst cannot parse, or a fix whose node is not where it says, gives no fix: never a
guess.

libcst costs about a tenth of a second to import, so it is loaded only inside these functions:
`paramlens check` without `--fix` and the server's hover and diagnostics never load it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from paramlens.engine.results import Fix, Span

# Where a line ends, as Python's tokenizer, libcst and LSP agree: \r\n, \r or \n.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class TextEdit:
    """Replace the old text from (line, column) to (end_line, end_column) with `new_text`.
    Lines are 1-based and columns 0-based code points, as everywhere in results.py; a line ends
    at \\r\\n, \\r or \\n."""

    line: int
    column: int
    end_line: int
    end_column: int
    new_text: str

    @property
    def span(self) -> Span:
        return Span(self.line, self.column, self.end_line, self.end_column)


@dataclass(frozen=True)
class Fixed:
    """A source with fixes written in: the new text, and which fixes it holds."""

    text: str
    applied: tuple[Fix, ...]  # in the order they were given
    refused: tuple[Fix, ...]  # node not found, or not a change the call allows (a *args, ...)


def apply_fixes(source: str, fixes: Sequence[Fix]) -> Fixed | None:
    """All the fixes written in one pass over the tree: inner nodes are rewritten before the
    calls or lists around them, each on the node as the earlier fixes left it, so the text is
    the one applying them one at a time gives. None when libcst cannot parse the source, or
    the result would not be valid Python."""
    from paramlens.review import fix_cst

    return fix_cst.rewrite(source, list(fixes))


def fix_edits(source: str, fixes: Sequence[Fix]) -> list[TextEdit | None]:
    """Each fix's own edit of the source, or None where it has none."""
    from paramlens.review import fix_cst

    edits: list[TextEdit | None] = []
    for fix in fixes:
        fixed = fix_cst.rewrite(source, [fix])
        edits.append(minimal_edit(source, fixed.text) if fixed is not None and fixed.applied
                     else None)
    return edits


def fix_edit(source: str, fix: Fix) -> TextEdit | None:
    return fix_edits(source, [fix])[0]


def minimal_edit(old: str, new: str) -> TextEdit | None:
    """The one edit that turns `old` into `new`: what lies between their common prefix and
    their common suffix, widened to whole words (`True` → `False`, not `Tru` → `Fals`: the same
    text results, and an editor's preview reads right). None when they are equal."""
    if old == new:
        return None
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    # a word cut at either end of the edit is taken whole
    old_stop, new_stop = len(old) - end, len(new) - end
    while start > 0 and _word(old[start - 1]) and (
            start < old_stop and _word(old[start]) or start < new_stop and _word(new[start])):
        start -= 1
    while end > 0:
        old_stop, new_stop = len(old) - end, len(new) - end
        if not _word(old[old_stop]) or not (old_stop > start and _word(old[old_stop - 1]) or
                                            new_stop > start and _word(new[new_stop - 1])):
            break
        end -= 1
    # never between the \r and the \n of one line break: the edit's ends are positions in lines
    if 0 < start < len(old) and old[start - 1] == "\r" and old[start] == "\n":
        start -= 1
    old_end = len(old) - end
    if 0 < old_end < len(old) and old[old_end - 1] == "\r" and old[old_end] == "\n":
        end -= 1
        old_end += 1
    line, column = position_of(old, start)
    end_line, end_column = position_of(old, old_end)
    return TextEdit(line, column, end_line, end_column, new[start:len(new) - end])


def _word(character: str) -> bool:
    return character.isalnum() or character == "_"


def line_starts(text: str) -> list[int]:
    """The offset at which each line of the text starts."""
    return [0] + [match.end() for match in _LINE_BREAK.finditer(text)]


def position_of(text: str, offset: int, starts: list[int] | None = None) -> tuple[int, int]:
    """A code-point offset as (1-based line, 0-based column)."""
    starts = starts if starts is not None else line_starts(text)
    low, high = 0, len(starts) - 1
    while low < high:  # the last line starting at or before the offset
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low + 1, offset - starts[low]


def offset_of(starts: list[int], line: int, column: int) -> int:
    return starts[line - 1] + column


def apply_edit(text: str, edit: TextEdit) -> str:
    starts = line_starts(text)
    start = offset_of(starts, edit.line, edit.column)
    end = offset_of(starts, edit.end_line, edit.end_column)
    return text[:start] + edit.new_text + text[end:]
