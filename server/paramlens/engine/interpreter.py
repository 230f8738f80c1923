"""Walk one function (or the module body) statement by statement, folding values as a reader would.

The walk is flow-sensitive: an assignment replaces a name's value, both arms of an `if` are walked
and joined, and a name assigned inside a loop is unknown there and after it. It never runs code.
Layer constructor calls become `LayerSite`s; calls to the file's own functions become `CallRecord`s
so that facts.py can bind their parameters from what the file passes.
"""

from __future__ import annotations

import ast
import builtins
import operator
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from paramlens.engine import channels
from paramlens.engine.catalogue import (
    KERAS_REWEIGHING,
    KEY_VALUE_LENGTHS_REFUSED,
    WEIGHTLESS_TORCH,
    LayerSpec,
    lookup,
)
from paramlens.engine.facts import NAMESPACE_WRITERS
from paramlens.engine.names import RUNTIME_CONSTANTS, ImportTable, canonical
from paramlens.engine.nodes import all_nodes, source_text, walk
from paramlens.engine.quantity import UNKNOWN, Q
from paramlens.engine.values import (
    ClassRef,
    FunctionRef,
    LayerV,
    ModelV,
    Opaque,
    SequentialV,
    SpecRef,
    TensorV,
    TupleV,
    Value,
    as_q,
    merge_values,
)

_BINOPS: dict[type, tuple[Any, str]] = {
    ast.Add: (operator.add, "+"), ast.Sub: (operator.sub, "-"), ast.Mult: (operator.mul, "×"),
    ast.FloorDiv: (operator.floordiv, "//"), ast.Div: (operator.truediv, "/"),
    ast.Mod: (operator.mod, "%"), ast.Pow: (operator.pow, "**"),
}
_CMPOPS: dict[type, Any] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_BUILTINS: dict[str, Any] = {"int": int, "float": float, "round": round, "abs": abs, "bool": bool,
                             "max": max, "min": min, "len": len, "sum": sum}
# Builtins that read their arguments and never change them.
_READ_ONLY_BUILTINS = frozenset({"print", "isinstance", "issubclass", "repr", "str", "id", "type",
                                 "list", "tuple", "sorted", "enumerate", "zip", "reversed", "range",
                                 "iter", "any", "all", "hasattr", "getattr", "hash", "format",
                                 "dict", "set", "frozenset"})
_KERAS_MERGE_FUNCTIONS = {"add": "Add", "concatenate": "Concatenate", "multiply": "Multiply",
                          "average": "Average", "maximum": "Maximum", "minimum": "Minimum",
                          "subtract": "Subtract"}


@dataclass(eq=False)
class LayerSite:
    node: ast.Call
    spec: LayerSpec
    values: dict[str, Value]
    scope: str
    # The class itself rests on an assumption (`norm_layer` defaulting to nn.BatchNorm2d).
    class_assumption: str = ""
    input: TensorV | None = None
    input_bound: bool = False
    mismatch: str | None = None
    # the input channels the flow proves, where they contradict the stated ones (`mismatch`)
    flowing_channels: int | None = None
    unknown_args: tuple[str, ...] = ()
    why: str = ""  # why its arguments could not be read at all (an internal limit)
    # It may have been built on a shape this reading does not follow: Keras' `adapt(data)`
    # (the data's), or a build() the code may not run followed by a call on another input.
    # What it is called on later does not size its weights then.
    built_unfollowed: bool = False
    # Its input comes from a build() the code may not run (in a loop, under a condition, in a
    # `try`): where it is built, it is built on that; a later call on another input leaves
    # which one open.
    tentative: bool = False
    # why its weights are no longer what its constructor (and build) made: Keras' quantize()
    # or enable_lora(); a model holding it has a total this reading does not know
    reweighed: str = ""
    # why Keras' build refuses what the layer is first called on, before it makes any weight
    # (MultiHeadAttention: a value and a key that differ in an axis but the last)
    build_refused: str = ""
    # a call Keras refuses for certain (an attention's value and key of other lengths), why, and
    # the scope it is in: the call raises, and a layer built before it keeps its count
    call_refused: tuple[ast.Call, str, str] | None = None

    def set_input(self, tensor: TensorV | None) -> None:
        # A shared layer object is built by its first input; later calls do not rebuild it. A
        # Sequential re-passes its input when it learns more (`build()`), which may fill a gap.
        if self.built_unfollowed:
            return
        if self.tentative and tensor is not None:
            if not _same_input(self.input, tensor):
                self.built_unfollowed, self.input = True, None
                self.values.pop("__input_shape__", None)
            return
        if not self.input_bound or _less_known(self.input, tensor):
            self.input = tensor
            self.input_bound = True


def _lengths_differ(value: Value, key: Value) -> bool:
    """Whether two tensors certainly differ in an axis but the last (the batch aside)."""
    if not isinstance(value, TensorV) or not isinstance(key, TensorV) or value is key or \
            value.shape is None or key.shape is None:
        return False
    if len(value.shape) != len(key.shape):
        return True
    return any(a.known and b.known and type(a.exact) is int and type(b.exact) is int and
               a.exact != b.exact for a, b in zip(value.shape[:-1], key.shape[:-1], strict=True))


@dataclass
class CallRecord:
    callee: str  # FunctionInfo key
    values: dict[str, Value]
    line: int
    complete: bool  # False when *args/**kwargs hid which parameters were passed
    scope: str = ""


@dataclass
class WalkResult:
    sites: list[LayerSite] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    sequentials: list[tuple[SequentialV, str]] = field(default_factory=list)
    models: list[tuple[ast.Call, str]] = field(default_factory=list)
    # the scopes that call what this walk does not follow (the file's own functions and
    # classes, anything unresolved): a Keras Model there may hold layers it does not see
    unfollowed: set[str] = field(default_factory=set)
    self_attrs: dict[str, Value] = field(default_factory=dict)
    closures: dict[int, dict[str, Value]] = field(default_factory=dict)


class _Return(Exception):
    pass


_FRAMEWORK_ROOTS = frozenset(("keras", "tf_keras", "tensorflow", "tf", "torch"))
# Their modules whose functions compute, configure or load values, and build no layer.
_MAKE_NO_LAYERS = frozenset(("ops", "backend", "config", "random", "activations", "initializers",
                             "losses", "metrics", "optimizers", "regularizers", "constraints",
                             "math", "nn", "image", "dtypes", "tree", "functional", "linalg",
                             "cuda", "distributed"))


def _rearranged(seq: SequentialV) -> None:
    """`seq.insert(...)`, `seq.pop(...)`, `seq[i] = ...`, `del seq[i]`: which member follows
    which is no longer what the constructor listed, so no mismatch between neighbours stands,
    and the members are no longer all known."""
    seq.complete = False
    for member in seq.members:
        if isinstance(member, LayerV):
            member.site.mismatch = None
            member.site.flowing_channels = None


