"""Whether importing a module may raise, for all the evaluator knows: what decides which arm of
`try: from .fast import Block / except ImportError: from .slow import Block` the program takes.

A module neither the project nor this machine has may be missing where the code runs. A module
of the project may fail too: its body, run at the import, imports one that may fail (`import
triton` in ops/fast.py), or raises (`raise ImportError("kernels not built")`). The evaluator
reads module bodies when a name of theirs is first used, not at the import, so this is read from
the source: the statements Python runs at the import (not those of functions and classes, nor
those under a `try` whose handlers take an ImportError)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

# exception names a handler takes an ImportError by; those that take any exception
CATCHES_IMPORT_ERROR = frozenset({"ImportError", "ModuleNotFoundError", "Exception",
                                  "BaseException"})
CATCHES_ANY = frozenset({"Exception", "BaseException"})
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
# `try` statements: `except*` has its own node from Python 3.11 on
_TRIES: tuple[type, ...] = (ast.Try, *(t for t in [getattr(ast, "TryStar", None)] if t))


def handler_names(handler: ast.ExceptHandler) -> list[str] | None:
    """The names of the exceptions a handler takes; None for a bare `except:`."""
    if handler.type is None:
        return None
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return [k.id if isinstance(k, ast.Name) else k.attr if isinstance(k, ast.Attribute) else ""
            for k in kinds]


def takes_import_error(handler: ast.ExceptHandler) -> bool:
    names = handler_names(handler)
    return names is None or any(name in CATCHES_IMPORT_ERROR for name in names)


def takes_any(handler: ast.ExceptHandler) -> bool:
    names = handler_names(handler)
    return names is None or any(name in CATCHES_ANY for name in names)


def imported_names(stmt: ast.stmt, resolve: Callable[[str, int], str | None]) -> list[str]:
    """The modules an import statement runs, parents first; a `from` import's names may be
    submodules too. `resolve(module, level)` gives a relative import's absolute name."""
    if isinstance(stmt, ast.Import):
        return [name for alias in stmt.names for name in _with_parents(alias.name)]
    if isinstance(stmt, ast.ImportFrom):
        base = resolve(stmt.module or "", stmt.level)
        if not base:
            return []
        return [*_with_parents(base), *(f"{base}.{alias.name}" for alias in stmt.names
                                        if alias.name != "*")]
    return []


def _with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def run_at_import(statements: list[ast.stmt], definitions: bool = False) -> Iterator[ast.stmt]:
    """The statements a module body runs (those under if/for/while/with included), not those of
    its functions and classes, nor a try body whose handlers take an ImportError. With
    `definitions`, the def and class statements too (not what lies inside them)."""
    for stmt in statements:
        if isinstance(stmt, DEFINITIONS):
            if definitions:
                yield stmt
            continue
        yield stmt
        if isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While)):
            yield from run_at_import(stmt.body, definitions)
            yield from run_at_import(stmt.orelse, definitions)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from run_at_import(stmt.body, definitions)
        elif isinstance(stmt, _TRIES):
            if not any(takes_import_error(h) for h in stmt.handlers):
                yield from run_at_import(stmt.body, definitions)
            for handler in stmt.handlers:
                yield from run_at_import(handler.body, definitions)
            yield from run_at_import(stmt.orelse, definitions)
            yield from run_at_import(stmt.finalbody, definitions)


DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def raises(stmt: ast.stmt, broad: bool) -> bool:
    """A `raise` a handler takes: any, where it is `except Exception`; else an ImportError."""
    if not isinstance(stmt, ast.Raise) or stmt.exc is None:
        return False
    if broad:
        return True
    exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
    name = exc.id if isinstance(exc, ast.Name) else exc.attr if isinstance(exc, ast.Attribute) \
        else ""
    return name in _IMPORT_ERRORS


def changes_outside(stmt: ast.stmt, own: frozenset[str] = frozenset()) -> bool:
    """A statement run at the import that may change what lies outside the module: a call made
    for its effect (`registry.append(...)`, `keras.config.set_image_data_format(...)`), or a
    store into another object (stores_outside). `own`: the module's own names (own_names),
    whose objects are not outside."""
    if isinstance(stmt, ast.Expr):
        return isinstance(stmt.value, (ast.Call, ast.Await))
    return stores_outside(stmt, own)


