"""review/fixes.py: each kind of fix written with libcst, as the smallest edit; every byte outside
the edit stays as it was. Spans are found in the text (as `ast` reports the call), never taken
from paramlens' own output."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paramlens.engine.results import Fix, Span
from paramlens.review.fixes import TextEdit, apply_edit, apply_fixes, fix_edit, fix_edits, minimal_edit
from paramlens.review.refactors import make_explicit
from paramlens.review.sources import report_for


def call_span(text: str, starts_with: str, kind: type[ast.AST] = ast.Call) -> Span:
    """The span `ast` gives the node of this kind whose source starts with `starts_with`
    (columns turned into code points, as our spans count them)."""
    lines = text.replace("\r\n", "\n").split("\n")

    def column(line: int, byte: int) -> int:
        return len(lines[line - 1].encode()[:byte].decode())

    for node in ast.walk(ast.parse(text)):
        if isinstance(node, kind):
            segment = ast.get_source_segment(text.replace("\r\n", "\n"), node) or ""
            if segment.startswith(starts_with):
                assert node.end_lineno is not None and node.end_col_offset is not None
                return Span(node.lineno, column(node.lineno, node.col_offset),
                            node.end_lineno, column(node.end_lineno, node.end_col_offset))
    raise AssertionError(f"no {kind.__name__} starting with {starts_with!r}")


def bias_off(span: Span) -> Fix:
    return Fix("Pass bias=False", "set-argument", span, "bias", "False", 7)


def in_channels(span: Span, value: int) -> Fix:
    return Fix(f"Set in_channels={value}", "set-argument", span, "in_channels", str(value), 0)


def fixed(text: str, fix: Fix) -> tuple[str, TextEdit]:
    edit = fix_edit(text, fix)
    assert edit is not None
    result = apply_edit(text, edit)
    assert_outside_identical(text, result, edit)
    ast.parse(result)
    return result, edit


def assert_outside_identical(old: str, new: str, edit: TextEdit) -> None:
    """Byte for byte: what precedes the edit's start and follows its end is the old text's."""
    starts = [0] + [i + 1 for i, c in enumerate(old) if c == "\n"]
    start = starts[edit.line - 1] + edit.column
    end = starts[edit.end_line - 1] + edit.end_column
    assert new.encode()[:len(old[:start].encode())] == old[:start].encode()
    assert new.encode().endswith(old[end:].encode())
    assert len(new) == len(old) - (end - start) + len(edit.new_text)


# set-argument -----------------------------------------------------------------------------------
def test_positional_argument_replaced_in_place() -> None:
    text = "m = nn.Sequential(nn.Conv2d(3, 16, 3), nn.Conv2d(32, 8, 3))  # two convs\n"
    result, edit = fixed(text, in_channels(call_span(text, "nn.Conv2d(32"), 16))
    assert result == "m = nn.Sequential(nn.Conv2d(3, 16, 3), nn.Conv2d(16, 8, 3))  # two convs\n"
    assert (edit.line, edit.end_line, edit.new_text) == (1, 1, "16")


def test_keyword_argument_replaced_where_it_stands() -> None:
    text = "c = nn.Conv2d(kernel_size=3, in_channels=32, out_channels=8)\n"
    result, _ = fixed(text, in_channels(call_span(text, "nn.Conv2d"), 16))
    assert result == "c = nn.Conv2d(kernel_size=3, in_channels=16, out_channels=8)\n"


def test_missing_argument_added_as_keyword() -> None:
    text = "c = nn.Conv2d(3, 16, 3, padding=1)\n"
    result, edit = fixed(text, bias_off(call_span(text, "nn.Conv2d")))
    assert result == "c = nn.Conv2d(3, 16, 3, padding=1, bias=False)\n"
    assert (edit.column, edit.end_column, edit.new_text) == (33, 33, ", bias=False")


def test_keyword_spacing_follows_the_call() -> None:
    text = "c = nn.Conv2d(3, 16, 3, padding = 1)\n"
    result, _ = fixed(text, bias_off(call_span(text, "nn.Conv2d")))
    assert result == "c = nn.Conv2d(3, 16, 3, padding = 1, bias = False)\n"


def test_multi_line_call_with_trailing_comma_and_comments() -> None:
    text = ("c = nn.Conv2d(\n"
            "    3,  # in\n"
            "    16,  # out\n"
            "    3,\n"
            ")  # end\n")
    result, edit = fixed(text, bias_off(call_span(text, "nn.Conv2d")))
    assert result == ("c = nn.Conv2d(\n"
                      "    3,  # in\n"
                      "    16,  # out\n"
                      "    3,\n"
                      "    bias=False,\n"
                      ")  # end\n")
    assert edit.new_text == "    bias=False,\n"


def test_multi_line_call_without_trailing_comma_keeps_the_comment_before_the_paren() -> None:
    text = ("c = nn.Conv2d(3, 16,\n"
            "              3  # kernel\n"
            ")\n")
    result, _ = fixed(text, bias_off(call_span(text, "nn.Conv2d")))
    assert result == ("c = nn.Conv2d(3, 16,\n"
                      "              3, bias=False  # kernel\n"
                      ")\n")


def test_one_argument_per_line_gets_its_own_line() -> None:
    text = "c = nn.Linear(\n    10,\n    20\n)\n"
    result, _ = fixed(text, Fix("t", "set-argument", call_span(text, "nn.Linear"), "bias",
                                "False", 2))
    assert result == "c = nn.Linear(\n    10,\n    20,\n    bias=False\n)\n"


@pytest.mark.parametrize("comma", [",", ""])
def test_one_argument_per_line_keeps_the_last_ones_comment_on_its_line(comma: str) -> None:
    text = ("c = nn.Conv2d(\n"
            "    3,\n"
            "    16,\n"
            f"    3{comma}  # kernel\n"
            "    # the end\n"
            ")\n")
    result, _ = fixed(text, bias_off(call_span(text, "nn.Conv2d")))
    assert result == ("c = nn.Conv2d(\n"
                      "    3,\n"
                      "    16,\n"
                      "    3,  # kernel\n"
                      f"    bias=False{comma}\n"
                      "    # the end\n"
                      ")\n")


def test_crlf_file_keeps_its_line_breaks() -> None:
    text = "import torch.nn as nn\r\nc = nn.Conv2d(\r\n    32, 8, 3,\r\n)\r\nd = 1\r\n"
    edit = fix_edit(text, in_channels(call_span(text, "nn.Conv2d"), 16))
    assert edit is not None
    result = apply_edit(text, edit)
    assert result == "import torch.nn as nn\r\nc = nn.Conv2d(\r\n    16, 8, 3,\r\n)\r\nd = 1\r\n"
    assert (edit.line, edit.column, edit.end_line, edit.end_column) == (3, 4, 3, 6)
    added = apply_edit(text, fix_edit(text, bias_off(call_span(text, "nn.Conv2d"))) or edit)
    assert added == "import torch.nn as nn\r\nc = nn.Conv2d(\r\n    32, 8, 3, bias=False,\r\n)\r\nd = 1\r\n"
    # one argument per line: the new one gets a line of its own, ended by \r\n as the others
    lines = "c = nn.Conv2d(\r\n    32,\r\n    8,\r\n    3\r\n)\r\n"
    added = apply_edit(lines, fix_edit(lines, bias_off(call_span(lines, "nn.Conv2d"))) or edit)
    assert added == "c = nn.Conv2d(\r\n    32,\r\n    8,\r\n    3,\r\n    bias=False\r\n)\r\n"


def test_emoji_before_the_call_on_the_same_line() -> None:
    text = 'tag = "😀"; c = nn.Conv2d(32, 8, 3)\n'
    span = call_span(text, "nn.Conv2d")
    assert span.column == text.index("nn.Conv2d")  # code points: the emoji counts once
    result, edit = fixed(text, in_channels(span, 16))
    assert result == 'tag = "😀"; c = nn.Conv2d(16, 8, 3)\n'
    assert edit.column == text.index("32")


def test_star_arguments_refuse_a_positional_or_added_argument() -> None:
    text = "c = nn.Conv2d(*sizes, 3)\nd = nn.Conv2d(3, 16, 3, **options)\n"
    assert fix_edit(text, in_channels(call_span(text, "nn.Conv2d(*"), 16)) is None
    assert fix_edit(text, bias_off(call_span(text, "nn.Conv2d(3"))) is None


def test_wrong_span_or_kind_gives_no_fix() -> None:
    text = "c = nn.Conv2d(32, 8, 3)\n"
    span = call_span(text, "nn.Conv2d")
    assert fix_edit(text, in_channels(Span(1, span.column + 1, 1, span.end_column), 16)) is None
    assert fix_edit(text, Fix("t", "rename", span, "x")) is None


def test_unparseable_source_gives_no_fix() -> None:
    text = "c = nn.Conv2d(32, 8, 3)\nif x\n"
    fix = in_channels(Span(1, 4, 1, 23), 16)
    assert fix_edit(text, fix) is None
    assert apply_fixes(text, [fix]) is None
    assert fix_edits(text, [fix, fix]) == [None, None]


# wrap --------------------------------------------------------------------------------------------
def test_wrap_a_multi_line_list_with_comments() -> None:
    text = ("class Net(nn.Module):\n"
            "    def __init__(self):\n"
            "        self.layers = [\n"
            "            nn.Linear(4, 4),  # first\n"
            "            nn.Linear(4, 2),\n"
            "        ]  # kept\n")
    span = call_span(text, "[", ast.List)
    result, edit = fixed(text, Fix("Hold them in nn.ModuleList", "wrap", span, "nn.ModuleList"))
    assert result == ("class Net(nn.Module):\n"
                      "    def __init__(self):\n"
                      "        self.layers = nn.ModuleList([\n"
                      "            nn.Linear(4, 4),  # first\n"
                      "            nn.Linear(4, 2),\n"
                      "        ])  # kept\n")
    assert edit.line == 3


@pytest.mark.parametrize(("source", "expected"), [
    ("self.blocks = (a, b)\n", "self.blocks = nn.ModuleList((a, b))\n"),
    ("self.blocks = a, b\n", "self.blocks = nn.ModuleList((a, b))\n"),
    ("self.blocks = ( [a, b] )\n", "self.blocks = ( nn.ModuleList([a, b]) )\n"),
    ("self.heads = {'a': nn.Linear(2, 2)}  # by task\n",
     "self.heads = nn.ModuleDict({'a': nn.Linear(2, 2)})  # by task\n"),
    ("self.blocks = [f(i) for i in range(3)]\n",
     "self.blocks = nn.ModuleList([f(i) for i in range(3)])\n"),
])
def test_wrap_tuples_and_parentheses(source: str, expected: str) -> None:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.Assign)
    value = node.value
    assert value.end_lineno is not None and value.end_col_offset is not None
    span = Span(value.lineno, value.col_offset, value.end_lineno, value.end_col_offset)
    wrapper = "nn.ModuleDict" if isinstance(value, ast.Dict) else "nn.ModuleList"
    result, _ = fixed(source, Fix("t", "wrap", span, wrapper))
    assert result == expected


# make-explicit ----------------------------------------------------------------------------------
def test_make_explicit_keeps_the_prefix_and_inserts_the_size_first() -> None:
    text = 'tag = "😀"; c = nn.LazyConv2d(16, 3, padding=1)  # lazy\n'
    fix = Fix("Make in_channels explicit", "make-explicit", call_span(text, "nn.LazyConv2d"),
              "torch.nn.Conv2d", "3")
    result, _ = fixed(text, fix)
    assert result == 'tag = "😀"; c = nn.Conv2d(3, 16, 3, padding=1)  # lazy\n'


def test_make_explicit_on_a_multi_line_call() -> None:
    text = "c = torch.nn.LazyLinear(\n    10,\n)\nb = nn.LazyBatchNorm2d()\n"
    linear = Fix("t", "make-explicit", call_span(text, "torch.nn.LazyLinear"),
                 "torch.nn.Linear", "64")
    norm = Fix("t", "make-explicit", call_span(text, "nn.LazyBatchNorm2d"),
               "torch.nn.BatchNorm2d", "8")
    result, _ = fixed(text, linear)
    assert result == "c = torch.nn.Linear(\n    64,\n    10,\n)\nb = nn.LazyBatchNorm2d()\n"
    result, _ = fixed(text, norm)
    assert result.endswith("b = nn.BatchNorm2d(8)\n")


def test_make_explicit_needs_the_eager_name_imported_for_a_bare_name() -> None:
    alone = "from torch.nn import LazyConv2d\nc = LazyConv2d(16, 3)\n"
    fix = Fix("t", "make-explicit", call_span(alone, "LazyConv2d"), "torch.nn.Conv2d", "3")
    assert fix_edit(alone, fix) is None  # Conv2d would be an unbound name
    both = "from torch.nn import Conv2d, LazyConv2d\nc = LazyConv2d(16, 3)\n"
    fix = Fix("t", "make-explicit", call_span(both, "LazyConv2d"), "torch.nn.Conv2d", "3")
    result, _ = fixed(both, fix)
    assert result.endswith("c = Conv2d(3, 16, 3)\n")
    starred = "c = nn.LazyConv2d(*args)\n"
    fix = Fix("t", "make-explicit", call_span(starred, "nn.LazyConv2d"), "torch.nn.Conv2d", "3")
    assert fix_edit(starred, fix) is None


# several fixes in one pass ----------------------------------------------------------------------
def test_fixes_in_one_pass_equal_one_at_a_time() -> None:
    text = ("layers = [nn.Conv2d(32, 8, 3), nn.BatchNorm2d(8)]\n"
            "more = nn.Sequential(nn.Conv2d(\n    4, 8, 3), nn.Conv2d(5, 2, 1))\n")
    # each fix found in a text by what its node starts with (still true when its turn comes)
    makers = [lambda t: bias_off(call_span(t, "nn.Conv2d(32")),
              lambda t: in_channels(call_span(t, "nn.Conv2d(32"), 16),
              lambda t: Fix("t", "wrap", call_span(t, "[", ast.List), "nn.ModuleList"),
              lambda t: in_channels(call_span(t, "nn.Conv2d(5"), 8)]
    fixes = [make(text) for make in makers]
    together = apply_fixes(text, fixes)
    assert together is not None and list(together.applied) == fixes
    one_by_one = text
    for make in makers:
        step = apply_fixes(one_by_one, [make(one_by_one)])
        assert step is not None and step.applied
        one_by_one = step.text
    assert together.text == one_by_one == (
        "layers = nn.ModuleList([nn.Conv2d(16, 8, 3, bias=False), nn.BatchNorm2d(8)])\n"
        "more = nn.Sequential(nn.Conv2d(\n    4, 8, 3), nn.Conv2d(8, 2, 1))\n")


def test_fixes_in_statements_sharing_a_line_and_in_a_decorated_function() -> None:
    text = ("import torch.nn as nn\n"
            "a = 1; c = nn.Conv2d(32, 8, 3)  # two statements\n"
            "\n"
            "@decorate(\n"
            "    1)\n"
            "def build(x):\n"
            "    return nn.Conv2d(\n"
            "        32, 8, 3)  # in a function\n")
    first = in_channels(call_span(text, "nn.Conv2d(32"), 16)
    second = in_channels(call_span(text, "nn.Conv2d(\n"), 16)
    together = apply_fixes(text, [second, first])
    assert together is not None and together.applied == (second, first)
    assert together.text == text.replace("(32", "(16").replace("        32,", "        16,")


# the edit itself --------------------------------------------------------------------------------
def test_minimal_edit_is_what_lies_between_prefix_and_suffix() -> None:
    assert minimal_edit("abc", "abc") is None
    assert minimal_edit("f(a)\n", "f(a, b)\n") == TextEdit(1, 3, 1, 3, ", b")
    assert minimal_edit("x\r\ny\r\n", "x\r\nz\r\n") == TextEdit(2, 0, 2, 1, "z")
    # whole words: the editor's preview reads `True` → `False`
    assert minimal_edit("f(bias=True)\n", "f(bias=False)\n") == TextEdit(1, 7, 1, 11, "False")
    # never between \r and \n
    edit = minimal_edit("a\r\nb", "a\r\r\nb")
    assert edit is not None
    assert apply_edit("a\r\nb", edit) == "a\r\r\nb"


def test_check_and_hover_paths_do_not_load_libcst(tmp_path) -> None:
    """Importing the CLI, the server and the fixes module, and a check without --fix, leave
    libcst unloaded: it is loaded once a fix is written."""
    target = tmp_path / "m.py"
    target.write_text("import torch.nn as nn\nm = nn.Sequential(nn.Conv2d(3, 16, 3), "
                      "nn.Conv2d(32, 8, 3))\n")
    probe = (
        "import sys\n"
        "from paramlens import cli\n"
        "import paramlens.lsp.server, paramlens.lsp.actions, paramlens.review.fixes\n"
        f"code = cli.main(['check', '--no-cache', {str(target)!r}])\n"
        "assert code == 1, code\n"
        "print('libcst' in sys.modules)\n"
        "from paramlens.engine.results import Fix, Span\n"
        "from paramlens.review.fixes import fix_edit\n"
        "fix_edit('f(1)\\n', Fix('t', 'set-argument', Span(1, 0, 1, 4), 'x', '2', 0))\n"
        "print('libcst' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["False", "True"]


@given(st.text(alphabet="ab_1 (\r\n😀", max_size=12), st.text(alphabet="ab_1 (\r\n😀", max_size=12))
def test_minimal_edit_turns_the_old_text_into_the_new(old: str, new: str) -> None:
    edit = minimal_edit(old, new)
    assert (edit is None) == (old == new)
    if edit is not None:
        assert apply_edit(old, edit) == new


def test_make_explicit_only_where_the_input_size_is_certain() -> None:
    """The refactor's size is the one torch gives the lazy layer on its first forward pass; a
    lazy layer whose input the file does not fix, or fixes differently per call, gets none."""
    torch = pytest.importorskip("torch")
    text = ("import torch.nn as nn\n\n"
            "def block(c):\n"
            "    return nn.Sequential(nn.Conv2d(3, c, 3), nn.LazyConv2d(8, 3))\n\n"
            "a, b = block(4), block(6)\n"
            "first = nn.Sequential(nn.LazyConv2d(8, 3))\n"
            "model = nn.Sequential(nn.Conv2d(3, 12, 3), nn.ReLU(), nn.LazyConv2d(8, 3),\n"
            "                      nn.LazyBatchNorm2d(), nn.Flatten(), nn.LazyLinear(2))\n")
    report = report_for("t.py", text, None)
    offered = {(layer.span.line, layer.layer.rsplit(".", 1)[1]): make_explicit(layer)
               for layer in report.layers if layer.layer.split(".")[-1].startswith("Lazy")}
    assert offered[(4, "LazyConv2d")] is None and offered[(7, "LazyConv2d")] is None
    assert offered[(9, "LazyLinear")] is None  # the flattened size needs the input's
    namespace: dict[str, object] = {}
    exec(compile(text, "t.py", "exec"), namespace)
    model = namespace["model"]
    assert isinstance(model, torch.nn.Sequential)
    model(torch.randn(1, 3, 10, 10))
    for (line, name), index in (((8, "LazyConv2d"), 2), ((9, "LazyBatchNorm2d"), 3)):
        fix = offered[(line, name)]
        assert fix is not None and fix.kind == "make-explicit"
        sized = model[index].weight.shape[1] if index == 2 else model[index].num_features
        assert fix.value == str(sized)
    fix = offered[(8, "LazyConv2d")]
    assert fix is not None and fix.title == "Make in_channels explicit"
    result = apply_fixes(text, [fix])
    assert result is not None and "nn.Conv2d(12, 8, 3)" in result.text
