"""What a module defines: its functions and classes, their parameters, and who calls them.

A parameter takes a value from the file's own calls only when every reference to the function in
the file is a direct call (nothing passes it around, decorates it or subclasses it) and every call
agrees. Even then the value is an assumption, not a certainty: another module may call it too.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from typing import Any

from paramlens.engine.names import ImportTable, canonical
from paramlens.engine.nodes import all_nodes, source_text, statements_under, walk
from paramlens.engine.quantity import UNKNOWN, Q
from paramlens.engine.values import ClassRef, FunctionRef, SpecRef, TensorV, TupleV, Value

_CALLING_ATTRIBUTES = ("__init__", "__new__", "__call__")


@dataclass
class FunctionInfo:
    key: str  # "f", "Class.method", "outer.<locals>.inner"
    node: ast.FunctionDef | ast.AsyncFunctionDef
    class_key: str | None
    # (name, required, default expression) for the parameters a caller binds (no self).
    params: list[tuple[str, bool, ast.expr | None]]
    self_name: str | None
    nested_in: str | None = None

    @property
    def binding(self) -> list[tuple[str, bool, Any]]:
        return [(name, required, None) for name, required, _ in self.params]


@dataclass
class ClassInfo:
    key: str
    node: ast.ClassDef
    methods: dict[str, str] = field(default_factory=dict)  # method name -> function key
    constants: dict[str, ast.expr] = field(default_factory=dict)
    bases: list[str] = field(default_factory=list)  # canonical or qualified base names


NAMESPACE_WRITERS = frozenset({"exec", "eval", "globals", "vars", "locals"})
_BLOCKS = ("body", "orelse", "finalbody", "handlers")
# Statements that hold no block of statements (most of them: assignments, calls, returns):
# nothing nested in one is collected, so _collect returns at once rather than look for blocks.
_WITHOUT_BLOCKS = frozenset(
    kind for kind in vars(ast).values() if isinstance(kind, type) and issubclass(kind, ast.stmt)
    and not set(_BLOCKS) & set(kind._fields))


class ModuleFacts:
    def __init__(self, statements: list[ast.stmt], escaping_elsewhere: frozenset[str] = frozenset()
                 ) -> None:
        scan = _scan(statements)
        self.imports: ImportTable = scan.imports
        self.functions: dict[str, FunctionInfo] = {}
        self.classes: dict[str, ClassInfo] = {}
        self._keys: dict[int, str] = {}
        self.order: list[str] = []  # parents before children, __init__ before other methods
        self.escaped: set[str] = set()
        self._self_attrs: dict[str, set[str]] = {}
        self._self_counts: dict[str, dict[str, int]] = {}  # method key -> self.x assignments
        self._assigned_once: dict[str, set[str]] = {}
        self.globals_rebound: set[str] = scan.globals_rebound
        # attributes the file assigns on something other than `self` (`Cfg.WIDTH = 64`,
        # `cls.WIDTH = 64`, `setattr(Cfg, "WIDTH", 64)`); None: a setattr whose name it cannot
        # read may assign any
        self.attributes_assigned: set[str] | None = scan.attributes_assigned
        # The file calls exec, eval, globals(), vars() or locals(), or reads sys.modules: any
        # module name may be rebound by a string or a dict write that no walk can follow.
        # The file calls keras' set_image_data_format: which format a layer built with
        # data_format=None takes depends on what ran before it, which this reading does not order.
        self.sets_keras_format = scan.sets_keras_format
        # Framework layer classes the file replaces (`nn.Linear = LoRALinear`), each with the
        # line: a call of one builds the framework's class only if it runs before that line.
        self.replaced_layers: dict[str, int] = {}
        for node in scan.stored:
            replaced = canonical(self.imports.qualified(node))
            if replaced is not None:
                self.replaced_layers.setdefault(replaced, node.lineno)
        self.rewrites_namespace = scan.namespace_calls or any(
            self.imports.qualified(node) == "sys.modules" for node in scan.modules_read)
        for stmt in statements:
            self._collect(stmt, prefix="", class_key=None, parent=None)
        self._find_escapes(scan.escaping, escaping_elsewhere)

    # collection ---------------------------------------------------------------------------------
    def _collect(self, node: ast.AST, prefix: str, class_key: str | None,
                 parent: str | None) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            key = f"{prefix}{node.name}"
            self._keys[id(node)] = key
            is_method = class_key is not None and not _has_decorator(node, "staticmethod")
            params = _params(node.args, skip_first=is_method)
            first = node.args.posonlyargs + node.args.args
            self_name = first[0].arg if is_method and first else None
            self.functions[key] = FunctionInfo(key, node, class_key, params, self_name, parent)
            self.order.append(key)
            if node.decorator_list and not all(_is_plain_decorator(d) for d in node.decorator_list):
                self.escaped.add(key)
            if class_key is not None:
                self.classes[class_key].methods[node.name] = key
                counts = _self_assignment_counts(node, self_name or "self")
                self._self_counts[key] = counts
                self._self_attrs[key] = set(counts)
            for child in _body_nodes(node.body):
                self._collect(child, f"{key}.<locals>.", None, key)
        elif isinstance(node, ast.ClassDef):
            key = f"{prefix}{node.name}"
            self._keys[id(node)] = key
            info = ClassInfo(key, node)
            info.bases = [canonical(self.imports.qualified(b)) or self.imports.qualified(b) or
                          source_text(b) for b in node.bases]
            self.classes[key] = info
            methods = [s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
            methods.sort(key=lambda f: f.name != "__init__")
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                        stmt.targets[0], ast.Name):
                    info.constants[stmt.targets[0].id] = stmt.value
            for method in methods:
                self._collect(method, f"{key}.", key, parent)
            for stmt in node.body:
                if isinstance(stmt, ast.ClassDef):
                    self._collect(stmt, f"{key}.", None, parent)
        elif type(node) not in _WITHOUT_BLOCKS:
            for child in _body_nodes(getattr(node, "body", []) or []):
                self._collect(child, prefix, class_key, parent)
            for attr in _BLOCKS[1:]:
                for child in _body_nodes(getattr(node, attr, []) or []):
                    self._collect(child, prefix, class_key, parent)

    def _find_escapes(self, escaping: set[str], elsewhere: frozenset[str]) -> None:
        """A function or class referenced other than by a direct call may be called anywhere."""
        by_name: dict[str, list[str]] = {}
        for key in list(self.functions) + list(self.classes):
            by_name.setdefault(key.rsplit(".", 1)[-1], []).append(key)
        for name in escaping | elsewhere:
            for key in by_name.get(name, []):
                self.escaped.add(key)
                if key in self.classes:
                    self.escaped.add(f"{key}.__init__")

    # questions the interpreter asks -------------------------------------------------------------
    @functools.cached_property
    def read_in_functions(self) -> frozenset[str]:
        """Every name a function of the file reads (nested ones included): the module's values
        such a function may change when it is called (`REGISTRY.append(...)`)."""
        # each outermost function walked once: a nested one (nested_in) is inside its walk
        return frozenset(node.id for info in self.functions.values() if info.nested_in is None
                         for node in walk(info.node) if type(node) is ast.Name)

    def key_of(self, node: ast.AST) -> str:
        return self._keys.get(id(node), "")

    def callee(self, ref: FunctionRef | ClassRef) -> FunctionInfo | None:
        if isinstance(ref, ClassRef):
            return self.functions.get(f"{ref.name}.__init__")
        return self.functions.get(ref.name)

    def method_key(self, class_key: str | None, attr: str) -> str | None:
        if class_key is None or class_key not in self.classes:
            return None
        return self.classes[class_key].methods.get(attr)

    def self_attrs_assigned_by(self, method_key: str) -> set[str]:
        return self._self_attrs.get(method_key, set())

    def attrs_assigned_once(self, class_key: str) -> set[str]:
        """Attributes assigned exactly once in the whole class, and that in `__init__`."""
        if class_key not in self._assigned_once:
            self._assigned_once[class_key] = self._count_attrs_assigned_once(class_key)
        return self._assigned_once[class_key]

    def _count_attrs_assigned_once(self, class_key: str) -> set[str]:
        info = self.classes[class_key]
        counts: dict[str, int] = {}
        init_attrs: set[str] = set()
        for name, key in info.methods.items():
            for attr, n in self._self_counts.get(key, {}).items():
                counts[attr] = counts.get(attr, 0) + n
            if name == "__init__":
                init_attrs = self._self_attrs.get(key, set())
        return {a for a in init_attrs if counts.get(a) == 1}

    def class_constant(self, class_key: str | None, attr: str) -> Value:
        """The value a class body gives `attr`; unknown where the file assigns an attribute of
        that name elsewhere (the walk does not know which runs first: `Cfg.widen()` setting
        `cls.WIDTH = 64` before `Conv2d(Cfg.WIDTH, ...)`)."""
        if class_key is None or class_key not in self.classes:
            return None
        expr = self.classes[class_key].constants.get(attr)
        if isinstance(expr, ast.Constant):
            assigned = self.attributes_assigned
            if assigned is None or attr in assigned:
                return Q.unknown(f"{class_key}.{attr}",
                                 f"{class_key}.{attr} (assigned outside its class body too)")
            return Q.const(expr.value, f"class attribute {attr} = {expr.value!r}")
        return None

    # parameters ------------------------------------------------------------------------------------
    def parameter_values(self, info: FunctionInfo, calls: list[Any],
                         defaults: dict[str, Value]) -> dict[str, Value]:
        """Each parameter's value: from the file's calls when they are complete and agree, else
        from its default, else unknown. Never certain: other modules may call this too."""
        env: dict[str, Value] = {}
        usable = [c for c in calls if c.complete]
        from_calls = info.key not in self.escaped and usable and len(usable) == len(calls)
        line = info.node.lineno
        for name, _required, default_expr in info.params:
            default = defaults.get(name)
            has_default = default is not None and default_expr is not None
            passed = any(name in c.values for c in usable)
            if from_calls and (passed or not has_default):
                seen = [c.values.get(name, default) for c in usable]
                where = (f"passed by the call on line {usable[0].line}" if len(usable) == 1
                         else f"passed alike by all {len(usable)} calls in this file")
                env[name] = agree(seen, name, where)
            elif has_default:
                text = source_text(default_expr)  # type: ignore[arg-type]
                why = " (no call in this file passes it)" if from_calls else ""
                env[name] = assume(default, name, f"default {name}={text} (line {line})",
                                   f"{name} keeps its default {text}{why}")
            else:
                env[name] = Q.unknown(name, f"the argument {name}")
        vararg, kwarg = info.node.args.vararg, info.node.args.kwarg
        if vararg is not None:
            env[vararg.arg] = TupleV((), False, complete=False)
        if kwarg is not None:
            env[kwarg.arg] = Q.unknown(kwarg.arg)
        return env


def assume(value: Value, name: str, origin: str, assumption: str) -> Value:
    """The same value, demoted to rest on an assumption, named in the code's own terms."""
    if isinstance(value, Q):
        if not value.known_default:
            return Q.unknown(name, origin)
        return Q(UNKNOWN, value.default, ("sym", name), origin, assumption)
    if isinstance(value, TupleV):
        return TupleV(tuple(assume(v, f"{name}[{i}]", origin, assumption)
                            for i, v in enumerate(value.items)), value.is_list, value.complete)
    if isinstance(value, SpecRef):
        return SpecRef(value.spec, value.assumption or assumption, value.preset)
    if isinstance(value, TensorV):
        return TensorV(value.channels.demoted(assumption).with_origin(
            f"{value.story}, {assumption}" if value.story else origin),
            tuple(d.demoted(assumption) for d in value.shape) if value.shape else None,
            value.channels_first, value.framework, f"{value.story}, {assumption}")
    return None


