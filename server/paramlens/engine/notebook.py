"""Jupyter notebooks as one Python program: their code cells in order, and the way back from a
line of that program to (cell, line in the cell).

The engine never sees a notebook: it analyses the composed text as any file, so that names flow
from cell to cell as they do when the cells run top to bottom. Views (the CLI's formats, the
language server) map each result's lines back with `Notebook.locate`.

Cells are numbered from 1 over all the notebook's cells, markdown included, because that is the
number a user can find: VS Code's status bar says "Cell 3 of 7" and JupyterLab counts the same
way, while execution counts (`[12]`) change on every run and are missing in unrun cells.

IPython's own syntax is not Python: a cell magic (`%%time` on the first line) makes the whole
cell another language, and `%line` magics, `!shell` lines, `x = !cmd` and `obj?` are not
statements. They are skipped, each line kept so that every other line keeps its number: a
skipped line becomes `pass` at its indentation (valid wherever a statement stood, in a block
too), its backslash continuations and a cell magic's lines become empty lines.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass

from paramlens.engine.reading import SourceError
from paramlens.engine.results import Diagnostic, FileReport, LayerResult, ModelTotal

_CELL_MAGIC = re.compile(r"\s*%%")
# `%magic`, `!cmd`, `?obj`; `x = !cmd`, `a, b = %sx ls`; `obj?`, `obj??`
_LINE_MAGIC = re.compile(r"(\s*)(?:[%!?]|[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!]"
                         r"|[A-Za-z_][\w.]*\?{1,2}\s*$)")
_LINE_REFERENCE = re.compile(r"\b(lines?) (\d+)(?:([–-])(\d+))?")


@dataclass(frozen=True)
class CodeCell:
    number: int  # 1-based over all of the notebook's cells
    first_line: int  # its first line in the composed program (1-based)
    line_count: int
    # for each of its lines, the 1-based line of the notebook file holding it (review formats
    # annotate the file), when the file is read from disk and laid out as Jupyter writes it
    file_lines: tuple[int, ...] = ()

    @property
    def last_line(self) -> int:
        return self.first_line + self.line_count - 1


@dataclass(frozen=True)
class Notebook:
    text: str  # the code cells composed into one program, magics skipped
    cells: tuple[CodeCell, ...]
    # what the cells' numbers count: "cell" (all of the file's cells), or "Python cell" where
    # only those are known (an editor's client syncs only the cells the server registers for)
    label: str = "cell"

    def cell_at(self, line: int) -> CodeCell | None:
        """The code cell holding a 1-based line of the composed program."""
        low, high = 0, len(self.cells) - 1
        while low <= high:  # cells are in order: a binary search
            middle = (low + high) // 2
            cell = self.cells[middle]
            if line < cell.first_line:
                high = middle - 1
            elif line > cell.last_line:
                low = middle + 1
            else:
                return cell
        return None

    def locate(self, line: int) -> tuple[int, int]:
        """A composed line → (cell number, 1-based line in that cell); (0, line) off every
        cell (the composed text's final newline)."""
        cell = self.cell_at(line)
        if cell is None:
            return 0, line
        return cell.number, line - cell.first_line + 1

    def place(self, line: int) -> str:
        """How the text formats name a line: `cell 3:5`."""
        number, in_cell = self.locate(line)
        return f"{self.label} {number}:{in_cell}"

    def file_line(self, line: int) -> int:
        """The line of the notebook file that holds a composed line (1 if unknown)."""
        cell = self.cell_at(line)
        if cell is None or not cell.file_lines:
            return 1
        return cell.file_lines[line - cell.first_line]

    def program_lines(self, file_lines: set[int]) -> set[int]:
        """The composed lines held by some of the notebook file's lines (`--diff`: git's)."""
        return {cell.first_line + n for cell in self.cells
                for n, line in enumerate(cell.file_lines) if line in file_lines}

    def words(self, text: str) -> str:
        """Words about the composed program (`as passed by the call on line 15`, `not valid
        Python: line 7: ...`) with each line named as the notebook's user sees it."""
        cell = self.label

        def named(found: re.Match[str]) -> str:
            first = self.locate(int(found.group(2)))
            if found.group(4) is None:
                return f"{cell} {first[0]}, line {first[1]}"
            last = self.locate(int(found.group(4)))
            if last[0] != first[0]:
                return f"{cell} {first[0]}, line {first[1]}{found.group(3)}" \
                       f"{cell} {last[0]}, line {last[1]}"
            return f"{cell} {first[0]}, lines {first[1]}{found.group(3)}{last[1]}"
        return _LINE_REFERENCE.sub(named, text)


def reworded(report: FileReport, notebook: Notebook) -> None:
    """The report's words name lines as cells and lines in them (its spans stay the composed
    program's: each view maps them with `locate`)."""
    words = notebook.words
    report.error = words(report.error) if report.error else report.error
    report.layers = [reworded_layer(layer, notebook) for layer in report.layers]
    report.diagnostics = [reworded_diagnostic(d, notebook) for d in report.diagnostics]
    report.models = [reworded_model(m, notebook) for m in report.models]


def reworded_layer(layer: LayerResult, notebook: Notebook) -> LayerResult:
    words = notebook.words
    return dataclasses.replace(
        layer, in_channels_from=words(layer.in_channels_from),
        assumptions=tuple(map(words, layer.assumptions)),
        unknowns=tuple(map(words, layer.unknowns)),
        invalid=words(layer.invalid) if layer.invalid else layer.invalid)


def reworded_model(model: ModelTotal, notebook: Notebook) -> ModelTotal:
    words = notebook.words
    return dataclasses.replace(model, why=words(model.why),
                               assumptions=tuple(map(words, model.assumptions)))


def reworded_diagnostic(diagnostic: Diagnostic, notebook: Notebook) -> Diagnostic:
    return dataclasses.replace(diagnostic, message=notebook.words(diagnostic.message))


def skip_magics(source: str) -> list[str]:
    """A cell's lines with IPython's magics and shell lines skipped, every line kept in place.

    Only a line that starts a statement can be one: inside brackets, a string or after a
    backslash, a line starting with `%` or `!=` is Python (black puts operators first)."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()  # the cell's final newline ends its last line, it adds none
    first = next((text for text in lines if text.strip()), "")
    if _CELL_MAGIC.match(first):
        return [""] * len(lines)  # another language for the whole cell (%%bash, %%html, ...)
    kept: list[str] = []
    magic_continues = False
    state = _LineState()
    for text in lines:
        if magic_continues:
            kept.append("")
            magic_continues = text.endswith("\\")
            continue
        found = _LINE_MAGIC.match(text) if state.at_statement else None
        if found is not None:
            kept.append(found.group(1) + "pass")
            magic_continues = text.endswith("\\")
        else:
            kept.append(text)
            state.scan(text)
    return kept


class _LineState:
    """Where a line of Python leaves the next one: inside brackets, inside a triple-quoted
    string, or continued by a backslash. A rough tokenizer, enough to tell a statement's first
    line (f-strings nesting quotes of their own are read as plain strings)."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote: str | None = None  # the open triple quote
        self.continued = False

    @property
    def at_statement(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def scan(self, text: str) -> None:
        i, n = 0, len(text)
        commented = False
        while i < n:
            if self.quote is not None:
                if text[i] == "\\":
                    i += 2
                    continue
                if text.startswith(self.quote, i):
                    i += 3
                    self.quote = None
                    continue
                i += 1
                continue
            char = text[i]
            if char == "#":
                commented = True
                break
            if char in "\"'":
                if text.startswith(char * 3, i):
                    self.quote = char * 3
                    i += 3
                    continue
                i = _string_end(text, i + 1, char)
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(self.depth - 1, 0)
            i += 1
        self.continued = not commented and self.quote is None and text.endswith("\\")


def _string_end(text: str, i: int, quote: str) -> int:
    """Past the one-line string whose body starts at `i` (its line's end if unclosed)."""
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == quote:
            return i + 1
        else:
            i += 1
    return i


def compose(cells: list[tuple[int, str]], file_lines: list[tuple[int, ...]] | None = None,
            label: str = "cell") -> Notebook:
    """One program from (cell number, source) of each code cell, in order."""
    lines: list[str] = []
    made: list[CodeCell] = []
    for n, (number, source) in enumerate(cells):
        kept = skip_magics(source)
        located = file_lines[n] if file_lines is not None else ()
        made.append(CodeCell(number, len(lines) + 1, len(kept),
                             located if len(located) == len(kept) else ()))
        lines += kept
    return Notebook("\n".join(lines) + "\n" if lines else "", tuple(made), label)


def is_notebook(path: str) -> bool:
    return path.endswith(".ipynb")


def _invalid(why: str) -> SourceError:
    return SourceError(f"not a valid notebook: {why}")


def _source_text(source: object) -> str | None:
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    return None


def _is_python(notebook: dict) -> bool:
    """A notebook whose kernel is another language (R, Julia) has no Python cells."""
    metadata = notebook.get("metadata")
    if not isinstance(metadata, dict):
        return True
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        value = metadata.get(key)
        if isinstance(value, dict) and isinstance(value.get(field), str):
            return value[field].lower() == "python"
    return True


def read_notebook(data: bytes) -> Notebook:
    """A notebook file's bytes (nbformat 4 JSON) as one program; SourceError saying what is
    wrong with it otherwise."""
    try:
        text = data.decode("utf-8-sig")  # nbformat files are UTF-8 JSON
    except UnicodeDecodeError as error:
        raise _invalid(f"not UTF-8 (byte {error.start})") from error
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        raise _invalid(f"not JSON (line {error.lineno}, column {error.colno}: {error.msg})") \
            from error
    except RecursionError as error:
        raise _invalid("nested too deeply") from error
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise _invalid("no list of cells")
    version = notebook.get("nbformat")
    if version != 4:
        raise _invalid(f"nbformat {version!r} (version 4 is read; "
                       "`jupyter nbconvert --to notebook` converts older ones)")
    cells: list[tuple[int, str]] = []
    for number, cell in enumerate(notebook["cells"], start=1):
        if not isinstance(cell, dict):
            raise _invalid(f"cell {number} is not an object")
        source = _source_text(cell.get("source"))
        if source is None:
            raise _invalid(f"cell {number} has no source text")
        if cell.get("cell_type") == "code":
            cells.append((number, source))
    if not _is_python(notebook):
        cells = []
    located = _file_lines(text, notebook["cells"])
    return compose(cells, [located[number - 1] for number, _source in cells]
                   if located is not None else None)


def _file_lines(text: str, cells: list[dict]) -> list[tuple[int, ...]] | None:
    """For each cell, the file line of each of its source lines, as Jupyter writes a notebook
    (`"source": [` then one string per line); None where the file is laid out otherwise (then
    review formats point at the notebook's first line). The file is walked member by member,
    so that only each cell's own "source" is taken (an output's data may hold one too)."""
    try:
        root = _members(text, _skip_space(text, 0))
        cells_at = next(start for key, start, _end in root if key == "cells")
        found: list[tuple[int, ...]] = []
        counted, line = 0, 1  # lines counted up to `counted`: each part of the text once
        for cell, (start, _end) in zip(cells, _elements(text, cells_at), strict=True):
            at = next(begin for key, begin, _end in _members(text, start) if key == "source")
            line += text.count("\n", counted, at)
            counted = at
            found.append(_string_lines(text, at, line, cell["source"]))
        return found
    except (ValueError, StopIteration, IndexError, RecursionError):
        return None


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, at: int) -> int:
    found = _SPACE.match(text, at)
    return found.end() if found is not None else at


def _members(text: str, at: int) -> list[tuple[str, int, int]]:
    """(key, start, end) of each member of the JSON object at `at`."""
    if text[at] != "{":
        raise ValueError("not an object")
    found = []
    at = _skip_space(text, at + 1)
    while text[at] != "}":
        key, at = _DECODER.raw_decode(text, at)
        at = _skip_space(text, at)
        if text[at] != ":":
            raise ValueError("no colon")
        start = _skip_space(text, at + 1)
        _value, end = _DECODER.raw_decode(text, start)
        found.append((key, start, end))
        at = _skip_space(text, end)
        if text[at] == ",":
            at = _skip_space(text, at + 1)
    return found


def _elements(text: str, at: int) -> list[tuple[int, int]]:
    """(start, end) of each element of the JSON array at `at`."""
    if text[at] != "[":
        raise ValueError("not an array")
    found = []
    at = _skip_space(text, at + 1)
    while text[at] != "]":
        _value, end = _DECODER.raw_decode(text, at)
        found.append((at, end))
        at = _skip_space(text, end)
        if text[at] == ",":
            at = _skip_space(text, at + 1)
    return found


def _string_lines(text: str, at: int, start_line: int, source: object) -> tuple[int, ...]:
    """The file line of each line of a cell's source, found at `at` (on `start_line`)."""
    kept = len(skip_magics(_source_text(source) or ""))
    if isinstance(source, str):
        return (start_line,) * kept
    lines: list[int] = []
    position = at + 1  # past "["
    line = start_line
    for part in source if isinstance(source, list) else []:
        quote = text.index('"', position)
        line += text.count("\n", position, quote)
        _part, position = _DECODER.raw_decode(text, quote)
        # a part holds one line as Jupyter writes it; one holding several puts them on one line
        lines += [line] * (part.count("\n") + (0 if part.endswith("\n") else 1))
    return tuple(lines[:kept]) if len(lines) >= kept else ()
