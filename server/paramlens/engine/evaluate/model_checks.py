"""Model bugs that only a reader who knows what every layer owns can prove, found on the models
the evaluated program builds (not on patterns in the text).

Each finding rests on one fact about the built objects, and is made only where the engine knows
that fact for certain: an object changed where the evaluator could not follow, a name read
through `getattr` or a loop over the module's children, a layer shared with another place, all
mean no finding.

- unregistered-layers: an nn.Module's attribute holds a plain list, tuple or dict of layers that
  no registered submodule holds (torch registers only modules and parameters set as
  attributes);
- unused-layer: a layer with parameters, kept as an attribute of a module with a `forward`,
  whose attribute nothing in the program reads again;
- layer-in-forward: a constructor call in `forward` whose object is only called there (in_context
  lays these onto the file's layers, which know what each owns);
- redundant-bias: a convolution whose output goes only to a BatchNorm over its channels, which
  subtracts each channel's mean and so cancels the bias.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from paramlens.engine.catalogue import Args
from paramlens.engine.evaluate.frameworks import (
    TAPPED,
    _children,
    _is_container_class,
    _is_module,
    as_q,
)
from paramlens.engine.evaluate.objects import (
    MISSING,
    ClassV,
    ContainerV,
    DictV,
    ExternalV,
    FuncV,
    InstanceV,
    KerasModelV,
    LayerObj,
    ListV,
    ModuleV,
)
from paramlens.engine.evaluate.program import EntryResult, Program
from paramlens.engine.evaluate.torch_names import CONTAINER_ATTRIBUTES
from paramlens.engine.evaluate.torch_tensors import ALTERED
from paramlens.engine.evaluate.totals import model_total
from paramlens.engine.nodes import all_nodes
from paramlens.engine.results import Fix, Span


@dataclass(frozen=True)
class Place:
    """A node's extent: 1-based lines, UTF-8 byte columns as ast gives them."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    @property
    def span(self) -> Span:
        return Span(self.line, self.column, self.end_line, self.end_column)


@dataclass(frozen=True)
class ModelFinding:
    code: str
    severity: str
    place: Place
    message: str
    # its target's columns are UTF-8 bytes here too, until the file's text converts them
    fix: Fix | None = None


# What a module's code may use to reach its children without naming them.
_DYNAMIC_SELF = frozenset({"children", "named_children", "modules", "named_modules", "_modules",
                           "__dict__", "get_submodule", "parameters", "named_parameters",
                           "state_dict", "apply", "_apply", "__getattr__", "__getattribute__"})
_DYNAMIC_ANYWHERE = frozenset({"children", "named_children", "modules", "named_modules", "_modules",
                               "__dict__", "get_submodule"})
_DYNAMIC_CALLS = frozenset({"getattr", "vars", "hasattr", "delattr"})
# What nn.ModuleList / nn.ModuleDict offer of list's and dict's methods: a fix that wraps a list
# whose other uses need more (`.index`, `.get`, `* 2`) would break the code.
_LIST_METHODS = frozenset({"append", "extend", "insert", "pop", "__len__", "__iter__"})
_DICT_METHODS = frozenset({"keys", "values", "items", "pop", "update", "clear"})
_ITERATING = frozenset({"len", "enumerate", "zip", "reversed", "iter", "list", "tuple", "sorted"})
_BATCH_NORMS = {"torch.nn.BatchNorm1d": 1, "torch.nn.BatchNorm2d": 2, "torch.nn.BatchNorm3d": 3,
                "torch.nn.LazyBatchNorm1d": 1, "torch.nn.LazyBatchNorm2d": 2,
                "torch.nn.LazyBatchNorm3d": 3, "torch.nn.SyncBatchNorm": 0}


@dataclass
class _Graph:
    """Every model object the root entry points built, and how often each is referenced."""

    instances: list[InstanceV]
    sequences: list[tuple[Any, list[Any]]]  # (torch Sequential or Keras Sequential, its members)
    references: dict[int, int]
    # for each object held as an instance's attribute: (the instance, the attribute's name)
    holders: dict[int, list[tuple[InstanceV, str]]] = field(default_factory=dict)
    # a hook on every torch module's forward (register_module_forward_hook) was registered
    hooked: bool = False