def _may_build_layers(func: ast.expr, qualified: str | None, env: dict[str, Value]) -> bool:
    """Whether a call the walk does not follow may build layers: a function of another module
    (not of the standard library or numpy), or a name the walk cannot resolve. (A method of a
    value made here, `model.predict(x)`, `self.assertEqual(...)`, is taken as building none.)"""
    if qualified is not None:
        parts = [p for p in qualified.split(".") if p != "src"]
        if parts[0] in sys.stdlib_module_names or parts[0] == "numpy":
            return False
        if parts[0] == "torch" and len(parts) > 2 and parts[1] == "nn":
            # torch.nn's own classes the catalogue does not describe may hold parameters
            # (nn.Parameter, ParameterList, utils.weight_norm, Embedding.from_pretrained)
            return parts[2] not in ("functional", "init") and \
                ".".join(parts) not in WEIGHTLESS_TORCH
        if parts[0] == "torch" and len(parts) == 2:
            return parts[1] == "load"  # (torch's functions make tensors; torch.load a model)
        return not (parts[0] in _FRAMEWORK_ROOTS and len(parts) > 2 and
                    parts[1] in _MAKE_NO_LAYERS)
    return isinstance(func, ast.Name) and func.id not in env and \
        not hasattr(builtins, func.id)


_UNSEEN = object()
# Decorators that only mark a method, calling nothing of the file's.
_PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod", "property"})
# Interpreter.ev's method for each node type (None: walked into, not modelled), filled as
# types are met.
_EV_METHODS: dict[type, Callable[..., Value] | None] = {}