_AGREE_DEPTH = 64


def agree(values: list[Value], name: str, where: str, assumption: str = "",
          within: tuple[int, ...] = ()) -> Value:
    """One value for a parameter when every call passes the same one. `within`: the lists
    around these; a list that holds itself (`x.append(x)`), or one nested deeper than
    _AGREE_DEPTH, is unknown."""
    assumption = assumption or f"{name} as {where}"
    first = values[0] if values else None
    if isinstance(first, Q):
        if all(isinstance(v, Q) and v.known_default and v.default == first.default for v in values):
            return assume(first, name, where, assumption)
        return Q.unknown(name, f"the argument {name} (the calls in this file differ)")
    if isinstance(first, TupleV) and all(isinstance(v, TupleV) and len(v.items) == len(
            first.items) for v in values):
        ids = tuple(id(v) for v in values)
        if len(within) >= _AGREE_DEPTH * len(ids) or any(i in within for i in ids):
            return Q.unknown(name)
        items = tuple(agree([v.items[i] for v in values], f"{name}[{i}]", where,  # type: ignore
                            assumption, (*within, *ids))
                      for i in range(len(first.items)))
        return TupleV(items, first.is_list, all(v.complete for v in values))  # type: ignore
    if isinstance(first, SpecRef) and all(isinstance(v, SpecRef) and v.spec is first.spec and
                                          not v.preset for v in values):
        return SpecRef(first.spec, assumption)
    if isinstance(first, TensorV) and all(isinstance(v, TensorV) for v in values):
        channels = agree([v.channels for v in values], f"{name} channels", where,  # type: ignore
                         assumption)
        story = first.story if len(values) == 1 else f"the tensors passed as {name}"
        return TensorV(channels if isinstance(channels, Q) else Q.unknown(name), None,
                       first.channels_first, first.framework, f"{story}, {assumption}")
    return Q.unknown(name)