def proven_mismatches(sequences: list[tuple[Any, list[Any]]]
                      ) -> dict[tuple[str, int, int], bool]:
    """For each torch layer the evaluated program holds in a Sequential: whether, in every such
    place, the member before it (past activations and the like) gives a known number of
    channels, on the axis it reads, other than the number it states. The static reading's
    channel-mismatch stands only there: a Sequential rearranged where that reading does not
    look (a helper's insert, `_modules`, a list changed before `Sequential(*layers)`) holds
    other neighbours."""
    proven: dict[tuple[str, int, int], bool] = {}
    for sequence, members in sequences:
        if isinstance(sequence, KerasModelV):
            continue
        flowing: tuple[Any, str] | None = None  # (channels, axis) the previous member gives
        for member in _flattened(members):
            if not isinstance(member, LayerObj) or member.spec.framework != "torch":
                flowing = None
                continue
            spec = member.spec
            declared = member.values.get(spec.in_arg) if spec.in_arg else None
            refuses = False
            if spec.in_arg:
                given = flowing[0] if flowing is not None and spec.channel_axis and \
                    flowing[1] == spec.channel_axis and getattr(sequence, "exact", True) else None
                refuses = type(given) is int and type(declared) is int and given != declared
                proven[member.site] = proven.get(member.site, True) and refuses
            # (after a layer that refuses its input, only what its arguments alone fix flows)
            flowing = _gives(member, flowing, refused=refuses)
    return proven


def _flattened(members: list[Any]) -> Iterator[Any]:
    """A Sequential's members, a nested Sequential's spread in their place."""
    for member in members:
        if isinstance(member, ContainerV) and member.kind == "Sequential" and member.exact:
            yield from _flattened([v for _, v in member.members])
        else:
            yield member


def _gives(layer: LayerObj, flowing: tuple[Any, str] | None, refused: bool = False
           ) -> tuple[Any, str] | None:
    spec = layer.spec
    if spec.flow is None:
        return None
    axis = spec.channel_axis or (flowing[1] if flowing is not None else "")
    in_ch = None if refused else as_q(layer.values.get(spec.in_arg)) if spec.in_arg else \
        as_q(flowing[0]) if flowing is not None and flowing[0] is not None else None
    try:
        out = spec.flow(Args({k: as_q(v) for k, v in layer.values.items()}, in_ch, spec.ndim))
    except Exception:  # noqa: BLE001 - a flow that cannot read these values gives nothing
        return None
    return (out.exact if out is not None and out.known else None, axis) if axis else None


def model_findings(program: Program, results: list[EntryResult]
                   ) -> tuple[list[ModelFinding], list[tuple[Any, list[Any]]]]:
    """The findings, and every Sequential the program built with its members (for
    proven_mismatches, asked only where the static reading finds a mismatch)."""
    graph = _graph(results)
    graph.hooked = program.frameworks.global_hooks
    source = _SourceNames(program)
    found: dict[tuple[str, str, int, int], ModelFinding] = {}
    for finding in [*_unregistered(program, graph), *_unused(program, graph, source),
                    *_everywhere(_redundant_bias(program, graph, source), results)]:
        if finding.place.path in program.watched:
            key = (finding.code, finding.place.path, finding.place.line, finding.place.column)
            found.setdefault(key, finding)
    return list(found.values()), graph.sequences


def _everywhere(found: Iterator[tuple[LayerObj, ModelFinding]], results: list[EntryResult]
                ) -> list[ModelFinding]:
    """The findings about a call that hold for every object the program builds there: a call a
    helper makes in several contexts (`nn.Conv2d(...)` followed by a norm only when
    `batch_norm=True`) has no one right change."""
    proven: dict[tuple[str, int, int], dict[int, ModelFinding]] = {}
    for layer, finding in found:
        proven.setdefault(layer.site, {})[layer.id] = finding
    built: dict[tuple[str, int, int], set[int]] = {}
    for result in results:
        if result.is_root:
            for layer in result.constructions:
                if layer.site in proven:
                    built.setdefault(layer.site, set()).add(layer.id)
    return [next(iter(by_layer.values())) for site, by_layer in proven.items()
            if set(by_layer) >= built.get(site, set())]