class Interpreter:
    """Folds one body. `module` answers what the file defines (facts.ModuleFacts)."""

    def __init__(self, module: Any, scope: str, globals_: dict[str, Value],
                 class_key: str | None = None) -> None:
        self.module = module
        self.imports: ImportTable = module.imports
        self.scope = scope
        self.globals = globals_
        self.class_key = class_key
        self.result = WalkResult()
        self.loop_depth = 0
        # the names bound to a list or Sequential since may_run_own_code last looked, in order
        self.lists_bound: dict[str, None] = {}
        # the body of the scope walked (the module's statements, a function's): where its names
        # are bound, for what a lambda or a generator reads when it runs (late_names)
        self.scope_body: list[ast.stmt] = []
        self._bindings: dict[str, list[tuple[int, int]]] | None = None

    # statements -------------------------------------------------------------------------------
    def run(self, body: list[ast.stmt], env: dict[str, Value]) -> bool:
        """Walk statements; False when the path ends (return, raise, break, continue)."""
        for stmt in body:
            try:
                if not self.statement(stmt, env):
                    return False
            except RecursionError:
                self.too_deep(stmt, env)
            if self.module.rewrites_namespace and any(
                    isinstance(n, ast.Attribute) and n.attr == "modules"
                    and self.imports.qualified(n) == "sys.modules" for n in all_nodes(stmt)):
                self.namespace_rewritten(f"line {stmt.lineno} reads sys.modules")
        return True

    def namespace_rewritten(self, why: str) -> None:
        """Module names after this call are no longer the values assigned to them: each value
        (not the imports, functions and classes, which a file that rewrites them by strings
        cannot be read at all) becomes unknown."""
        for name, value in list(self.globals.items()):
            if isinstance(value, (Q, TupleV)):
                self.globals[name] = Q.unknown(name, why)

    def too_deep(self, stmt: ast.stmt, env: dict[str, Value]) -> None:
        """A statement nested deeper than Python's stack lets us walk: what it binds becomes
        unknown (never the value from before it), a list or Sequential it reads may have changed,
        and each layer call in it is still a site, with its arguments unknown and the reason."""
        why = f"line {stmt.lineno} is nested too deeply to evaluate"
        stack: list[ast.AST] = [stmt]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Store):
                    env[node.id] = Q.unknown(node.id, why)
                else:
                    lose_track(env.get(node.id), why)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) \
                    and isinstance(node.value, ast.Name):
                env[f"{node.value.id}.{node.attr}"] = Q.unknown(node.attr, why)
            elif isinstance(node, ast.Call):
                self._deep_site(node, env, why)
            if node is stmt or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                     ast.ClassDef, ast.Lambda)):
                stack.extend(ast.iter_child_nodes(node))

    def _deep_site(self, node: ast.Call, env: dict[str, Value], why: str) -> None:
        try:
            func = self.ev(node.func, env)
        except RecursionError:
            return
        if isinstance(func, SpecRef):
            unknown = {p.name: Q.unknown(p.name, why) for p in func.spec.signature if p.required}
            self.result.sites.append(LayerSite(node, func.spec, unknown, self.scope,
                                               func.assumption, unknown_args=tuple(unknown),
                                               why=why))

    def statement(self, stmt: ast.stmt, env: dict[str, Value]) -> bool:
        if isinstance(stmt, ast.Assign):
            value = self.ev(stmt.value, env)
            for target in stmt.targets:
                self.assign(target, value, env, stmt)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.ev(stmt.value, env), env, stmt)
        elif isinstance(stmt, ast.AugAssign):
            current = self.ev(_load(stmt.target), env)
            value = self.binop(current, stmt.op, self.ev(stmt.value, env), stmt)
            if isinstance(current, TupleV) and current.is_list and isinstance(stmt.op, ast.Add):
                self._extend(current, self.ev(stmt.value, env))
                value = current
            self.assign(stmt.target, value, env, stmt)
        elif isinstance(stmt, ast.Expr):
            self.ev(stmt.value, env)
        elif isinstance(stmt, ast.If):
            return self.branch(stmt.test, stmt.body, stmt.orelse, env)
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            self.loop(stmt, env)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                value = self.ev(item.context_expr, env)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, value, env, stmt)
            return self.run(stmt.body, env)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self.try_block(stmt, env)  # type: ignore[arg-type]
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for deco in stmt.decorator_list:
                self.ev(deco, env)
                if not (type(deco) is ast.Name and deco.id in _PLAIN_DECORATORS):
                    # applying it is a call, which may run the file's own code (a registry
                    # that appends to a module list, or the function itself)
                    self.may_run_own_code(env)
            ref = ClassRef if isinstance(stmt, ast.ClassDef) else FunctionRef
            env[stmt.name] = ref(self.module.key_of(stmt))
            self.result.closures[id(stmt)] = dict(env)
        elif isinstance(stmt, ast.Return):
            if stmt.value is not None:
                self.ev(stmt.value, env)
            return False
        elif isinstance(stmt, (ast.Raise, ast.Break, ast.Continue)):
            return False
        elif isinstance(stmt, ast.Match):
            arms = [dict(env) for _ in stmt.cases]
            self.ev(stmt.subject, env)
            for case, arm in zip(stmt.cases, arms, strict=False):
                self._forget(_assigned_in(case, "body"), arm)
                self.run(case.body, arm)
            self._forget(_assigned_in(stmt, "cases"), env)
        elif isinstance(stmt, (ast.Delete, ast.Global, ast.Nonlocal)):
            for target in stmt.targets if isinstance(stmt, ast.Delete) else ():
                container = self.ev(target.value, env) if isinstance(target, ast.Subscript) \
                    else None
                if isinstance(container, SequentialV):
                    _rearranged(container)
            names = [n for n in walk(stmt) if isinstance(n, ast.Name)]
            for n in names:
                env.pop(n.id, None)
        return True

    def branch(self, test: ast.expr, body: list[ast.stmt], orelse: list[ast.stmt],
               env: dict[str, Value]) -> bool:
        cond = as_q(self.ev(test, env))
        cond = cond.unary(bool, "bool")
        if cond.known:  # (only the arm that runs: the other's list methods must not change lists)
            return self.run(body if cond.exact else orelse, env)
        then_env, else_env = dict(env), dict(env)
        # Each arm may or may not run: a list it appends to, or a Sequential it adds to, is
        # lost track of, as in a loop (the lists are shared by both arms and what follows).
        self.loop_depth += 1
        try:
            then_open = self.run(body, then_env)
            else_open = self.run(orelse, else_env)
        finally:
            self.loop_depth -= 1
        if then_open != else_open:
            # Only one arm falls through (`if x is None: raise ...`): its values hold after.
            env.clear()
            env.update(then_env if then_open else else_env)
            return True
        keys = set(then_env) | set(else_env)
        merged = {}
        for key in keys:
            before = env.get(key)
            if before is not None and then_env.get(key) is before and else_env.get(key) is before:
                merged[key] = before  # neither arm changed it
                continue
            # (the stand-in for a name one arm lacks is made only then: most are in both)
            a = then_env[key] if key in then_env else Q.unknown(key)
            b = else_env[key] if key in else_env else Q.unknown(key)
            merged[key] = merge_values(a, b, cond)
        env.clear()
        env.update(merged)
        return then_open or else_open

    def loop(self, stmt: ast.For | ast.AsyncFor | ast.While, env: dict[str, Value]) -> None:
        if isinstance(stmt, ast.While):
            self.ev(stmt.test, env)
        else:
            self.ev(stmt.iter, env)
        changed = _assigned_in(stmt, "body") | _assigned_in(stmt, "orelse")
        if not isinstance(stmt, ast.While):
            changed |= _target_names(stmt.target)
        self._forget(changed, env)
        self.loop_depth += 1
        body_env = dict(env)
        self.run(stmt.body, body_env)
        self.loop_depth -= 1
        self._forget(changed, body_env)
        for key, value in body_env.items():
            if key not in env:
                env[key] = value
        self.run(stmt.orelse, env)
        self._forget(changed, env)

    def try_block(self, stmt: ast.Try, env: dict[str, Value]) -> None:
        changed = _assigned_in(stmt, "body")
        for handler in stmt.handlers:
            changed |= _assigned_in(handler, "body")
        body_env = dict(env)
        # With handlers, the body may stop part way and a handler run instead, or not, and the
        # `else` runs only if it did not stop: each may or may not run (a list one of them
        # appends to is lost track of, as in a loop).
        unsure = 1 if stmt.handlers else 0
        self.loop_depth += unsure
        try:
            self.run(stmt.body, body_env)
            for handler in stmt.handlers:
                handler_env = dict(env)
                self._forget(changed, handler_env)
                self.run(handler.body, handler_env)
            if stmt.handlers:
                else_env = dict(body_env)
                self.run(stmt.orelse, else_env)
        finally:
            self.loop_depth -= unsure
        if stmt.handlers:
            # Which path ran is unknown: values both set differently become unknown.
            for key in changed | _assigned_in(stmt, "orelse"):
                env[key] = Q.unknown(key)
            for key, value in body_env.items():
                if key not in changed:
                    env.setdefault(key, value)
        else:
            env.update(body_env)
            self.run(stmt.orelse, env)
        self.run(stmt.finalbody, env)

    @staticmethod
    def _forget(names: set[str], env: dict[str, Value]) -> None:
        for name in names:
            env[name] = Q.unknown(name)

    def assign(self, target: ast.expr, value: Value, env: dict[str, Value], stmt: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = _named(value, target.id, stmt)
            if trackable(value):
                self.lists_bound[target.id] = None
        elif isinstance(target, ast.Attribute) and _is_self(target.value):
            env[f"self.{target.attr}"] = _named(value, f"self.{target.attr}", stmt)
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = value.items if isinstance(value, TupleV) and len(value.items) == len(
                target.elts) else None
            for i, elt in enumerate(target.elts):
                if isinstance(elt, ast.Starred):
                    self.assign(elt.value, Opaque("starred"), env, stmt)
                    items = None
                    continue
                self.assign(elt, items[i] if items else Q.unknown(elt), env, stmt)
        elif isinstance(target, ast.Subscript):
            container = self.ev(target.value, env)
            if isinstance(container, TupleV):
                container.complete = False
            elif isinstance(container, SequentialV):
                _rearranged(container)

    # expressions ------------------------------------------------------------------------------
    def ev(self, node: ast.expr, env: dict[str, Value]) -> Value:
        # The method for each node type, found once per type (every expression of every
        # function passes here: a name built and looked up on each was a sizeable share).
        kind = type(node)
        method = _EV_METHODS.get(kind, _UNSEEN)
        if method is _UNSEEN:
            method = _EV_METHODS[kind] = getattr(Interpreter, "ev_" + kind.__name__, None)
        if method is not None:
            return method(self, node, env)  # type: ignore[operator]
        # Walk what we do not model, so that layer calls nested inside are still found.
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.ev(child, env)
        return Opaque(node)

    def ev_NamedExpr(self, node: ast.NamedExpr, env: dict[str, Value]) -> Value:
        value = self.ev(node.value, env)
        if isinstance(node.target, ast.Name):
            env[node.target.id] = value
            if trackable(value):
                self.lists_bound[node.target.id] = None
        return value

    def ev_Constant(self, node: ast.Constant, env: dict[str, Value]) -> Value:
        return Q.const(node.value)

    def ev_Name(self, node: ast.Name, env: dict[str, Value]) -> Value:
        if node.id in env:
            return env[node.id]
        if node.id in self.globals:
            return self.globals[node.id]
        qualified = self.imports.qualified(node)
        spec = lookup(canonical(qualified) or "")
        if spec is not None:
            return self._spec_ref(spec)
        if qualified in RUNTIME_CONSTANTS:
            return Q.const(RUNTIME_CONSTANTS[qualified])
        return Q.unknown(node.id)

    def _spec_ref(self, spec: Any) -> Value:
        """A framework layer class the file names; one it also replaces is that class only
        where the replacement has not run yet, which this reading does not order."""
        line = self.module.replaced_layers.get(spec.name)
        if line is None:
            return SpecRef(spec)  # type: ignore[return-value]
        return SpecRef(spec, f"{spec.short} is the framework's own class (line {line} "  # type: ignore[return-value]
                             f"replaces it)")

    def _rooted_in_imports(self, node: ast.expr, env: dict[str, Value]) -> bool:
        """A dotted name whose root no assignment, def or class rebound (so imports decide
        what it is)."""
        while type(node) is ast.Attribute:  # `ast.parse` makes no subclasses
            node = node.value  # type: ignore[attr-defined]
        return type(node) is ast.Name and node.id not in env and \
            node.id not in self.globals  # type: ignore[attr-defined]

    def ev_Attribute(self, node: ast.Attribute, env: dict[str, Value]) -> Value:
        return self._attribute(node, env)[0]

    def _attribute(self, node: ast.Attribute, env: dict[str, Value]) -> tuple[Value, Value]:
        """The attribute's value, and its owner's if that was evaluated on the way (else
        _UNSEEN): a method call needs the owner too, and evaluates it only once, as Python
        does (a chain `a.b(x).c(y).d()` evaluated twice per link costs 2^links)."""
        if _is_self(node.value):
            key = f"self.{node.attr}"
            if key in env:
                return env[key], _UNSEEN
            constant = self.module.class_constant(self.class_key, node.attr)
            if isinstance(constant, Q):
                # Through `self` a subclass may override the class attribute.
                return constant.demoted(f"self.{node.attr} is not overridden by a subclass"), \
                    _UNSEEN
            return Q.unknown(key), _UNSEEN
        # `nn = None` or `class nn:` after `import torch.nn as nn`: the name is no longer the import
        qualified = self.imports.qualified(node) if self._rooted_in_imports(node, env) else None
        spec = lookup(canonical(qualified) or "")
        if spec is not None:
            return self._spec_ref(spec), _UNSEEN
        if qualified in RUNTIME_CONSTANTS:
            return Q.const(RUNTIME_CONSTANTS[qualified]), _UNSEEN
        base = self.ev(node.value, env)
        if isinstance(base, ClassRef):
            constant = self.module.class_constant(base.name, node.attr)
            if constant is not None:
                return constant, base
        assigned = self.module.attributes_assigned
        if isinstance(base, LayerV) and not (base.spec.framework == "torch" and
                                             node.attr in ("weight", "bias")) and \
                node.attr not in dict(base.spec.stored) and \
                assigned is not None and node.attr not in assigned:
            # (a torch layer's `bias` is its tensor or None, not the `bias=` flag it was given;
            # an argument the class keeps in another form (`stride` as a tuple), or one the
            # file sets on some object, is left to the evaluation, which follows them)
            value = base.site.values.get(node.attr)
            if value is not None and not (base.spec.framework == "keras" and
                                          isinstance(value, Q) and isinstance(value.exact, str)):
                return value, base
        return Q.unknown(node), base

    def ev_Tuple(self, node: ast.Tuple, env: dict[str, Value]) -> Value:
        return self._sequence(node.elts, env, is_list=False)

    def ev_List(self, node: ast.List, env: dict[str, Value]) -> Value:
        return self._sequence(node.elts, env, is_list=True)

    def _sequence(self, elts: list[ast.expr], env: dict[str, Value], is_list: bool) -> TupleV:
        items: list[Value] = []
        complete = True
        for elt in elts:
            if isinstance(elt, ast.Starred):
                inner = self.ev(elt.value, env)
                if isinstance(inner, TupleV) and inner.complete:
                    items.extend(inner.items)
                else:
                    complete = False
            else:
                items.append(self.ev(elt, env))
        return TupleV(tuple(items), is_list, complete)

    def ev_BinOp(self, node: ast.BinOp, env: dict[str, Value]) -> Value:
        return self.binop(self.ev(node.left, env), node.op, self.ev(node.right, env), node)

    def binop(self, left: Value, op: ast.operator, right: Value, node: ast.AST) -> Value:
        if isinstance(left, TupleV) and isinstance(right, TupleV) and isinstance(op, ast.Add):
            return TupleV(left.items + right.items, left.is_list, left.complete and right.complete)
        if isinstance(left, Q) and isinstance(right, Q) and type(op) in _BINOPS:
            fn, symbol = _BINOPS[type(op)]
            if isinstance(op, ast.Add):
                return left + right
            if isinstance(op, ast.Mult):
                return left * right
            return left.binary(right, fn, symbol)
        return Q.unknown(node if isinstance(node, ast.expr) else "?")

    def ev_UnaryOp(self, node: ast.UnaryOp, env: dict[str, Value]) -> Value:
        operand = self.ev(node.operand, env)
        if not isinstance(operand, Q):  # the text only where it is used: unparsing costs
            operand = Q.unknown(node.operand)
        if isinstance(node.op, ast.USub):
            return operand.unary(operator.neg, "-")
        if isinstance(node.op, ast.Not):
            return operand.unary(operator.not_, "not")
        if isinstance(node.op, ast.UAdd):
            return operand
        return Q.unknown(node)

    def ev_BoolOp(self, node: ast.BoolOp, env: dict[str, Value]) -> Value:
        values = [self._as_q(v, env) for v in node.values]
        result = values[0]
        for v in values[1:]:
            if isinstance(node.op, ast.And):
                result = result.binary(v, lambda a, b: a and b, "and")
            else:
                result = result.binary(v, lambda a, b: a or b, "or")
        return result

    def _as_q(self, node: ast.expr, env: dict[str, Value]) -> Q:
        """as_q(self.ev(node, env), node): an unknown named by its expression."""
        value = self.ev(node, env)
        return value if isinstance(value, Q) else Q.unknown(node)

    def ev_Compare(self, node: ast.Compare, env: dict[str, Value]) -> Value:
        left = self.ev(node.left, env)
        result: Q | None = None
        for op, comparator in zip(node.ops, node.comparators, strict=False):
            right = self.ev(comparator, env)
            lq, rq = _comparable(left), _comparable(right)
            if lq is None or rq is None or type(op) not in _CMPOPS:
                return Q.unknown(node)
            step = lq.binary(rq, _CMPOPS[type(op)], "cmp")
            result = step if result is None else result.binary(step, lambda a, b: a and b, "and")
            left = right
        return result if result is not None else Q.unknown(node)

    def ev_IfExp(self, node: ast.IfExp, env: dict[str, Value]) -> Value:
        cond = as_q(self.ev(node.test, env)).unary(bool, "bool")
        a, b = self.ev(node.body, env), self.ev(node.orelse, env)
        return merge_values(a, b, cond)

    def ev_Subscript(self, node: ast.Subscript, env: dict[str, Value]) -> Value:
        base = self.ev(node.value, env)
        index = self.ev(node.slice, env)
        if isinstance(base, TupleV) and base.complete and isinstance(index, Q) and index.known \
                and isinstance(index.exact, int):
            try:
                return base.items[index.exact]
            except IndexError:
                return Q.unknown(node)
        if isinstance(base, Q) and isinstance(index, Q):
            return _subscript_q(base, index, node)
        return Q.unknown(node)

    def ev_Dict(self, node: ast.Dict, env: dict[str, Value]) -> Value:
        for v in node.values:
            self.ev(v, env)
        return Opaque("dict")

    def late_names(self, node: ast.expr) -> set[str]:
        """The names of this scope whose value where `node` is written may not be the one its
        body reads when it runs, later: bound more than once, or first after it. (A lambda's or
        a generator's body reads its free names when it runs: `c = 3; g = (conv(c) for ...);
        c = 8` builds with 8.)"""
        if self._bindings is None:
            self._bindings = _binding_places(self.scope_body)
        here = (node.lineno, node.col_offset)
        late = {name for name, places in self._bindings.items()
                if len(places) > 1 or places[0] > here}
        if self.scope == "<module>":
            late |= self.module.globals_rebound  # a function may set them before it runs
        return late

    def ev_Lambda(self, node: ast.Lambda, env: dict[str, Value]) -> Value:
        """Its body runs when it is called, if ever, not here: it is walked for the layers it
        builds, and a list it changes is changed where the walk cannot follow, as in a loop
        (`add = lambda: REG.append(conv)` never called leaves REG empty)."""
        inner = dict(env)
        self._forget(self.late_names(node), inner)
        args = node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                inner[arg.arg] = Q.unknown(arg.arg)
        self.loop_depth += 1
        try:
            self.ev(node.body, inner)
        finally:
            self.loop_depth -= 1
        return Opaque("lambda")

    def _comprehension(self, node: Any, env: dict[str, Value], elts: list[ast.expr]) -> Value:
        inner = dict(env)
        for index, gen in enumerate(node.generators):
            self.ev(gen.iter, inner)
            if index == 0 and isinstance(node, ast.GeneratorExp):
                # all but its first iterable runs when it is pulled from, not here
                self._forget(self.late_names(node), inner)
            self._forget(_target_names(gen.target), inner)
        self.loop_depth += 1
        for elt in elts:
            self.ev(elt, inner)
        self.loop_depth -= 1
        # `:=` inside binds in the enclosing scope, once per item: not a value this walk fixes.
        self._forget({n.target.id for n in walk(node) if isinstance(n, ast.NamedExpr)
                      and isinstance(n.target, ast.Name)}, env)
        return TupleV((), True, complete=False)

    def ev_ListComp(self, node: ast.ListComp, env: dict[str, Value]) -> Value:
        return self._comprehension(node, env, [node.elt])

    ev_SetComp = ev_ListComp
    ev_GeneratorExp = ev_ListComp  # type: ignore[assignment]

    def ev_DictComp(self, node: ast.DictComp, env: dict[str, Value]) -> Value:
        return self._comprehension(node, env, [node.key, node.value])

    # calls -------------------------------------------------------------------------------------
    def ev_Call(self, node: ast.Call, env: dict[str, Value]) -> Value:
        if type(node.func) is ast.Attribute:
            func, owner = self._attribute(node.func, env)  # type: ignore[arg-type]
        else:
            func, owner = self.ev(node.func, env), _UNSEEN
        if self.module.rewrites_namespace and (
                isinstance(func, (FunctionRef, ClassRef)) or isinstance(node.func, ast.Name)
                and node.func.id in NAMESPACE_WRITERS and node.func.id not in env):
            self.namespace_rewritten(f"line {node.lineno} may rebind names through "
                                     f"{source_text(node.func)}()")
        if isinstance(func, SpecRef):
            return self.construct(node, func, env)
        if isinstance(func, LayerV):
            return self.call_layer(func, node, env)
        if isinstance(func, SequentialV):
            return self.call_sequential(func, node, env)
        if isinstance(func, (FunctionRef, ClassRef)):
            return self.call_own(func, node, env)
        # what the callee's name imports, worked out once for the checks below
        qualified = self.imports.qualified(node.func) if self._rooted_in_imports(node.func, env) \
            else None
        if qualified == "functools.partial" and node.args:
            target = self.ev(node.args[0], env)
            rest = [self.ev(arg, env) for arg in node.args[1:]]
            preset = tuple((kw.arg, self.ev(kw.value, env)) for kw in node.keywords if kw.arg)
            if isinstance(target, SpecRef) and not rest:
                return SpecRef(target.spec, target.assumption, target.preset + preset)
            return Opaque(node)
        special = self.framework_call(node, env, canonical(qualified))
        if special is not None:
            return special
        if isinstance(node.func, ast.Attribute):
            if owner is _UNSEEN:
                owner = self.ev(node.func.value, env)
            if _is_self(node.func.value) and not isinstance(owner, (SequentialV, TupleV)):
                # a method of the class (method_call knows no method of anything but a list or
                # a Sequential): its arguments are evaluated once, where they are bound to it
                key = self.module.method_key(self.class_key, node.func.attr)
                if key is not None:
                    self.invalidate_self(env, key)
                    return self.call_own(FunctionRef(key), node, env)
        # each argument evaluated once, here, for the method and for what is done below
        args = [self.ev(a.value if isinstance(a, ast.Starred) else a, env) for a in node.args]
        keywords = [self.ev(kw.value, env) for kw in node.keywords]
        if isinstance(node.func, ast.Attribute):
            result = self.method_call(owner, node, args)
            if result is not None:
                return result
        if isinstance(node.func, ast.Name) and node.func.id in _BUILTINS and node.func.id not in env:
            return self.builtin(node.func.id, args, node)
        if not (isinstance(node.func, ast.Name) and node.func.id in _READ_ONLY_BUILTINS
                and node.func.id not in env):
            for value in (*args, *keywords):
                if trackable(value):  # (the callee's text made only then: most calls pass none)
                    lose_track(value, f"passed to {source_text(node.func)}()")
            self.may_run_own_code(env)
            if _may_build_layers(node.func, qualified, env):
                self.result.unfollowed.add(self.scope)
        return Opaque(node.func)

    def may_run_own_code(self, env: dict[str, Value]) -> None:
        """A call at the top level that may run the file's own functions, which this walk does
        not follow. The names they declare `global` may be rebound by it (`grow(60)`, whose
        innermost call sets WIDTH = 64): they hold nothing certain after it. (In a function's
        walk they hold nothing certain anyway: see analysis._walk_module.) A list or Sequential
        a function reads may be added to by it (`REGISTRY.append(...)` in `register()`)."""
        if self.scope != "<module>":
            return
        for name in self.module.globals_rebound:
            env[name] = Q.unknown(name, f"{name} (rebound through `global`)")
        if not self.lists_bound:
            return
        read = self.module.read_in_functions
        # Each list is looked at once after it is bound: lost then, it stays incomplete (what is
        # added later follows an unknown), so a thousand calls cost no more than one.
        bound, self.lists_bound = self.lists_bound, {}
        for name in bound:
            value = env.get(name)
            if name in read and trackable(value) and value.complete:  # type: ignore[union-attr]
                lose_track(value, f"{name} may be changed by a function of the file")

    def builtin(self, name: str, args: list[Value], node: ast.Call) -> Value:
        fn = _BUILTINS[name]
        if name == "len" and len(args) == 1 and isinstance(args[0], TupleV) and args[0].complete:
            return Q.const(len(args[0].items))
        if name in ("max", "min", "sum") and len(args) == 1 and isinstance(args[0], TupleV):
            args = list(args[0].items) if args[0].complete else [Q.unknown("?")]
            if name == "sum":
                return _fold_many(args, sum, node)
        if all(isinstance(a, Q) for a in args) and args:
            return _fold_many(args, lambda *xs: fn(*xs), node)
        return Q.unknown(node)

    def framework_call(self, node: ast.Call, env: dict[str, Value], name: str | None
                       ) -> Value | None:
        """The call of a framework's container, input, model or function, named `name` (the
        callee's import, canonical); None for any other call."""
        if name is None:
            return None
        short = name.rsplit(".", 1)[1]
        line = node.lineno
        if name == "torch.nn.Sequential":
            members, complete = self._members(node, env)
            seq = SequentialV("torch", members, complete, None, node)
            self._flow(seq)
            self.result.sequentials.append((seq, self.scope))
            return seq
        if name in ("torch.nn.ModuleList",):
            members, complete = self._members(node, env)
            return TupleV(tuple(members), True, complete)
        if short == "Sequential":
            members, complete = self._members(node, env)
            seq = SequentialV("keras", members, complete, None, node)
            self._keras_sequential_input(seq)
            self._flow(seq)
            self.result.sequentials.append((seq, self.scope))
            return seq
        if short in ("Input", "InputLayer"):
            values = self._kwargs_values(node, env)
            shape = values.get("shape", values.get("input_shape"))
            if shape is None and node.args and short == "Input":
                shape = self.ev(node.args[0], env)
            source = _source_text(node, ("shape", "input_shape"))
            story = f"{short}({source}) on line {line}"
            tensor = channels.shape_tensor(shape, _story(story, shape)) if shape is not None else None
            if tensor is None and "batch_shape" in values:
                tensor = channels.batch_shape_tensor(values["batch_shape"], story)
            return tensor or TensorV(Q.unknown("input channels"), None, story=story)
        if short == "Model":
            for arg in node.args:
                self.ev(arg, env)
            for kw in node.keywords:
                self.ev(kw.value, env)
            self.result.models.append((node, self.scope))
            return ModelV(node)
        if short in _KERAS_MERGE_FUNCTIONS and name.startswith("keras."):
            spec = lookup(f"keras.layers.{_KERAS_MERGE_FUNCTIONS[short]}")
            if spec is not None and node.args:
                site = LayerSite(node, spec, {}, self.scope)
                inputs = self.ev(node.args[0], env)
                return channels.apply_layer(site, inputs, f"{short} on line {line}")
        return None

    def _kwargs_values(self, node: ast.Call, env: dict[str, Value]) -> dict[str, Value]:
        return {kw.arg: self.ev(kw.value, env) for kw in node.keywords if kw.arg}

    def _members(self, node: ast.Call, env: dict[str, Value]) -> tuple[list[Value], bool]:
        members: list[Value] = []
        complete = True
        for arg in node.args:
            value = self.ev(arg.value if isinstance(arg, ast.Starred) else arg, env)
            if isinstance(arg, ast.Starred) or (isinstance(value, TupleV) and len(node.args) == 1):
                if isinstance(value, TupleV):
                    members.extend(value.items)
                    complete = complete and value.complete
                else:
                    complete = False
            elif isinstance(value, Opaque) and _is_ordered_dict(arg):
                pairs = self.ev(arg.args[0], env) if isinstance(arg, ast.Call) and arg.args \
                    else None
                if isinstance(pairs, TupleV):
                    for pair in pairs.items:
                        if isinstance(pair, TupleV) and len(pair.items) == 2:
                            members.append(pair.items[1])
                    complete = complete and pairs.complete
                else:
                    complete = False
            else:
                members.append(value)
        for kw in node.keywords:
            self.ev(kw.value, env)
        return members, complete

    def _keras_sequential_input(self, seq: SequentialV) -> None:
        if seq.input is not None or not seq.members:
            return
        first = seq.members[0]
        if isinstance(first, LayerV):
            shape = first.site.values.get("input_shape")
            if shape is not None:
                source = _source_text(first.site.node, ("input_shape",))
                story = _story(f"{source} on line {first.site.node.lineno}", shape)
                seq.input = channels.shape_tensor(shape, story)
            batch = first.site.values.get("batch_input_shape")
            if seq.input is None and batch is not None:
                seq.input = channels.batch_shape_tensor(batch, f"batch_input_shape on line "
                                                               f"{first.site.node.lineno}")

    def _flow(self, seq: SequentialV) -> None:
        stories = {}
        for member in seq.members:
            if isinstance(member, LayerV):
                stories[id(member.site)] = f"{member.spec.short} on line {member.site.node.lineno}"
        channels.sequential_flow(seq, stories)

    def method_call(self, owner: Value, node: ast.Call, args: list[Value]) -> Value | None:
        """`args`: the call's positional arguments, evaluated (a starred one: what it spreads)."""
        assert isinstance(node.func, ast.Attribute)
        method = node.func.attr
        starred = any(isinstance(a, ast.Starred) for a in node.args)
        if isinstance(owner, LayerV) and method == "adapt" and owner.spec.framework == "keras" \
                and not owner.site.input_bound:
            owner.site.built_unfollowed = True
            return Q.const(None)
        if isinstance(owner, LayerV) and method in KERAS_REWEIGHING and \
                owner.spec.framework == "keras":
            owner.site.reweighed = f"{method}() changes its weights"
            return Q.const(None)
        if isinstance(owner, LayerV) and method == "build" and args and \
                owner.spec.framework == "keras" and not owner.site.input_bound:
            # `cell.build((None, 8))`: built on that shape, as a call on such an input would
            tensor = channels.batch_shape_tensor(
                args[0], _story(f"build({source_text(node.args[0])}) on line {node.lineno}",
                                args[0]))
            if tensor is None and self.loop_depth:
                owner.site.built_unfollowed = True
            elif tensor is not None:
                channels.apply_layer(owner.site, tensor, tensor.story)
                owner.site.tentative = bool(self.loop_depth)
            return Q.const(None)
        if isinstance(owner, SequentialV):
            if method == "add" and args:
                if self.loop_depth:
                    owner.complete = False
                    owner.members.append(Opaque("added in a loop"))
                else:
                    owner.members.append(args[0])
                if owner.framework == "keras":
                    self._keras_sequential_input(owner)
                self._flow(owner)
                return Q.const(None)
            if method in ("insert", "pop"):
                _rearranged(owner)
                return Opaque(f"{method}()")
            if method == "build" and args:
                tensor = channels.batch_shape_tensor(
                    args[0], _story(f"build({source_text(node.args[0])}) on line {node.lineno}",
                                    args[0]))
                if tensor is not None:
                    owner.input = tensor
                    self._flow(owner)
                return Q.const(None)
            return Opaque(f"{method}()")
        if isinstance(owner, TupleV) and owner.is_list and method in ("append", "extend", "insert",
                                                                     "pop", "remove", "clear"):
            self._list_method(owner, method, args, starred)
            return Q.const(None)
        if isinstance(owner, TupleV) and owner.is_list and method not in ("index", "count", "copy"):
            lose_track(owner, f"{method}() changes it in a way this reading does not follow")
        return None

    def _list_method(self, owner: TupleV, method: str, args: list[Value], starred: bool) -> None:
        if self.loop_depth or starred or method not in ("append", "extend"):
            lose_track(owner, f"{method}() where the code cannot be followed")
            return
        if method == "append" and args:
            owner.items = owner.items + (args[0],)
        elif method == "extend" and args:
            self._extend(owner, args[0])

    def _extend(self, owner: TupleV, other: Value) -> None:
        if isinstance(other, TupleV) and other.complete and not self.loop_depth:
            owner.items = owner.items + other.items
        else:
            lose_track(owner, "extended where the code cannot be followed")

    def construct(self, node: ast.Call, ref: SpecRef, env: dict[str, Value]) -> Value:
        spec = ref.spec
        values, unknown = self.bind_call(node, [(p.name, p.required, p.default)
                                                for p in spec.signature], env, framework=True,
                                         preset=dict(ref.preset))
        fmt = values.get("data_format")
        if self.module.sets_keras_format and spec.framework == "keras" and isinstance(fmt, Q) \
                and fmt.known and fmt.exact is None:
            values["data_format"] = Q.unknown("the image data format, which this file sets")
        if spec.framework == "keras":
            # a Keras layer makes its weights when it is built, from its attributes then: one
            # the file sets on some object (`dense.units = 10`) may not be the argument's
            assigned = self.module.attributes_assigned
            for param in spec.signature:
                if assigned is None or param.name in assigned:
                    values[param.name] = Q.unknown(f"{param.name}, which this file sets on an "
                                                   "object")
        site = LayerSite(node, spec, values, self.scope, ref.assumption,
                         unknown_args=tuple(unknown))
        self.result.sites.append(site)
        return LayerV(site, spec)

    def call_layer(self, layer: LayerV, node: ast.Call, env: dict[str, Value]) -> Value:
        positional = [self.ev(a.value if isinstance(a, ast.Starred) else a, env) for a in node.args]
        keywords = {kw.arg: self.ev(kw.value, env) for kw in node.keywords}
        inputs = positional[0] if positional else keywords.get("inputs", keywords.get("x"))
        if layer.spec.framework == "torch":
            return TensorV(Q.unknown(f"output of {layer.spec.short}"), None, framework="torch")
        story = f"{layer.spec.short} on line {layer.site.node.lineno}"
        if layer.spec.family == "attention":
            # mha(query, value, key=None): the key defaults to the value.
            value = positional[1] if len(positional) > 1 else keywords.get("value")
            key = positional[2] if len(positional) > 2 else keywords.get("key", value)
            for slot, tensor in (("__value_channels__", value), ("__key_channels__", key)):
                layer.site.values[slot] = tensor.channels if isinstance(tensor, TensorV) else \
                    Q.unknown(slot.strip("_").replace("_", " "))
            if _lengths_differ(value, key):
                # Keras raises: nothing flows on. MultiHeadAttention's build refuses them before
                # it makes a weight (no count where this call builds it); GroupQueryAttention's
                # weights are made first, and its output shape refuses them.
                why = KEY_VALUE_LENGTHS_REFUSED
                if layer.spec.checks_inputs_in_build and not layer.site.input_bound:
                    layer.site.build_refused = why
                layer.site.call_refused = layer.site.call_refused or (node, why, self.scope)
                channels.apply_layer(layer.site, inputs, story)
                return TensorV(Q.unknown(f"output of {layer.spec.short}"), None,
                               framework="keras")
        return channels.apply_layer(layer.site, inputs, story)

    def call_sequential(self, seq: SequentialV, node: ast.Call, env: dict[str, Value]) -> Value:
        inputs = self.ev(node.args[0], env) if node.args else None
        if seq.framework == "keras" and isinstance(inputs, TensorV) and seq.input is None:
            seq.input = inputs
            self._flow(seq)
        return TensorV(Q.unknown("output of Sequential"), None)

    def call_own(self, ref: FunctionRef | ClassRef, node: ast.Call, env: dict[str, Value]) -> Value:
        self.result.unfollowed.add(self.scope)
        info = self.module.callee(ref)
        if info is None:
            for a in node.args:
                lose_track(self.ev(a.value if isinstance(a, ast.Starred) else a, env), "passed to a call")
            for kw in node.keywords:
                lose_track(self.ev(kw.value, env), "passed to a call")
            self.may_run_own_code(env)
            return Opaque("call")
        values, unknown = self.bind_call(node, info.binding, env, framework=False)
        self.may_run_own_code(env)
        self.result.calls.append(CallRecord(info.key, values, node.lineno, not unknown, self.scope))
        # This walk does not follow the call: a list it is handed may come back changed.
        for value in values.values():
            lose_track(value, f"passed to {info.key}()")
        return Opaque(f"{info.key}()")

    def invalidate_self(self, env: dict[str, Value], method_key: str) -> None:
        for attr in self.module.self_attrs_assigned_by(method_key):
            env[f"self.{attr}"] = Q.unknown(f"self.{attr}")

    def bind_call(self, node: ast.Call, params: list[tuple[str, bool, Any]], env: dict[str, Value],
                  framework: bool, preset: dict[str, Value] | None = None
                  ) -> tuple[dict[str, Value], list[str]]:
        """Bind a call's arguments to a signature; parameters left open by *args/**kwargs are
        listed as unknown (framework defaults still apply under the default assumption)."""
        values: dict[str, Value] = {}
        names = [p[0] for p in params]
        position = 0
        open_from: int | None = None
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                spread = self.ev(arg.value, env)
                if isinstance(spread, TupleV) and spread.complete and open_from is None:
                    for item in spread.items:
                        if position < len(names):
                            values[names[position]] = item
                        position += 1
                    continue
                open_from = position if open_from is None else open_from
                continue
            value = self.ev(arg, env)
            if open_from is None and position < len(names):
                values[names[position]] = value
            position += 1
        hidden_kwargs: str | None = None
        for kw in node.keywords:
            if kw.arg is None:
                literal = _literal_dict(kw.value)
                if literal is not None:
                    for key, expr in literal:
                        values[key] = self.ev(expr, env)
                else:
                    self.ev(kw.value, env)
                    hidden_kwargs = source_text(kw.value)
                continue
            values[kw.arg] = self.ev(kw.value, env)
        for name, value in (preset or {}).items():
            values.setdefault(name, value)
        unknown: list[str] = []
        for index, (name, required, default) in enumerate(params):
            if name in values:
                continue
            positional_hidden = open_from is not None and index >= open_from
            if positional_hidden or hidden_kwargs is not None:
                unknown.append(name)
                how = "*args" if positional_hidden else f"**{hidden_kwargs}"
                if framework and not required:
                    values[name] = Q.assumed(default, name, f"default {name}={default!r}",
                                             f"{how} does not set {name}")
                else:
                    values[name] = Q.unknown(name)
            elif framework and not required:
                values[name] = Q.const(default, f"default {name}={default!r}")
        return values, unknown


# helpers --------------------------------------------------------------------------------------
def _same_input(old: TensorV | None, new: TensorV) -> bool:
    """Two inputs that size a layer alike: the same channels and the same shape, all fixed."""
    if old is None or not (old.channels.known and new.channels.known) or \
            old.channels.exact != new.channels.exact:
        return False
    if old.shape is None or new.shape is None:
        return old.shape is None and new.shape is None
    return len(old.shape) == len(new.shape) and all(
        a.known and b.known and a.exact == b.exact for a, b in zip(old.shape, new.shape,
                                                                    strict=True))


def _less_known(old: TensorV | None, new: TensorV | None) -> bool:
    if new is None:
        return False
    if old is None:
        return True
    return not old.channels.known_default and new.channels.known_default


def _subscript_q(base: Q, index: Q, node: ast.Subscript) -> Q:
    result = base.binary(index, lambda a, b: a[b], "[]")
    return Q(result.exact, result.default, ("sym", node), base.origin, result.assumption)


def _fold_many(args: list[Value], fn: Any, node: ast.Call) -> Q:
    qs = [a for a in args if isinstance(a, Q)]
    if len(qs) != len(args):
        return Q.unknown(node)
    exact = UNKNOWN
    default = UNKNOWN
    try:
        if all(q.known for q in qs):
            exact = fn(*[q.exact for q in qs])
        if all(q.known_default for q in qs):
            default = fn(*[q.default for q in qs])
    except Exception:
        pass
    assumption = next((q.assumption for q in qs if q.assumption), "")
    return Q(exact, default, ("sym", node), qs[0].origin if qs else "", assumption)


def _comparable(value: Value) -> Q | None:
    if isinstance(value, Q):
        return value
    if isinstance(value, (LayerV, SequentialV, TensorV, FunctionRef, ClassRef, SpecRef)):
        return Q.const(value)  # an object: `is None` is certainly False
    return None


def _named(value: Value, name: str, stmt: ast.stmt) -> Value:
    if isinstance(value, Q):
        if value.known and value.origin in ("literal", ""):
            text = source_text(stmt.value) if getattr(stmt, "value", None) is not None else ""
            return Q(value.exact, value.default, ("sym", name),
                     f"{name} = {text} (line {stmt.lineno})", value.assumption)
        return Q(value.exact, value.default, value.term if not value.known else ("sym", name),
                 value.origin or f"{name} (line {stmt.lineno})", value.assumption)
    return value


def _story(text: str, value: Value) -> str:
    if isinstance(value, TupleV):
        origins = [v.assumption for v in value.items if isinstance(v, Q) and v.assumption]
        if origins:
            return f"{text}, {origins[-1]}"
    if isinstance(value, Q) and value.assumption:
        return f"{text}, {value.assumption}"
    return text


def _source_text(node: ast.Call, keywords: tuple[str, ...]) -> str:
    for kw in node.keywords:
        if kw.arg in keywords:
            return f"{kw.arg}={source_text(kw.value)}"
    if node.args:
        return source_text(node.args[0])
    return ""


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _is_ordered_dict(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)) and \
        source_text(node.func).endswith("OrderedDict")