def _params(args: ast.arguments, skip_first: bool) -> list[tuple[str, bool, ast.expr | None]]:
    positional = args.posonlyargs + args.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    out = [(a.arg, d is None, d) for a, d in zip(positional, defaults, strict=False)]
    if skip_first and out:
        out = out[1:]
    out += [(a.arg, d is None, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False)]
    return out


def escaping_names(statements: list[ast.stmt]) -> set[str]:
    """Names these statements read other than to call them (or to read a class attribute):
    whatever they name may be called from anywhere."""
    return _scan(statements).escaping


@dataclass
class _Scan:
    """What ModuleFacts learns from every node of a file, found in one pass over them."""

    imports: ImportTable
    globals_rebound: set[str]
    namespace_calls: bool  # exec, eval, globals(), vars() or locals() called by name
    modules_read: list[ast.Attribute]  # `X.modules`: sys.modules if X names sys
    escaping: set[str]  # escaping_names'
    attributes_assigned: set[str] | None  # ModuleFacts.attributes_assigned
    sets_keras_format: bool = False  # ModuleFacts.sets_keras_format
    stored: list[ast.Attribute] = field(default_factory=list)  # `a.b = ...` on all but self


def _scan(statements: list[ast.stmt]) -> _Scan:
    """One pass over every node (the costliest loop of a file's analysis, once several): each
    node is told by its exact type (`ast.parse` makes no subclasses, and a context is a Load,
    Store or Del), one comparison each rather than a chain of isinstance calls."""
    imports = ImportTable()
    rebound: set[str] = set()
    namespace_calls = False
    sets_format = False
    stored: list[ast.Attribute] = []
    modules_read: list[ast.Attribute] = []
    called: set[int] = set()
    loads: list[ast.Name | ast.Attribute] = []
    assigned: set[str] | None = set()
    name, attribute, call, load = ast.Name, ast.Attribute, ast.Call, ast.Load
    for stmt in statements:
        for node in all_nodes(stmt):
            kind = type(node)
            if kind is name:
                if type(node.ctx) is load:  # type: ignore[attr-defined]
                    loads.append(node)  # type: ignore[arg-type]
            elif kind is attribute:
                attr = node.attr  # type: ignore[attr-defined]
                if type(node.ctx) is not load and not (  # type: ignore[attr-defined]
                        type(node.value) is name and node.value.id == "self"):  # type: ignore[attr-defined]
                    stored.append(node)  # type: ignore[arg-type]
                    if assigned is not None:
                        assigned.add(attr)
                if attr == "__dict__":
                    assigned = None  # a namespace handed out: any attribute may be set by key
                if attr not in _CALLING_ATTRIBUTES:
                    # Reading `Block.expansion` does not hand the class to anyone who could
                    # call it.
                    called.add(id(node.value))  # type: ignore[attr-defined]
                    if attr == "modules":
                        modules_read.append(node)  # type: ignore[arg-type]
                elif type(node.ctx) is load and type(node.value) is name and \
                        node.value.id in ("self", "cls"):  # type: ignore[attr-defined]
                    loads.append(node)  # type: ignore[arg-type]
            elif kind is call:
                func = node.func  # type: ignore[attr-defined]
                called.add(id(func))
                if type(func) is name and func.id in NAMESPACE_WRITERS:
                    namespace_calls = True
                    if func.id == "vars" and node.args:  # type: ignore[attr-defined]
                        assigned = None  # (as `x.__dict__`)
                elif type(func) is name and func.id == "setattr" and assigned is not None:
                    assigned = _setattr_names(node, assigned)  # type: ignore[arg-type]
                if (func.attr if type(func) is attribute else  # type: ignore[attr-defined]
                        func.id if type(func) is name else "") == "set_image_data_format":
                    sets_format = True
            elif kind is ast.Import or kind is ast.ImportFrom:
                imports.add(node)  # type: ignore[arg-type]
            elif kind is ast.Global:
                rebound.update(node.names)  # type: ignore[attr-defined]
    escaping = {node.id if type(node) is name else node.attr  # type: ignore[union-attr]
                for node in loads if id(node) not in called}
    return _Scan(imports, rebound, namespace_calls, modules_read, escaping, assigned, sets_format,
                 stored)