def torch_forwards(program: Program) -> dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]]:
    """The `forward` methods of the checked files' torch modules, by file. Which calls in them
    build a layer with parameters is for the file's layer results to say (`built_and_called`):
    most forwards build none, so nothing more is worked out here."""
    found: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    seen: set[int] = set()
    for cls in _torch_classes(program):
        forward = cls.names.get("forward")
        if isinstance(forward, FuncV) and id(forward.node) not in seen and \
                isinstance(forward.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            seen.add(id(forward.node))
            found.setdefault(cls.module.path, []).append(forward.node)
    return found


# --- the built objects --------------------------------------------------------------------------

def _graph(results: list[EntryResult]) -> _Graph:
    roots: list[Any] = []
    for result in results:
        if not result.is_root:
            continue
        if result.kind == "module" and isinstance(result.value, list):
            roots += [value for _, _, value in result.value]
        else:
            roots.append(result.value)
        roots += result.models
    graph = _Graph([], [], {})
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        value = stack.pop()
        if not isinstance(value, (LayerObj, InstanceV, ContainerV, KerasModelV, ListV, DictV,
                                  tuple)):
            continue
        graph.references[id(value)] = graph.references.get(id(value), 0) + 1
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, InstanceV):
            graph.instances.append(value)
            for name, item in value.attrs.items():
                graph.holders.setdefault(id(item), []).append((value, name))
            stack += list(value.attrs.values()) + [v for _, v in value.members]
            if value.framework == "torch" and _is_container_class(value) and \
                    value.cls.lookup("forward") is MISSING:
                graph.sequences.append((value, [v for _, v in value.members]))
        elif isinstance(value, ContainerV):
            stack += [v for _, v in value.members]
            if value.kind == "Sequential" and value.exact:
                graph.sequences.append((value, [v for _, v in value.members]))
        elif isinstance(value, KerasModelV):
            stack += list(value.layers)
            if value.kind == "Sequential" and value.exact:
                graph.sequences.append((value, list(value.layers)))
        elif isinstance(value, ListV):
            stack += value.items
        elif isinstance(value, DictV):
            stack += list(value.items.values())
        elif isinstance(value, tuple):
            stack += list(value)
    return graph


def _registered(instance: InstanceV) -> set[int]:
    """The ids of every module registered under `instance`, at any depth."""
    found: set[int] = set()
    stack: list[Any] = [instance]
    while stack:
        owner = stack.pop()
        if not isinstance(owner, (InstanceV, ContainerV)):
            continue
        for _, child in _children(owner):
            if id(child) not in found:
                found.add(id(child))
                stack.append(child)
    return found


def _project_classes(cls: ClassV) -> list[ClassV]:
    return [c for c in cls.mro() if isinstance(c, ClassV)]


def _methods(cls: ClassV) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for owner in _project_classes(cls):
        if owner.node is None:
            continue
        for stmt in owner.node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield stmt


