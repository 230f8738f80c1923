"""Every node under a statement, listed once and kept on the statement.

The blocks' trees live as long as their text does, and several passes (imports, escapes,
`global`, self attributes) each look at every node: walking a tree costs far more than reading
a list, so each tree is walked once.
"""

from __future__ import annotations

import ast

_KEY = "_paramlens_nodes"
_TEXT_KEY = "_paramlens_text"

# Fields that hold an identifier, a number, a string or a constant, never a node: not looked in.
# Nor are a name's context (Load, Store, Del) and an operator (Add, Eq, Not, And...): nodes, but
# leaves that say what their parent does, read through it (`node.ctx`, `node.op`) and never
# looked for in a list. A third of a tree's nodes are contexts: the lists are that much shorter.
_SCALAR_FIELDS = frozenset({"id", "attr", "arg", "name", "module", "level", "kind", "conversion",
                            "is_async", "simple", "type_comment", "tag", "n", "s",
                            "ctx", "op", "ops"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def all_nodes(node: ast.AST) -> list[ast.AST]:
    below = getattr(node, _KEY, None)
    if below is None:
        found = walk(node)
        # Kept without the node itself: a list on a node that held the node would make every
        # tree a reference cycle, which only the cyclic collector frees (a tree dropped after
        # its file's analysis would stay until a full pass).
        setattr(node, _KEY, found[1:])
        return found
    return [node, *below]


def walk(root: ast.AST) -> list[ast.AST]:
    """`list(ast.walk(root))` less the contexts and operators, in the same (breadth-first) order,
    without a generator per node: the queue is the list itself, and each node type's fields that
    can hold nodes are found once."""
    found = [root]
    append = found.append
    fields = _CHILD_FIELDS
    for node in found:  # grows while it is read: each node's children join the end
        kind = type(node)
        names = fields[kind] if kind in fields else _child_fields(kind)
        for name in names:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        append(item)
            elif isinstance(value, ast.AST):
                append(value)
    return found


def _child_fields(kind: type) -> tuple[str, ...]:
    names = tuple(name for name in kind._fields  # type: ignore[attr-defined]
                  if name not in _SCALAR_FIELDS and not (kind is ast.Constant and name == "value")
                  and kind not in (ast.Global, ast.Nonlocal))
    _CHILD_FIELDS[kind] = names
    return names


def source_text(node: ast.AST) -> str:
    """`ast.unparse(node)`, worked out once per node: the interpreters name the same expressions
    in their unknowns each time they pass them (a loop, both arms of a branch)."""
    cached = getattr(node, _TEXT_KEY, None)
    if cached is None:
        cached = _dotted(node) or ast.unparse(node)
        setattr(node, _TEXT_KEY, cached)
    return cached


def _dotted(node: ast.AST) -> str | None:
    """`a.b.c` as ast.unparse writes it, for a chain of attributes on a name (the most common
    text asked for), without the unparser's machinery; None for anything else."""
    attrs: list[str] = []
    while type(node) is ast.Attribute:
        attrs.append(node.attr)  # type: ignore[attr-defined]
        node = node.value  # type: ignore[attr-defined]
    if type(node) is not ast.Name:
        return None
    attrs.append(node.id)  # type: ignore[attr-defined]
    return ".".join(reversed(attrs))


_STATEMENT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")


def statements_under(node: ast.AST) -> list[ast.AST]:
    """The statements inside `node`, nested functions and classes included: an assignment is a
    statement, so the expressions (most of a tree's nodes) need not be walked to find them all.
    (Exception handlers and match cases are listed too, as the way to their bodies.)"""
    found: list[ast.AST] = []
    stack = [node]
    while stack:
        current = stack.pop()
        for name in _STATEMENT_LISTS:
            inner = getattr(current, name, None)
            if type(inner) is list:
                for item in inner:
                    if isinstance(item, (ast.stmt, ast.excepthandler, ast.match_case)):
                        found.append(item)
                        stack.append(item)
    return found
