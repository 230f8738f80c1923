"""Python source to `ast` statements, quietly: warnings about the user's code are not ours to print.

`ast.parse` accepts some code that Python's compiler then refuses, so that the file never runs:
those are raised here as the SyntaxError Python gives, and no layer of such a file is counted."""

from __future__ import annotations

import ast
import warnings

from paramlens.engine.nodes import all_nodes

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def parse_quietly(text: str) -> list[ast.stmt]:
    with warnings.catch_warnings():  # "invalid escape sequence" and the like are not ours to say
        warnings.simplefilter("ignore", SyntaxWarning)
        statements = ast.parse(text).body
    for stmt in statements:
        refusal = compiler_refusal(stmt) or _misplaced(stmt, in_loop=False)
        if refusal is not None:
            raise refusal
    return statements


def _misplaced(stmt: ast.stmt, in_loop: bool) -> SyntaxError | None:
    """`return` outside a function, `break` or `continue` outside a loop, which the compiler
    refuses (a line dedented while typing makes the first). Statements only, and no function
    body is entered: one look at the module's own code."""
    kind = type(stmt)
    if kind is ast.Return:
        return _error("'return' outside function", stmt)
    if (kind is ast.Break or kind is ast.Continue) and not in_loop:
        return _error("'break' outside loop" if kind is ast.Break else
                      "'continue' not properly in loop", stmt)  # CPython's words
    if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
        return None
    looping = kind in (ast.For, ast.AsyncFor, ast.While)
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        # a loop's body is in the loop, its `else` is not; a class body is no loop's body
        inner = kind is not ast.ClassDef and (in_loop or looping and field == "body")
        for child in getattr(stmt, field, ()):
            nested = child.body if isinstance(child, (ast.ExceptHandler, ast.match_case)) \
                else [child]
            for item in nested:
                found = _misplaced(item, inner)
                if found is not None:
                    return found
    return None


def compiler_refusal(stmt: ast.stmt) -> SyntaxError | None:
    """What CPython's compiler refuses after parsing (the ones a call or a def can hit): a keyword
    argument given twice, an argument name used twice in one signature."""
    # Every node of every file passes here: each is told by its exact type (`ast.parse` makes
    # no subclasses), and a call with fewer than two keywords cannot repeat one.
    for node in all_nodes(stmt):
        kind = type(node)
        if kind is ast.Call:
            if len(node.keywords) < 2:  # type: ignore[attr-defined]
                continue
            names = [kw.arg for kw in node.keywords if kw.arg is not None]  # type: ignore[attr-defined]
            repeated = _first_repeated(names)
            if repeated is not None:
                return _error(f"keyword argument repeated: {repeated}", node)
        elif kind in _DEFINITIONS:
            args = node.args  # type: ignore[attr-defined]
            names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
            names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
            repeated = _first_repeated(names)
            if repeated is not None:
                return _error(f"duplicate argument '{repeated}' in function definition", node)
    return None


def _first_repeated(names: list[str]) -> str | None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def _error(message: str, node: ast.AST) -> SyntaxError:
    return SyntaxError(message, ("<unknown>", node.lineno, node.col_offset + 1, None))  # type: ignore[attr-defined]