def _receiver(method: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    args = method.args.posonlyargs + method.args.args
    return args[0].arg if args else None


def _self_attribute(node: ast.AST, receiver: str, attr: str | None = None) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
        node.value.id == receiver and (attr is None or node.attr == attr)


def _assignments(cls: ClassV, attr: str) -> list[tuple[ast.AST, ast.expr | None, str]]:
    """(target, assigned value or None for `+=` and the like, the file) of every `self.attr = ...`
    in the class's own methods and its project bases'."""
    found: list[tuple[ast.AST, ast.expr | None, str]] = []
    for owner in _project_classes(cls):
        if owner.node is None:
            continue
        for stmt in owner.node.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            receiver = _receiver(stmt)
            for node in all_nodes(stmt):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if _self_attribute(target, receiver or "", attr):
                            found.append((target, node.value if len(node.targets) == 1 else None,
                                          owner.module.path))
                elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and \
                        _self_attribute(node.target, receiver or "", attr):
                    value = node.value if isinstance(node, ast.AnnAssign) else None
                    found.append((node.target, value, owner.module.path))
    return found


def _place(path: str, node: ast.AST) -> Place:
    return Place(path, node.lineno, node.col_offset,  # type: ignore[attr-defined]
                 node.end_lineno or node.lineno, node.end_col_offset or 0)  # type: ignore[attr-defined]


def _params_of(value: Any) -> int | None:
    """What a module certainly owns: the sum of its weights whose size is known."""
    total = model_total(value)
    return total[5] if total[5] > 0 else None


# --- unregistered-layers ------------------------------------------------------------------------

def _unregistered(program: Program, graph: _Graph) -> Iterator[ModelFinding]:
    for instance in graph.instances:
        if instance.framework != "torch" or not instance.exact:
            continue
        registered: set[int] | None = None
        for attr, value in instance.attrs.items():
            items = _plain_items(value)
            if items is None:
                continue
            modules = [item for item in items if _is_module(item)]
            if not modules:
                continue
            if registered is None:
                registered = _registered(instance)
            left_out = [m for m in modules if id(m) not in registered]
            if not left_out:
                continue  # references to layers registered elsewhere (`self.all = [self.a]`)
            assigned = _assignments(instance.cls, attr)
            if not assigned:
                continue
            target, assigned_value, path = assigned[0]
            kind = "dict" if isinstance(value, DictV) else \
                "tuple" if isinstance(value, tuple) else "list"
            owned = [_params_of(m) for m in left_out]
            count = f" ({sum(o for o in owned if o):,} parameters)" if any(owned) else ""
            plural = "s" if len(left_out) != 1 else ""
            message = (f"self.{attr} keeps {len(left_out)} layer{plural}{count} in a plain "
                       f"{kind}: torch does not register them, so parameters(), .to() and "
                       f"state_dict() leave them out")
            fix = None
            if len(assigned) == 1 and assigned_value is not None:
                fix = _container_fix(program, instance.cls, attr, value, items,
                                     assigned_value, path)
            yield ModelFinding("unregistered-layers", "error", _place(path, target), message, fix)


def _plain_items(value: Any) -> list[Any] | None:
    if isinstance(value, ListV):
        return list(value.items) if value.exact else None
    if isinstance(value, DictV):
        return list(value.items.values()) if value.exact else None
    if isinstance(value, tuple):
        return list(value)
    return None


def _container_fix(program: Program, cls: ClassV, attr: str, value: Any, items: list[Any],
                   assigned: ast.expr, path: str) -> Fix | None:
    """Wrap the assigned list in nn.ModuleList (a dict in nn.ModuleDict), where that keeps the
    code working: every item a module, string keys torch accepts, and every other use of the
    attribute, in the class and anywhere else in the program (`model.heads.get("a")`), one the
    container supports. (A file the program did not read is not looked at: the fix is unsafe,
    asked for by name.)"""
    if not all(_is_module(item) for item in items):
        return None
    is_dict = isinstance(value, DictV)
    if is_dict and not all(isinstance(k, str) and k and "." not in k and
                           k not in _MODULE_DICT_ATTRIBUTES for k in value.items):
        return None
    methods = _DICT_METHODS if is_dict else _LIST_METHODS
    if not _uses_supported(cls, attr, methods) or \
            not _outside_uses_supported(program, attr, methods):
        return None
    nn = _torch_nn_name(cls.module)
    if nn is None:
        return None
    wrapper = f"{nn}.ModuleDict" if is_dict else f"{nn}.ModuleList"
    return Fix(f"Hold them in {wrapper}", "wrap", _place(path, assigned).span, wrapper)


# Names nn.ModuleDict already has (torch_names, `dir(nn.ModuleDict())`): torch refuses them as
# keys (add_module: "attribute already exists").
_MODULE_DICT_ATTRIBUTES = CONTAINER_ATTRIBUTES["ModuleDict"]


def _uses_supported(cls: ClassV, attr: str, methods: frozenset[str]) -> bool:
    for method in _methods(cls):
        receiver = _receiver(method) or ""
        parents = _parents(method)
        for node in all_nodes(method):
            if not _self_attribute(node, receiver, attr) or not isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
                continue
            if not _supported_use(node, parents.get(id(node)), methods):
                return False
    return True


def _outside_uses_supported(program: Program, attr: str, methods: frozenset[str]) -> bool:
    """Every `x.attr` read the program's files make on another receiver than a method's own
    (it may be the module's attribute, read from outside) is one the container supports."""
    for statements, _ in program.sources.values():
        for stmt in statements:
            parents = _parents(stmt)
            for node in all_nodes(stmt):
                if isinstance(node, ast.Attribute) and node.attr == attr and \
                        isinstance(node.ctx, ast.Load) and \
                        not _supported_use(node, parents.get(id(node)), methods):
                    receiver = node.value
                    if not (isinstance(receiver, ast.Name) and receiver.id == "self"):
                        return False
    return True


def _supported_use(node: ast.AST, parent: ast.AST | None, methods: frozenset[str]) -> bool:
    """A use of a list or dict that nn.ModuleList or nn.ModuleDict supports as well: an item
    read or set (not a slice set: ModuleList takes an index only), a method both have, a loop,
    len(), enumerate() and the like."""
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return not (isinstance(parent.ctx, ast.Store) and isinstance(parent.slice, ast.Slice))
    if isinstance(parent, ast.Attribute) and parent.attr in methods:
        return True
    if isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is node:
        return True
    return isinstance(parent, ast.Call) and node in parent.args and \
        isinstance(parent.func, ast.Name) and parent.func.id in _ITERATING


def _parents(root: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in all_nodes(root) for child in ast.iter_child_nodes(node)}


def _torch_nn_name(module: ModuleV) -> str | None:
    """How the file spells torch.nn: `nn`, or `torch.nn`."""
    spelled = None
    for name, value in module.names.items():
        if isinstance(value, ExternalV):
            if value.qualname == "torch.nn":
                return name
            if value.qualname == "torch":
                spelled = f"{name}.nn"
    return spelled


# --- unused-layer -------------------------------------------------------------------------------

class _SourceNames:
    """The names the program's code reads, worked out once and only when a check needs them:
    attribute names read (or deleted), string constants, and whether anything reaches modules'
    children without naming them. A read `self.x` inside another class's method is that class's
    own attribute, not this one's: a reader of one class leaves the others' `self` alone."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self._read: dict[str, int] | None = None
        self._own: dict[tuple[int, str], int] = {}  # (class node id, attr) -> reads of self.attr
        self._strings: set[str] = set()
        # `self.children()` in a class's own method: its direct children, which are whole
        # modules (their forward runs), never one of their attributes
        self._direct: set[int] = set()
        self._counted: dict[int, list[ast.stmt]] = {}
        self.dynamic: bool | None = None
        self._elsewhere: str | None | bool = False  # (False: not read yet)
        self._calls: dict[tuple[int, str], int] = {}  # calls_of's answers

    def reads(self, attr: str, cls: ClassV) -> int:
        """Reads of `.attr` that may reach an instance of `cls`, and `"attr"` strings."""
        if self._read is None:
            self._scan()
        assert self._read is not None
        mine = {id(c.node) for c in _project_classes(cls) if c.node is not None}
        others = sum(n for (owner, name), n in self._own.items()
                     if name == attr and owner not in mine)
        return self._read.get(attr, 0) - others + (1 if attr in self._strings else 0)

    def _scan(self) -> None:
        read: dict[str, int] = {}
        for statements, _ in self.program.sources.values():
            for node in self._file_nodes(statements):
                if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Store):
                    read[node.attr] = read.get(node.attr, 0) + 1
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    # (a dotted path names each attribute on it: get_parameter("scale.weight"))
                    self._strings.update({node.value, *node.value.split(".")})
        self._read = read

    def _file_nodes(self, statements: list[ast.stmt]) -> Iterator[ast.AST]:
        """A file's nodes, its classes' own reads counted first (once per file)."""
        key = id(statements)
        if key not in self._counted:
            self._counted[key] = statements  # kept, so that the id is not reused meanwhile
            for stmt in statements:
                for node in all_nodes(stmt):
                    if isinstance(node, ast.ClassDef):
                        self._count_own(node)
        for stmt in statements:
            yield from all_nodes(stmt)

    def _count_own(self, cls: ast.ClassDef) -> None:
        for method in cls.body:
            if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or \
                    any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod")
                        for d in method.decorator_list):
                continue
            receiver = _receiver(method)
            for node in all_nodes(method):
                if receiver is not None and _self_attribute(node, receiver) and \
                        not isinstance(node.ctx, ast.Store):  # type: ignore[attr-defined]
                    key = (id(cls), node.attr)  # type: ignore[attr-defined]
                    self._own[key] = self._own.get(key, 0) + 1
                    if node.attr in ("children", "named_children"):  # type: ignore[attr-defined]
                        self._direct.add(id(node))

    def calls_of(self, attr: str, cls: ClassV) -> int:
        """How many reads of `self.attr` in the class's methods (its project bases' too) are
        calls of it (`self.body(x)`); worked out once per class and name."""
        key = (id(cls), attr)
        if key not in self._calls:
            called = 0
            for method in _methods(cls):
                receiver = _receiver(method)
                for node, parent in _own_nodes(method) if receiver else ():
                    if _self_attribute(node, receiver, attr) and isinstance(parent, ast.Call) \
                            and parent.func is node:
                        called += 1
            self._calls[key] = called
        return self._calls[key]

    def named_elsewhere(self, attr: str) -> bool:
        """Whether a Python file under the project's roots that the program did not read names
        `attr` (a training script reading `model.projector` beside the model.py checked
        alone): a read there is not seen. The files are read as text, once, up to a budget;
        past it, every name counts as named there."""
        if self._elsewhere is False:
            self._elsewhere = _unread_project_text(self.program)
        text = self._elsewhere
        return text is None or re.search(rf"\b{re.escape(attr)}\b", text) is not None

    def any_dynamic(self) -> bool:
        """Whether any code reaches modules' children without naming them. Looked for file by
        file, stopping at the first: in a large program there nearly always is one."""
        if self.dynamic is None:
            self.dynamic = any(self._dynamic_in(statements)
                               for statements, _ in list(self.program.sources.values()))
        return self.dynamic

    def _dynamic_in(self, statements: list[ast.stmt]) -> bool:
        for node in self._file_nodes(statements):
            if isinstance(node, ast.Attribute) and node.attr in _DYNAMIC_ANYWHERE and \
                    id(node) not in self._direct:
                return True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in _DYNAMIC_CALLS and not _constant_name(node):
                return True
        return False


# what named_elsewhere reads at most, and the folders it leaves out (environments, caches)
_SCAN_FILES = 2000
_SCAN_BYTES = 20_000_000
_SCAN_SKIPPED = frozenset({"node_modules", "site-packages", "__pycache__", "build", "dist"})


def _unread_project_text(program: Program) -> str | None:
    """The text of every .py file under the program's roots that it did not read; None past
    the budget (or where a folder cannot be listed)."""
    parts: list[str] = []
    files = size = 0
    read = {os.path.realpath(path) for path in program.sources}
    for root in program.roots:
        try:
            for folder, dirs, names in os.walk(root):
                dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SCAN_SKIPPED]
                for name in names:
                    path = os.path.join(folder, name)
                    if not name.endswith(".py") or os.path.realpath(path) in read:
                        continue
                    files += 1
                    size += os.path.getsize(path)
                    if files > _SCAN_FILES or size > _SCAN_BYTES:
                        return None
                    with open(path, encoding="utf-8", errors="replace") as f:
                        parts.append(f.read())
        except OSError:
            return None
    return "\n".join(parts)


def _constant_name(call: ast.Call) -> bool:
    """`getattr(x, "name")`: a name the scan sees as a string; `vars(x)` never is."""
    return len(call.args) >= 2 and isinstance(call.args[1], ast.Constant)


def _unused(program: Program, graph: _Graph, source: _SourceNames) -> Iterator[ModelFinding]:
    if source.any_dynamic():
        return  # some code reaches modules' children without naming them: no read is sure
    dynamic: dict[int, bool] = {}  # per class: the instances of one class share its methods
    for instance in graph.instances:
        cls = instance.cls
        if instance.framework != "torch" or not instance.exact or instance.members or \
                _is_container_class(instance) or not isinstance(cls.lookup("forward"), FuncV):
            continue
        if id(cls) not in dynamic:
            dynamic[id(cls)] = _reaches_self_dynamically(cls)
        if dynamic[id(cls)]:
            continue
        for attr, value in instance.attrs.items():
            if not isinstance(value, (LayerObj, InstanceV, ContainerV)) or not _is_module(value):
                continue
            owned = _params_of(value)
            if owned is None or graph.references.get(id(value), 0) != 1:
                continue
            if source.reads(attr, cls) or source.named_elsewhere(attr):
                continue
            assigned = _assignments(cls, attr)
            if not assigned:
                continue
            target, _, path = assigned[0]
            name = value.spec.short if isinstance(value, LayerObj) else \
                value.cls.name if isinstance(value, InstanceV) else value.kind
            yield ModelFinding(
                "unused-layer", "warning", _place(path, target),
                f"self.{attr} ({name}, {owned:,} parameters) is never used: no code reads it "
                f"again, so its parameters get no gradient (DDP stops with 'parameters that "
                f"were not used in producing loss')")


def _reaches_self_dynamically(cls: ClassV) -> bool:
    """A method that hands `self` on, indexes or iterates it, or asks for its children."""
    for method in _methods(cls):
        receiver = _receiver(method)
        if receiver is None:
            continue
        parents = _parents(method)
        for node in all_nodes(method):
            if not (isinstance(node, ast.Name) and node.id == receiver):
                continue
            parent = parents.get(id(node))
            if isinstance(parent, ast.Attribute) and parent.attr not in _DYNAMIC_SELF:
                continue
            if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and \
                    parent.func.id == "super":
                continue
            return True
    return False


# --- layer-in-forward ---------------------------------------------------------------------------

def _torch_classes(program: Program) -> list[ClassV]:
    found: dict[int, ClassV] = {}
    for module in [*program.modules.values(), *program.checked_modules.values()]:
        if not isinstance(module, ModuleV) or module.path not in program.watched:
            continue
        for value in list(module.names.values()):
            if isinstance(value, ClassV) and value.module is module:
                found.setdefault(id(value), value)
    return [cls for cls in found.values() if program.frameworks.kind_of_class(cls) == "torch"]


def built_and_called(forward: ast.FunctionDef | ast.AsyncFunctionDef, line: int, column: int
                     ) -> bool:
    """Whether the call at (line, byte column) in forward's own body (not in a nested function)
    makes an object that is only called: `X(...)(x)`, or `f = X(...)` with `f` used only as
    `f(...)`. Kept on `self` or passed on, it may be built once and reused."""
    parents: dict[int, ast.AST] = {}
    uses: dict[str, list[ast.Name]] = {}
    target: ast.Call | None = None
    for node, parent in _own_nodes(forward):
        parents[id(node)] = parent
        if isinstance(node, ast.Name):
            uses.setdefault(node.id, []).append(node)
        elif isinstance(node, ast.Call) and (node.lineno, node.col_offset) == (line, column):
            target = node
    if target is None:
        return False
    parent = parents.get(id(target))
    if isinstance(parent, ast.Call) and parent.func is target:
        return True
    if not (isinstance(parent, ast.Assign) and parent.value is target and
            len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return False
    bound = parent.targets[0]
    others = [n for n in uses.get(bound.id, []) if n is not bound]
    return bool(others) and all(isinstance(parents.get(id(n)), ast.Call) and
                                parents[id(n)].func is n for n in others)  # type: ignore[attr-defined]


def _own_nodes(function: ast.AST) -> Iterator[tuple[ast.AST, ast.AST]]:
    """(node, its parent) for every node of a function's own body."""
    stack = [(child, function) for child in ast.iter_child_nodes(function)]
    while stack:
        node, parent = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield node, parent
        stack.extend((child, node) for child in ast.iter_child_nodes(node))


