"""What `ast.parse` accepts but CPython's compiler refuses: parse_quietly refuses it too, with
the compiler's own words, so that no layer of a file that never runs is counted. The expected
outcome of each snippet is CPython's `compile`, never ours."""

from __future__ import annotations

import pytest

from paramlens.engine.parse import parse_quietly

SNIPPETS = [
    "return 1",
    "if True:\n    return",
    "try:\n    pass\nexcept Exception:\n    return",
    "for i in range(2):\n    break\nelse:\n    continue",
    "for i in range(2):\n    class B:\n        continue",
    "while True:\n    if i:\n        break",
    "class A:\n    def f(self):\n        return 1\n    x = 1",
    "def f():\n    for i in []:\n        break\n    return 2",
    "match x:\n    case 1:\n        break",
    "with open('f') as f:\n    return f",
    "f(a=1, a=2)",
    "def g(a, a):\n    pass",
]


def _compiler(source: str) -> str:
    try:
        compile(source, "<snippet>", "exec")
    except SyntaxError as error:
        return error.msg
    return ""


def _ours(source: str) -> str:
    try:
        parse_quietly(source)
    except SyntaxError as error:
        return error.msg or ""
    return ""


@pytest.mark.parametrize("source", SNIPPETS)
def test_parse_refuses_what_the_compiler_refuses(source: str) -> None:
    assert _ours(source) == _compiler(source)