def _setattr_names(node: ast.Call, assigned: set[str]) -> set[str] | None:
    """`assigned` with the attribute a `setattr(owner, name, value)` call sets, unless its owner
    is `self`; None when its name is not a string the code fixes (any attribute, then)."""
    if len(node.args) < 2:
        return None
    owner, attr = node.args[0], node.args[1]
    if type(owner) is ast.Name and owner.id == "self":
        return assigned
    if type(attr) is ast.Constant and isinstance(attr.value, str):
        return assigned | {attr.value}
    return None


def _has_decorator(node: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
    return any(isinstance(d, ast.Name) and d.id == name for d in node.decorator_list)


def _is_plain_decorator(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("staticmethod", "classmethod")


def _body_nodes(body: list[Any]) -> list[Any]:
    return [n for n in body if isinstance(n, ast.AST)]


def _self_assignment_counts(node: ast.AST, self_name: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for child in statements_under(node):
        targets: list[ast.expr] = []
        if isinstance(child, ast.Assign):
            targets = child.targets
        elif isinstance(child, (ast.AugAssign, ast.AnnAssign)):
            targets = [child.target]
        for t in targets:
            for sub in walk(t):
                if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and \
                        sub.value.id == self_name and isinstance(sub.ctx, ast.Store):
                    counts[sub.attr] = counts.get(sub.attr, 0) + (
                        2 if isinstance(child, ast.AugAssign) else 1)
    return counts