# --- redundant-bias -----------------------------------------------------------------------------

def _redundant_bias(program: Program, graph: _Graph, source: _SourceNames
                    ) -> Iterator[tuple[LayerObj, ModelFinding]]:
    for sequence, members in graph.sequences:
        found = [(before, finding) for before, after in zip(members, members[1:], strict=False)
                 if (finding := _bias_before_norm(before, after, graph)) is not None]
        if found and _only_called(sequence, graph, source):
            # (`self.body[0](x)`, a loop over it: its members' outputs go elsewhere too)
            yield from found
    if source.any_dynamic():
        return  # a read of the conv through getattr or a loop would escape the count below
    pairs: dict[int, dict[str, list[str]]] = {}  # per forward: its instances share it
    for instance in graph.instances:
        if instance.framework == "torch" and instance.exact:
            yield from _forward_bias(instance, graph, source, pairs)


def _only_called(sequence: Any, graph: _Graph, source: _SourceNames) -> bool:
    """Every read of the torch Sequential the program's code makes is a call of it
    (`self.body(x)`): nothing indexes, slices or loops over it to use a member on its own. (A
    Sequential no instance holds, a module-level one or one inside another container, is taken
    as called whole. Keras' are their own model.)"""
    if not isinstance(sequence, (ContainerV, InstanceV)) or isinstance(sequence, InstanceV) and \
            sequence.framework != "torch":
        return True
    for instance, name in graph.holders.get(id(sequence), []):
        if source.calls_of(name, instance.cls) != source.reads(name, instance.cls):
            return False
    return True