def _literal_dict(node: ast.expr) -> list[tuple[str, ast.expr]] | None:
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) and isinstance(k.value, str)
                                          for k in node.keys):
        return [(k.value, v) for k, v in zip(node.keys, node.values, strict=False)]  # type: ignore[union-attr]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" \
            and not node.args and all(kw.arg for kw in node.keywords):
        return [(kw.arg, kw.value) for kw in node.keywords]  # type: ignore[misc]
    return None


def _load(target: ast.expr) -> ast.expr:
    if isinstance(target, ast.Name):
        return ast.Name(target.id, ast.Load())
    if isinstance(target, ast.Attribute):
        return ast.Attribute(target.value, target.attr, ast.Load())
    return target


def _target_names(target: ast.expr) -> set[str]:
    names = set()
    for node in walk(target):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and _is_self(node.value):
            names.add(f"self.{node.attr}")
    return names


def _binding_places(body: list[ast.stmt]) -> dict[str, list[tuple[int, int]]]:
    """Where each name of a scope is bound (line, column), in order: assignments, loop and
    `with` targets, imports, definitions, `except ... as`, `del`, `global` and `nonlocal` (taken
    as two bindings: the name is written elsewhere too). Nested functions and comprehensions
    are not told apart: their own names count as bindings here, which can only make more
    names late than need be, never fewer."""
    places: dict[str, list[tuple[int, int]]] = {}

    def add(name: str, at: ast.AST) -> None:
        places.setdefault(name, []).append((getattr(at, "lineno", 0), getattr(at, "col_offset", 0)))

    for root in body:
        for node in walk(root):
            kind = type(node)
            if kind is ast.Name and not isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
                add(node.id, node)  # type: ignore[attr-defined]
            elif kind in _DEFINITIONS:
                add(node.name, node)  # type: ignore[attr-defined]
            elif kind is ast.ExceptHandler and node.name:  # type: ignore[attr-defined]
                add(node.name, node)  # type: ignore[attr-defined]
            elif kind is ast.Import or kind is ast.ImportFrom:
                for alias in node.names:  # type: ignore[attr-defined]
                    add((alias.asname or alias.name).split(".")[0], node)
            elif kind is ast.Nonlocal or kind is ast.Global:
                for name in node.names:  # type: ignore[attr-defined]
                    add(name, node)
                    add(name, node)  # written elsewhere too: never one binding
    return {name: sorted(at) for name, at in places.items()}


