"""Names read where Python certainly finds none: NameError, UnboundLocalError.

A name the evaluator finds in no scope, in the module's names or among the builtins may still
exist where Python runs the code: bound by a statement the evaluation did not follow, by a
string (`globals()[k] = v`, `exec`), by a star import of a module it cannot read, or by a
notebook's kernel (`display`). It is certainly undefined only where the file binds it nowhere
(no assignment, definition, import, parameter, `global`, handler or pattern name of that
name, in any scope) and has no way to bind names by string: then every read of it raises,
whichever path leads there.

A name a function binds anywhere in its body is local to all of it (local_names): read before
it is bound, it raises UnboundLocalError, whatever the module holds under that name.
"""

from __future__ import annotations

import ast
import builtins

from paramlens.engine.nodes import all_nodes

# What binds names from strings, or reaches a module's namespace as a dict.
_WRITERS = frozenset({"exec", "eval", "globals", "vars", "locals", "setattr", "__import__",
                      "__builtins__", "compile"})
_WRITER_ATTRIBUTES = frozenset({"__dict__", "__globals__", "f_globals", "f_locals"})
_WRITER_MODULES = frozenset({"builtins", "importlib", "__builtin__"})
# Builtins of other platforms and Pythons than the one running paramlens.
_OTHER_BUILTINS = frozenset({"WindowsError", "PythonFinalizationError", "EncodingWarning",
                             "aiter", "anext", "ExceptionGroup", "BaseExceptionGroup"})
_BUILTINS = frozenset(dir(builtins)) | _OTHER_BUILTINS
# Type parameters (`def f[T]()`, Python 3.12): the parser of a newer Python makes them.
_TYPE_PARAMETERS = tuple(getattr(ast, name) for name in ("TypeVar", "ParamSpec", "TypeVarTuple")
                         if hasattr(ast, name))


def bound_names(statements: list[ast.stmt]) -> frozenset[str] | None:
    """Every name the module binds somewhere, or None where it may bind names the text does
    not show (see the module's docstring)."""
    bound: set[str] = set()
    for stmt in statements:
        for node in (stmt, *all_nodes(stmt)):
            kind = type(node)
            if kind is ast.Name:
                if type(node.ctx) is ast.Load and node.id in _WRITERS:  # type: ignore[attr-defined]
                    return None
            elif kind is ast.Attribute:
                attr = node.attr  # type: ignore[attr-defined]
                if attr in _WRITER_ATTRIBUTES or attr == "modules" and \
                        type(node.value) is ast.Name and node.value.id == "sys":  # type: ignore[attr-defined]
                    return None
            elif kind is ast.Import or kind is ast.ImportFrom:
                if any(alias.name == "*" or alias.name.split(".")[0] in _WRITER_MODULES
                       for alias in node.names):  # type: ignore[attr-defined]
                    return None
                if kind is ast.ImportFrom and (
                        (node.module or "").split(".")[0] in _WRITER_MODULES or  # type: ignore[attr-defined]
                        node.module == "sys" and any(  # type: ignore[attr-defined]
                            a.name == "modules" for a in node.names)):  # type: ignore[attr-defined]
                    return None
            elif kind is ast.Global or kind is ast.Nonlocal:
                bound.update(node.names)  # type: ignore[attr-defined]
                continue
            elif kind is ast.arg:
                bound.add(node.arg)  # type: ignore[attr-defined]
                continue
            elif kind in _TYPE_PARAMETERS:
                bound.add(node.name)  # type: ignore[attr-defined]
                continue
            bound.update(_binds(node))
    return frozenset(bound)


def _binds(node: ast.AST) -> list[str]:
    """The names this one node binds in the scope it stands in: an assignment's or a `del`'s
    name, a definition's, an import's, a handler's or a pattern's (the one list both walks
    read)."""
    kind = type(node)
    if kind is ast.Name:
        return [] if type(node.ctx) is ast.Load else [node.id]  # type: ignore[attr-defined]
    if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        return [node.name]  # type: ignore[attr-defined]
    if kind is ast.Import or kind is ast.ImportFrom:
        return [alias.asname or alias.name.split(".")[0]
                for alias in node.names if alias.name != "*"]  # type: ignore[attr-defined]
    if kind in (ast.ExceptHandler, ast.MatchAs, ast.MatchStar):
        return [node.name] if node.name else []  # type: ignore[attr-defined]
    if kind is ast.MatchMapping:
        return [node.rest] if node.rest else []  # type: ignore[attr-defined]
    return []


def certainly_undefined(name: str, bound: frozenset[str] | None) -> bool:
    """Whether reading `name`, found nowhere, raises NameError in a module binding `bound`."""
    if bound is None or name in bound or name in _BUILTINS:
        return False
    return not (name.startswith("__") and name.endswith("__"))  # a module's or class's own


_LOCALS_KEY = "_paramlens_locals"


def local_names(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> frozenset[str]:
    """The names Python makes local to a function: those its own body binds (assignment,
    `for`/`with` targets, `del`, definitions, imports, handler and pattern names, `:=` in its
    comprehensions), not declared `global` or `nonlocal`. Reading one before it is bound raises
    UnboundLocalError, whatever an enclosing scope or the module holds. Kept on the node."""
    known = getattr(node, _LOCALS_KEY, None)
    if known is not None:
        return known
    bound: set[str] = set()
    declared: set[str] = set()
    stack: list[ast.AST] = list(node.body) if isinstance(node.body, list) else [node.body]
    while stack:
        item = stack.pop()
        kind = type(item)
        bound.update(_binds(item))
        if kind is ast.Name:
            continue
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            # decorators, defaults and bases are evaluated here; the body is its own scope
            stack.extend(item.decorator_list)  # type: ignore[attr-defined]
            if kind is ast.ClassDef:
                stack.extend(item.bases)  # type: ignore[attr-defined]
                stack.extend(k.value for k in item.keywords)  # type: ignore[attr-defined]
            else:
                stack.extend(item.args.defaults)  # type: ignore[attr-defined]
                stack.extend(d for d in item.args.kw_defaults if d is not None)  # type: ignore[attr-defined]
            continue
        if kind is ast.Lambda:
            stack.extend(item.args.defaults)  # type: ignore[attr-defined]
            stack.extend(d for d in item.args.kw_defaults if d is not None)  # type: ignore[attr-defined]
            continue
        if kind in (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp):
            # its own scope, but for `:=`, which binds here (PEP 572), and the first iterable
            stack.append(item.generators[0].iter)  # type: ignore[attr-defined]
            stack.extend(n.target for n in ast.walk(item) if type(n) is ast.NamedExpr)
            continue
        if kind is ast.Global or kind is ast.Nonlocal:
            declared.update(item.names)  # type: ignore[attr-defined]
        stack.extend(ast.iter_child_nodes(item))
    found = frozenset(bound - declared)
    setattr(node, _LOCALS_KEY, found)
    return found