def _bias_before_norm(layer: Any, norm: Any, graph: _Graph) -> ModelFinding | None:
    """`layer` then `norm` in a Sequential: the bias is redundant when the layer has one, its
    output channels are what the norm normalises, and nothing else uses the layer."""
    if not isinstance(layer, LayerObj) or not isinstance(norm, LayerObj) or \
            graph.references.get(id(layer), 0) != 1 or layer.node is None or \
            not layer.site[0] or layer.speculative or norm.speculative:
        return None
    bias = (layer.params or {}).get("bias")
    if bias is None or not bias.numel or ALTERED in layer.attrs or TAPPED in layer.attrs or \
            graph.hooked and layer.spec.framework == "torch":
        return None  # (a hook, on it or on every module, or a tap takes its output elsewhere)
    spec, values = layer.spec, layer.values
    if spec.framework == "torch":
        dims = _BATCH_NORMS.get(norm.spec.name)
        if spec.family != "conv" or dims is None or (dims and dims != spec.ndim) or \
                values.get("out_channels") != norm.values.get("num_features") or \
                spec.eager is not None:
            return None
        keyword = "bias"
    else:
        if norm.spec.short != "BatchNormalization" or norm.values.get("axis", -1) != -1 or \
                spec.family not in ("conv", "linear") or \
                values.get("data_format") not in (None, "channels_last") or \
                values.get("activation") not in (None, "linear"):
            # (an activation between the bias and the norm: the bias moves what it cuts off)
            return None
        keyword = "use_bias"
    names = [p.name for p in spec.signature]
    path = layer.site[0]
    place = _place(path, layer.node)
    norm_line = norm.node.lineno if norm.node is not None else norm.site[1]
    fix = Fix(f"Pass {keyword}=False (saves {bias.numel:,} parameters)", "set-argument", place.span,
                keyword, "False", names.index(keyword) if keyword in names else None)
    return ModelFinding(
        "redundant-bias", "information", place,
        f"{spec.short}'s bias ({bias.numel:,} parameters) is cancelled by the {norm.spec.short} "
        f"right after it (line {norm_line}), which subtracts each channel's mean: "
        f"{keyword}=False saves {bias.numel:,} parameters", fix)