def _assigned_in(owner: ast.AST, field: str) -> frozenset[str]:
    """_assigned_names of a block (`owner.field`), worked out once: every walk of a function
    asks again for each loop and `try` in it, and each round of the file's walks for all."""
    key = _ASSIGNED_KEY + field
    found = getattr(owner, key, None)
    if found is None:
        found = frozenset(_assigned_names(getattr(owner, field)))
        setattr(owner, key, found)
    return found


_ASSIGNED_KEY = "_paramlens_assigned_"


_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def _assigned_names(body: Any) -> set[str]:
    """Every name (and `self.x`) a block may assign, nested blocks included (a nested def or
    class assigns its own name only)."""
    names: set[str] = set()
    for root in body if isinstance(body, list) else [body]:
        nodes = walk(root)
        nested = [n for n in nodes if type(n) in _DEFINITIONS]
        inside = {id(n) for d in nested for n in walk(d)[1:]}  # what a nested def holds
        for node in nodes:
            kind = type(node)
            if inside and id(node) in inside:
                continue
            if kind in _DEFINITIONS:
                names.add(node.name)  # type: ignore[attr-defined]
            elif kind is ast.Assign:
                for t in node.targets:  # type: ignore[attr-defined]
                    names |= _target_names(t)
            elif kind is ast.AugAssign or kind is ast.AnnAssign or kind is ast.NamedExpr or \
                    kind is ast.For or kind is ast.AsyncFor or kind is ast.comprehension:
                names |= _target_names(node.target)  # type: ignore[attr-defined]
            elif kind is ast.With or kind is ast.AsyncWith:
                for item in node.items:  # type: ignore[attr-defined]
                    if item.optional_vars is not None:
                        names |= _target_names(item.optional_vars)
    return names


def trackable(value: Value) -> bool:
    """A value lose_track changes: a list or a Sequential."""
    return (isinstance(value, TupleV) and value.is_list) or isinstance(value, SequentialV)


def lose_track(value: Value, why: str) -> None:
    """A list or Sequential changed where the walk cannot follow: its contents are no longer
    known, and the layers added after this point do not follow the ones before it."""
    if isinstance(value, TupleV) and value.is_list:
        value.complete = False
        value.items = value.items + (Opaque(why),)
    elif isinstance(value, SequentialV):
        value.complete = False
        value.members.append(Opaque(why))
