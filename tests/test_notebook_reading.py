"""engine/notebook.py: a notebook's code cells as one program that Python compiles, IPython's
lines skipped and every other line in its place, and each line mapped back to its cell."""

from __future__ import annotations

import ast
import json

import pytest

from paramlens.engine.notebook import compose, read_notebook, skip_magics
from paramlens.engine.reading import SourceError


@pytest.mark.parametrize(("source", "skipped"), [
    ("%matplotlib inline\nx = 1", [1]),
    ("!pip install torch\nx = 1", [1]),
    ("files = !ls\na, b = %sx ls -1\nx = 1", [1, 2]),
    ("nn.Conv2d?\nnn.Conv2d??\nx = 1", [1, 2]),
    ("if True:\n    %time y = 2\n    !echo hi\nx = 1", [2, 3]),  # a block stays valid
    ("%time y = \\\n    2\nx = 1", [1, 2]),  # a magic's backslash continuation
])
def test_ipython_lines_are_skipped_in_place(source: str, skipped: list[int]) -> None:
    kept = skip_magics(source)
    lines = source.split("\n")
    assert len(kept) == len(lines)
    ast.parse("\n".join(kept))  # what is left is Python
    for n, (before, after) in enumerate(zip(lines, kept, strict=True), start=1):
        if n in skipped:  # `pass` at the line's indentation, or empty (a continuation)
            assert after in ("", before[:len(before) - len(before.lstrip())] + "pass")
        else:
            assert after == before


@pytest.mark.parametrize("source", [
    # black puts operators first in a broken line: Python, not magics
    "ok = (\n    a\n    != b\n)",
    "text = (\n    '%d items'\n    % count\n)",
    'doc = """\n%d items\n!not a shell line\n"""',
    "value = a \\\n    % b",
    "rows = [\n    1,  # (\n]\n%matplotlib inline",
])
def test_python_that_looks_like_a_magic_is_kept(source: str) -> None:
    kept = skip_magics(source)
    lines = source.split("\n")
    if lines[-1].startswith("%matplotlib"):  # a real magic after the bracket closed
        assert kept == [*lines[:-1], "pass"]
    else:
        assert kept == lines


def test_a_cell_magic_skips_the_whole_cell() -> None:
    assert skip_magics("\n%%bash\necho nn.Conv2d(1, 2, 3)\n") == ["", "", ""]


def test_cells_map_back_to_their_lines() -> None:
    notebook = compose([(2, "import torch\nwidth = 3\n"), (4, "%time\n\nlayer = width\n"),
                        (5, "")])
    assert notebook.text.split("\n")[:5] == ["import torch", "width = 3", "pass", "",
                                             "layer = width"]
    assert [notebook.locate(line) for line in range(1, 7)] == \
        [(2, 1), (2, 2), (4, 1), (4, 2), (4, 3), (5, 1)]
    assert notebook.place(5) == "cell 4:3"
    assert notebook.words("set on line 2, used on lines 3-5") == \
        "set on cell 2, line 2, used on cell 4, lines 1-3"
    assert notebook.words("lines 1–4") == "cell 2, line 1–cell 4, line 2"


def _notebook(cells: list[dict], **extra: object) -> bytes:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
                       **extra}, indent=1).encode()


def test_the_file_line_of_each_cell_line() -> None:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# title\n", "text"]},
             {"cell_type": "code", "metadata": {}, "execution_count": 1,
              # an output whose data holds a "source" key of its own, before the cell's source
              "outputs": [{"data": {"application/json": {"source": ["x = 1\n", "y = 2"]}},
                           "metadata": {}, "output_type": "execute_result"}],
              "source": ["x = 1\n", "y = 2"]},
             {"cell_type": "code", "metadata": {}, "outputs": [], "source": "z = 3\nw = 4"}]
    data = _notebook(cells)
    text = data.decode().split("\n")
    notebook = read_notebook(data)
    own = [n for n, line in enumerate(text, start=1) if line.strip() == '"x = 1\\n",']
    assert len(own) == 2  # the output's, then the cell's own
    assert [notebook.file_line(line) for line in (1, 2)] == [own[1], own[1] + 1]
    # a source given as one string sits on one line of the file
    single = next(n for n, line in enumerate(text, start=1) if '"z = 3\\nw = 4"' in line)
    assert [notebook.file_line(line) for line in (3, 4)] == [single, single]
    assert [notebook.locate(line) for line in (1, 2, 3, 4)] == [(2, 1), (2, 2), (3, 1), (3, 2)]


@pytest.mark.parametrize(("data", "message"), [
    (b"\xff\xfe{", "not a valid notebook: not UTF-8 (byte 0)"),
    (b"[]", "not a valid notebook: no list of cells"),
    (b'{"cells": [1], "nbformat": 4}', "not a valid notebook: cell 1 is not an object"),
    (b'{"cells": [], "nbformat": "4"}', "not a valid notebook: nbformat '4' (version 4 is read; "
                                        "`jupyter nbconvert --to notebook` converts older ones)"),
    (b'{"cells": [{"cell_type": "code", "source": ["a", 1]}], "nbformat": 4}',
     "not a valid notebook: cell 1 has no source text"),
    (b"[" * 100_000, "not a valid notebook: nested too deeply"),
])
def test_malformed_notebooks_say_what_is_wrong(data: bytes, message: str) -> None:
    with pytest.raises(SourceError) as raised:
        read_notebook(data)
    assert str(raised.value) == message


def test_another_kernels_notebook_has_no_python() -> None:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "library(keras)"}]
    data = _notebook(cells, metadata={"kernelspec": {"language": "R", "name": "ir"}})
    assert read_notebook(data).text == ""