def stores_outside(stmt: ast.stmt, own: frozenset[str] = frozenset()) -> bool:
    """A store into another object (`settings.WIDTH = 20`, `REGISTRY["a"] = A`, `del cfg.x`),
    not one of `own` (`Outputs.__annotations__ = {...}` after `class Outputs`)."""
    if isinstance(stmt, ast.Assign):
        return any(_stores_into_other(target, own) for target in stmt.targets)
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        return _stores_into_other(stmt.target, own)
    if isinstance(stmt, ast.Delete):
        return any(_stores_into_other(target, own) for target in stmt.targets)
    return False


def changes_imports(stmt: ast.stmt) -> bool:
    """`sys.path.insert(0, lib)`, `sys.path += [...]`, `sys.path[:0] = [...]`,
    `site.addsitedir(lib)`, `sys.modules["cfg"] = other`: what the imports after it find
    changes. (Not a module replacing its own entry, `sys.modules[__name__] = ...`.)"""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        return isinstance(func, ast.Attribute) and (_is_sys(func.value, "path") or
                                                    _is_sys(func.value, "modules") or
                                                    func.attr == "addsitedir")
    targets = stmt.targets if isinstance(stmt, (ast.Assign, ast.Delete)) else \
        [stmt.target] if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) else []
    return any(_is_sys(t.value if isinstance(t, ast.Subscript) else t, "path") or
               isinstance(t, ast.Subscript) and _is_sys(t.value, "modules") and
               not (isinstance(t.slice, ast.Name) and t.slice.id == "__name__")
               for t in targets)


def _is_sys(node: ast.expr, attribute: str) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == attribute and \
        isinstance(node.value, ast.Name) and node.value.id == "sys"


def calls_into(stmt: ast.stmt, names: frozenset[str]) -> bool:
    """A call made for its effect on an object one of `names` holds (package_names:
    `reg.ITEMS.append(1)`, `register(A)` after `from .registry import register`)."""
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        return False
    return _root_name(stmt.value.func) in names


def package_names(statements: list[ast.stmt], resolve: Callable[[str, int], str | None],
                  package: str) -> frozenset[str]:
    """The names a module body binds by importing from its own package (`from . import reg`,
    `from .registry import register`, `import pk.reg` binding pk)."""
    bound: set[str] = set()
    inside = package.split(".")[0] if package else ""
    for stmt in run_at_import(statements):
        if isinstance(stmt, ast.ImportFrom):
            base = resolve(stmt.module or "", stmt.level)
            if base and inside and (base == inside or base.startswith(f"{inside}.")):
                bound.update(alias.asname or alias.name for alias in stmt.names)
        elif isinstance(stmt, ast.Import):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in stmt.names
                         if inside and alias.name.split(".")[0] == inside)
    return frozenset(bound)


def own_names(statements: list[ast.stmt]) -> frozenset[str]:
    """The names a module body binds to objects it makes itself: by def, class, or assignment
    of a literal (`REGISTRY = {}`) at its top level, and by no import. (Not `cfg = config.CFG`:
    a store into that one changes another module's object.)"""
    made: set[str] = set()
    imported: set[str] = set()
    for stmt in run_at_import(statements, definitions=True):
        if isinstance(stmt, DEFINITIONS):
            made.add(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            imported.update((alias.asname or alias.name).split(".")[0] for alias in stmt.names)
        elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, _LITERALS):
            made.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        elif isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            imported.update(t.id for t in targets if isinstance(t, ast.Name))  # (bound elsewhere)
    return frozenset(made - imported)


_LITERALS = (ast.Constant, ast.Dict, ast.List, ast.Set, ast.Tuple, ast.DictComp, ast.ListComp,
             ast.SetComp)


def _stores_into_other(target: ast.expr, own: frozenset[str]) -> bool:
    if isinstance(target, ast.Attribute) and target.attr.startswith("__") and \
            target.attr.endswith("__"):
        # (an object's own description, `Outputs.__annotations__ = {...}` after `Outputs =
        # namedtuple(...)` in torchvision's googlenet: nothing a model is built from)
        return False
    if isinstance(target, (ast.Attribute, ast.Subscript)):
        # (not into the interpreter's own state, `sys.modules[__name__] = _LazyModule(...)`,
        # which the evaluator does not keep: running the body early shows it nothing)
        root = _root_name(target)
        return root != "sys" and root not in own
    if isinstance(target, (ast.Tuple, ast.List)):
        return any(_stores_into_other(item, own) for item in target.elts)
    return isinstance(target, ast.Starred) and _stores_into_other(target.value, own)


def _root_name(target: ast.expr) -> str:
    while isinstance(target, (ast.Attribute, ast.Subscript)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else ""