def _forward_bias(instance: InstanceV, graph: _Graph, source: _SourceNames,
                  known: dict[int, dict[str, list[str]]]) -> Iterator[tuple[LayerObj, ModelFinding]]:
    """In the module's own forward: `self.bn(self.conv(x))`, or `y = self.conv(x)` followed by
    `y = self.bn(y)`, where every read of `conv` in the program is one of these. `known`: the
    pairs of each forward already read."""
    forward = instance.cls.lookup("forward")
    if not isinstance(forward, FuncV) or not isinstance(forward.node, ast.FunctionDef):
        return
    pairs = known.get(id(forward.node))
    if pairs is None:
        pairs = known[id(forward.node)] = {}
        receiver = _receiver(forward.node)
        for layer_attr, norm_attr in _conv_then_norm(forward.node, receiver) if receiver else ():
            pairs.setdefault(layer_attr, []).append(norm_attr)
    for layer_attr, norms in pairs.items():
        if len(set(norms)) != 1 or source.reads(layer_attr, instance.cls) != len(norms):
            continue
        layer = instance.attrs.get(layer_attr)
        finding = _bias_before_norm(layer, instance.attrs.get(norms[0]), graph)
        if finding is not None:
            yield layer, finding


def _conv_then_norm(forward: ast.FunctionDef, receiver: str) -> Iterator[tuple[str, str]]:
    def attr_call(node: ast.AST) -> str | None:
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords and \
                _self_attribute(node.func, receiver):
            return node.func.attr  # type: ignore[attr-defined]
        return None

    for node in [forward, *(n for n, _ in _own_nodes(forward))]:
        outer = attr_call(node)
        if outer is not None:
            inner = attr_call(node.args[0])  # type: ignore[attr-defined]
            if inner is not None:
                yield inner, outer
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for first, second in zip(body, body[1:], strict=False):
            if isinstance(first, ast.Assign) and isinstance(second, ast.Assign) and \
                    len(first.targets) == 1 and len(second.targets) == 1 and \
                    isinstance(first.targets[0], ast.Name) and \
                    isinstance(second.targets[0], ast.Name) and \
                    first.targets[0].id == second.targets[0].id:
                conv, norm = attr_call(first.value), attr_call(second.value)
                arg = second.value.args[0] if norm is not None else None  # type: ignore[attr-defined]
                if conv is not None and norm is not None and isinstance(arg, ast.Name) and \
                        arg.id == first.targets[0].id:
                    yield conv, norm
