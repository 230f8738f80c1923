"""Whether code that is handed each module of a model can change one: the test that lets a loop
over `model.modules()`, or `model.apply(fn)`, skip the module-by-module run.

Running such a loop item by item is exact, but costs a step per module and per statement (in the
torchvision corpus, an init loop per model over hundreds of modules: +40% of the evaluation).
Most of them only read: `nn.init.kaiming_normal_(m.weight)`, `if m.bias is not None`. Those
change no parameter count, and are run once, speculatively, as before; one that may write is run
module by module."""

from __future__ import annotations

import ast

from paramlens.engine.nodes import walk

# Calls that read what they are handed: `isinstance(m, nn.Conv2d)`, `getattr(m, "bias", None)`.
_READING_CALLS = frozenset({"isinstance", "type", "hasattr", "getattr", "id", "len", "print",
                            "repr", "str"})
# In-place methods of a parameter's tensor that change its values, never its size or its
# requires_grad: `m.weight.data.normal_()`.
_VALUE_METHODS = frozenset({"normal_", "uniform_", "zero_", "fill_", "copy_", "clamp_", "mul_",
                            "add_", "sub_", "div_", "exponential_", "bernoulli_", "random_",
                            "fill_diagonal_", "detach", "clone", "numel", "dim", "size", "item"})
_KEY = "_paramlens_only_reads"


def only_reads(owner: ast.AST, body: list[ast.AST], name: str) -> bool:
    """Every use of `name` in `body` reads an attribute of it (`m.weight`), calls a value method
    on one (`m.weight.data.normal_()`) or is asked about (`isinstance(m, ...)`): nothing there
    assigns, deletes or registers anything on it, or hands it to other code. Kept on `owner`
    (the loop or the function) by name."""
    cache = getattr(owner, _KEY, None)
    if cache is None:
        cache = {}
        setattr(owner, _KEY, cache)
    if name not in cache:
        cache[name] = _only_reads(body, name)
    return cache[name]


def _only_reads(body: list[ast.AST], name: str) -> bool:
    nodes = [node for stmt in body for node in walk(stmt)]
    allowed: set[int] = set()
    for node in nodes:
        kind = type(node)
        if kind is ast.Call:
            func = node.func  # type: ignore[attr-defined]
            args = node.args  # type: ignore[attr-defined]
            if type(func) is ast.Name and func.id in _READING_CALLS and args and \
                    _is(args[0], name):
                allowed.add(id(args[0]))
            elif type(func) is ast.Attribute and _root_is(func.value, name):
                if func.attr not in _VALUE_METHODS or type(func.value) is ast.Name:
                    return False  # a method of the module itself, or one that may resize
                allowed.add(id(_root(func.value)))
        elif kind is ast.Attribute and _is(node.value, name):  # type: ignore[attr-defined]
            if not isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
                return False
            allowed.add(id(node.value))  # type: ignore[attr-defined]
        elif (kind is ast.Attribute or kind is ast.Subscript) and \
                not isinstance(node.ctx, ast.Load) and _root_is(node, name):  # type: ignore[attr-defined]
            return False  # `m.weight.data = ...`, `m.layers[0] = ...`
        elif kind is ast.Global or kind is ast.Nonlocal:
            return False
    for node in nodes:
        if type(node) is ast.Name and node.id == name and id(node) not in allowed:  # type: ignore[attr-defined]
            return False  # handed on, rebound, or used some other way
    return True


def _is(node: ast.AST, name: str) -> bool:
    return type(node) is ast.Name and node.id == name  # type: ignore[attr-defined]


def _root(node: ast.AST) -> ast.AST:
    while type(node) in (ast.Attribute, ast.Subscript):
        node = node.value  # type: ignore[attr-defined]
    return node


def _root_is(node: ast.AST, name: str) -> bool:
    return _is(_root(node), name)


def module_loop_target(stmt: ast.For | ast.AsyncFor) -> str | None:
    """The name a `for` loop over `X.modules()` or `X.named_modules()` binds each module to,
    when X is a plain name or attribute chain (reading it runs no code); else None."""
    call = stmt.iter
    if type(call) is not ast.Call or call.args or call.keywords:  # type: ignore[attr-defined]
        return None
    func = call.func  # type: ignore[attr-defined]
    if type(func) is not ast.Attribute or func.attr not in ("modules", "named_modules"):
        return None
    if type(_root(func.value)) is not ast.Name or any(
            type(n) is ast.Subscript for n in walk(func.value)):
        return None
    target = stmt.target
    if func.attr == "modules":
        return target.id if type(target) is ast.Name else None  # type: ignore[attr-defined]
    if type(target) is ast.Tuple and len(target.elts) == 2 and \
            all(type(e) is ast.Name for e in target.elts):  # type: ignore[attr-defined]
        return target.elts[1].id  # type: ignore[attr-defined]
    return None


def function_only_reads(func: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
                        position: int) -> bool:
    """`only_reads` for the function `apply` hands each module to, as its parameter `position`
    (1 for a bound method, after self)."""
    params = [*func.args.posonlyargs, *func.args.args]
    if len(params) <= position:
        return False
    body = func.body if isinstance(func.body, list) else [func.body]
    return only_reads(func, body, params[position].arg)
