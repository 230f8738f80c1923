"""The values the evaluator computes with while it runs a model's construction code.

Plain Python scalars (int, float, str, bool, None) and tuples stand for themselves. Everything the
code can mutate is an object here, shared by reference as in Python: lists, dicts, instances of
the project's classes, layer objects. `Unknown` is what the code does not fix; it never compares
equal to anything, so no branch is taken on it by accident.
"""

from __future__ import annotations

import ast
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from paramlens.engine.catalogue import LayerSpec
from paramlens.engine.names import RUNTIME_CONSTANTS

_ids = itertools.count(1)


class Unknown:
    """A value the code does not fix, with the reason in words."""

    __slots__ = ("why",)

    def __init__(self, why: str = "not fixed by the code") -> None:
        self.why = why

    def __repr__(self) -> str:
        return f"Unknown({self.why!r})"


class Weightless(Unknown):
    """A value the code does not fix that owns no weights, whatever it is: a number, a string or
    a bool (what arithmetic, a comparison, `len()` or an f-string gives), a buffer. Any other
    unknown held by a module may be a submodule, so its total is unknown (totals.py)."""

    __slots__ = ()


class DefaultDevice(Weightless):
    """torch's default device, the one a parameter is made on and stays on until its module is
    moved (`next(model.parameters()).device`). Which device that is, the code does not fix (a
    comparison with it is unknown); a tensor made on it is where those parameters are."""

    __slots__ = ()


class Held(Weightless):
    """An attribute the object certainly has, whose value the evaluator does not hold, owning no
    weights (a layer's `transposed`, `running_mean`, `reset_parameters`): `hasattr` is True."""

    __slots__ = ()


class SubmoduleV(Unknown):
    """A submodule of a framework layer (`mha.out_proj`, a Transformer layer's `linear1`): the
    layer's parameters under `prefix.`, read and written through it (frameworks.py), so that
    `mha.out_proj.weight = emb.weight` ties the layer's own tensor. Anywhere else it is an
    unknown: a model holding it on its own has no certain total."""

    __slots__ = ("layer", "prefix", "serial")

    def __init__(self, layer: Any, prefix: str) -> None:
        super().__init__(f"{layer.spec.short}.{prefix}, a submodule of a framework layer")
        self.layer = layer
        self.prefix = prefix
        self.serial = layer.id  # copied with its layer, and only then (memo.py)


class LayerPart(Unknown):
    """An object a Keras layer holds that the evaluator does not model (an RNN's `cell`): what
    is set on it before the layer is built may be what the build reads (`lstm.cell.units =
    8` makes an LSTM of 8 units)."""

    __slots__ = ("layer",)

    def __init__(self, layer: Any, why: str) -> None:
        super().__init__(why)
        self.layer = layer


class ModuleAlias(Unknown):
    """An object torch gives back that shares the modules it was handed (`torch.compile(model)`
    holds it as `_orig_mod`, `nn.DataParallel(model)` as `module`, `torch.jit.script(model)`
    shares its parameters), or what is reached from it through attributes (`name`, the last
    one): what is set, deleted or changed through it may change those modules. Calling the
    object itself runs their forward, which changes none of them."""

    __slots__ = ("modules", "name")

    def __init__(self, modules: tuple[Any, ...], why: str, name: str = "") -> None:
        super().__init__(why)
        self.modules = modules
        self.name = name


class UnknownMutator(Unknown):
    """A method that changes a module's parameters (`requires_grad_`, `register_parameter`),
    read from a value the evaluator does not hold: calling it may change any module."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} of an unknown value")
        self.name = name


class Absent(Unknown):
    """An attribute the object certainly does not have: Python would raise AttributeError, so
    `getattr(obj, name, default)` gives the default and `hasattr` is False."""

    __slots__ = ()


def next_serial() -> int:
    """A creation number: every mutable object gets one, in the order objects are made."""
    return next(_ids)


def serial_of(value: Any) -> int | None:
    """When a mutable object was made (None for values that cannot change)."""
    serial = getattr(value, "serial", None)
    if serial is None and isinstance(value, (LayerObj, ParamV)):
        return value.id
    return serial


def unknown(why: str) -> Unknown:
    return Unknown(why)


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


@dataclass(eq=False, slots=True)
class ListV:
    items: list[Any]
    # False once the list was changed where the evaluator could not follow (an unknown branch).
    exact: bool = True
    serial: int = field(default_factory=lambda: next(_ids), compare=False)


@dataclass(eq=False, slots=True)
class SetV:
    """A set or frozenset of plain values (`set(block_widths)`). Its size and what it holds are
    known; the order Python iterates it in is not (for strings it changes from run to run), so a
    loop over it reads unknown items, and only what does not depend on the order reads them:
    len, `in`, sorted, min, max, any, all, sum of ints. `items` is None once a method or an
    augmented assignment may have changed it."""

    items: frozenset[Any] | None
    serial: int = field(default_factory=lambda: next(_ids), compare=False)


@dataclass(eq=False, slots=True)
class DictV:
    items: dict[Any, Any]
    exact: bool = True
    serial: int = field(default_factory=lambda: next(_ids), compare=False)


@dataclass(eq=False, slots=True)
class DictViewV:
    """`d.keys()`, `d.values()` or `d.items()` of a dict or a ModuleDict: a view, which every
    loop over it reads afresh, so it shows what the dict holds then (a key added after the view
    was taken included)."""

    source: Any  # DictV | ContainerV
    kind: str  # "keys" | "values" | "items"

    def current(self) -> list[Any] | None:
        """What a loop over it sees now, or None where the dict is not fixed."""
        if not self.source.exact:
            return None
        items = self.source.items if type(self.source) is DictV else dict(self.source.members)
        if self.kind == "items":
            return list(items.items())
        return list(items) if self.kind == "keys" else list(items.values())


@dataclass(eq=False, slots=True)
class Scope:
    """A function's local names, with the enclosing scope for closures."""

    names: dict[str, Any]
    parent: Scope | None = None
    nonlocals: set[str] = field(default_factory=set)
    globals_: set[str] = field(default_factory=set)
    # A class body's names: a function or comprehension written in it does not see them
    class_body: bool = False
    # when it was made: a closure may change it later (`nonlocal n; n += 1`), from another
    # entry point too, and the entry journal keeps only what is older than the entry point
    serial: int = field(default_factory=next_serial)


@dataclass(eq=False)
class ModuleV:
    name: str  # dotted module name
    path: str  # the source file, "" for a module the evaluator only knows by name
    names: dict[str, Any] = field(default_factory=dict)
    package: str = ""  # for relative imports
    loaded: bool = False


@dataclass(eq=False)
class FuncV:
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    module: ModuleV
    scope: Scope | None  # the enclosing function's scope, for closures
    defaults: list[Any]
    kw_defaults: dict[str, Any]
    qualname: str
    kind: str = "function"  # "function" | "staticmethod" | "classmethod"
    owner: ClassV | None = None  # the class whose body defined it, for super()
    assumption: str = ""  # set when a decorator was taken as returning the function
    replaced: str = ""  # why calling it no longer runs this code (`f.__defaults__ = ...`)
    # @functools.cache or @lru_cache: a call with an earlier call's arguments returns what that
    # call returned, the very object
    cached: bool = False


@dataclass(eq=False)
class BoundV:
    func: FuncV
    self_value: Any


@dataclass(eq=False)
class PartialV:
    func: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass(eq=False)
class ExternalV:
    """A name from a module the evaluator does not read (the frameworks, the standard library,
    compiled packages). Framework rules give some of them a meaning; the rest are unknown."""

    qualname: str


def external(qualname: str) -> Any:
    """The value of `qualname`, a name in a module the evaluator does not read: the constant
    Python gives it at run time, or an ExternalV."""
    return RUNTIME_CONSTANTS[qualname] if qualname in RUNTIME_CONSTANTS \
        else ExternalV(qualname)


@dataclass(eq=False)
class ClassV:
    name: str
    qualname: str
    bases: tuple[Any, ...]
    names: dict[str, Any]
    module: ModuleV
    node: ast.ClassDef | None = None
    dataclass_fields: tuple[tuple[str, Any, bool], ...] | None = None  # (name, default, has_default)
    # False where the __init__ @dataclass made may take other arguments than those fields say
    # (InitVar, init=False, keyword-only fields): a call that does not fit is then not refused
    dataclass_exact: bool = True

    def mro(self) -> list[Any]:
        cached = self.__dict__.get("_mro")
        if cached is not None:
            return cached
        # One framework class is one class however often the code names it (`nn.Module` read
        # in two class statements gives two ExternalV): merged by its name, as Python merges
        # the one class object.
        same: dict[str, Any] = {}

        def one(cls: Any) -> Any:
            return same.setdefault(cls.qualname, cls) if isinstance(cls, ExternalV) else cls

        order = _c3_merge([self], [[one(c) for c in b.mro()] if isinstance(b, ClassV)
                                   else [one(b)] for b in self.bases] +
                          [[one(b) for b in self.bases]])
        if order is None:
            # Python refuses the class statement (no consistent order); the evaluator says so
            # there (Machine.exec_ClassDef). Depth first, for what is read before that.
            self.__dict__["mro_conflict"] = True
            order = []
            for cls in [self, *self.bases]:
                for c in cls.mro() if isinstance(cls, ClassV) and cls is not self else [cls]:
                    if c not in order:
                        order.append(c)
        self.__dict__["_mro"] = order  # bases never change after the class statement
        return order

    def lookup(self, name: str) -> Any:
        for cls in self.mro():
            if isinstance(cls, ClassV) and name in cls.names:
                return cls.names[name]
        return _MISSING

    def framework_bases(self) -> list[str]:
        return [c.qualname for c in self.mro() if isinstance(c, ExternalV)]


def _c3_merge(result: list[Any], sequences: list[list[Any]]) -> list[Any] | None:
    """Python's method resolution order (C3): repeatedly the first head of a sequence that is in
    no other sequence's tail. None where there is none (Python raises TypeError)."""
    while True:
        sequences = [seq for seq in sequences if seq]
        if not sequences:
            return result
        for seq in sequences:
            head = seq[0]
            if not any(head in other[1:] for other in sequences):
                break
        else:
            return None
        result.append(head)
        for seq in sequences:
            if seq[0] is head:
                del seq[0]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()
MISSING: Any = _MISSING


class _IsNone:
    """What Frameworks.get_attribute gives for an attribute that is None (its own None means it
    has no answer): `Linear(4, 4, bias=False).bias`."""


IS_NONE = _IsNone()


@dataclass(eq=False)
class PropertyV:
    """`@property` (with the setter `@name.setter` adds), or `functools.cached_property`, which
    is no data descriptor: an instance's own attribute of that name hides it and is set past it."""

    fget: Any
    fset: Any = None
    data: bool = True


@dataclass(eq=False)
class LazyRef:
    """`from module import name`, resolved at first use."""

    module: str
    name: str
    resolved: Any = MISSING


@dataclass(eq=False, slots=True)
class ParamV:
    """One parameter tensor (torch `nn.Parameter`, a Keras weight)."""

    numel: int | None
    trainable: bool | None = True  # None: a condition the code does not fix sets requires_grad
    id: int = field(default_factory=lambda: next(_ids))
    # the size it was made with, once `p.data = ...` gave it another: its layer's line counts
    # what the constructor made
    made_numel: int | None = None
    # its shape, where a catalogued layer made it (weight_norm's g is sized by one axis of it)
    shape: tuple[int, ...] | None = None
    # made with torch's default dtype on its default device, and neither moved nor cast since
    # (torch_tensors.altered): its `.device` is the default one (DefaultDevice), and, its shape
    # known, the code computes with it as with a plain tensor of that shape (TensorV.plain)
    plain: bool = True


@dataclass(eq=False)
class TensorV:
    """A tensor: torch's (from torch.zeros(...) and friends) or Keras' symbolic one.

    `shape` includes the batch axis for Keras tensors; dims may be None (unknown size).
    `layers` holds the Keras layer objects that produced it, for functional model totals."""

    shape: tuple[Any, ...] | None
    framework: str = "torch"
    layers: frozenset = frozenset()
    # A torch tensor may become a parameter; several parameters from one tensor are one.
    param: ParamV | None = None
    serial: int = field(default_factory=lambda: next(_ids), compare=False)
    # of integers or booleans: torch gives such a tensor no gradient, so no trainable Parameter
    integral: bool = False
    # A Keras tensor: the `Input`s it is computed from (their serials), where every step from
    # them is one the evaluator follows; None where that is not known
    inputs: frozenset | None = None
    # A torch tensor of torch's default dtype on its default device (the CPU, or DefaultDevice:
    # where parameters are made), made by a factory the evaluator follows
    # (`torch.zeros(1, 3, 32, 32)`) and passed on only through steps that keep that true: a layer
    # it is handed computes the shape of its output (torch_shapes.py). Any other tensor may be of
    # a dtype or on a device the layer's weights are not, where torch refuses the call.
    plain: bool = False
    # The values of a small one-dimensional tensor the code computes sizes with
    # (tensor_values.Values: `torch.arange(depth) * w_a + w_0`); None where they are not known.
    values: Any = None


@dataclass(eq=False, slots=True)
class LayerObj:
    """A framework layer object, built at one constructor call site."""

    spec: LayerSpec
    site: tuple[str, int, int]  # (path, line, column in characters)
    values: dict[str, Any]  # the bound constructor arguments
    params: dict[str, ParamV] | None  # None while the count is unknown (unbuilt Keras layer)
    via: tuple[str, ...] = ()
    speculative: bool = False
    why: str = ""  # why the count is unknown
    attrs: dict[str, Any] = field(default_factory=dict)
    built: bool = False
    id: int = field(default_factory=lambda: next(_ids))
    frozen: bool = False
    node: Any = None  # the constructor call: its current lines, after edits above it
    refused: bool = False  # the framework raises on these arguments (`why` says what it says)
    # Keras: the shape (batch axis included) its last call returned, as Keras' summary shows
    # the last node's; None while it was never called on a tensor of known shape
    output_shape: tuple[Any, ...] | None = None
    # its parameters as its constructor made them, kept when code later replaces one (a tied
    # weight, `layer.weight = other.weight`): the constructor's line counts what it made
    made_params: dict[str, ParamV] | None = None

    @property
    def count(self) -> int | None:
        return _numel(self.params)

    def lose_count(self, why: str) -> None:
        """It changed in a way the evaluator does not follow: its parameters are unknown from
        now on (what its constructor made still stands for its line)."""
        if self.made_params is None:
            self.made_params = self.params
        self.params = None
        self.why = why

    @property
    def made_count(self) -> int | None:
        """What its constructor made, whatever later code tied into it."""
        return _numel(self.made_params if self.made_params is not None else self.params,
                      made=True)


def shape_numel(shape: tuple | None) -> int | None:
    """The number of elements of a tensor of this shape; None where a size is not a fixed
    whole number."""
    if shape is None or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                for d in shape):
        return None
    return math.prod(shape)


def _numel(params: dict[str, ParamV] | None, made: bool = False) -> int | None:
    if params is None:
        return None
    total = 0
    for p in params.values():
        numel = p.made_numel if made and p.made_numel is not None else p.numel
        if numel is None:
            return None
        total += numel
    return total


@dataclass(eq=False, slots=True)
class InstanceV:
    """An instance of a class of the project (or of a package read from source)."""

    cls: ClassV
    attrs: dict[str, Any] = field(default_factory=dict)
    exact: bool = True
    # torch containers subclassed (`class Block(nn.Sequential)`): the members it holds.
    members: list[tuple[str, Any]] = field(default_factory=list)
    framework: str = ""  # "torch" for nn.Module subclasses, "keras" for Layer/Model subclasses
    frozen: bool = False
    built: bool = False  # a Keras layer of the project: its `build` has run
    id: int = field(default_factory=lambda: next(_ids))
    serial: int = field(default_factory=lambda: next(_ids), compare=False)
    site: tuple[str, int, int] | None = None  # the call that made it (`BasicBlock(64, 128)`)
    node: Any = None  # that call: its current lines, after edits above it
    output_shape: tuple[Any, ...] | None = None  # a Keras layer of the project: as LayerObj's
    # A torch module whose own __init__ is running and has not yet reached torch's
    # Module.__init__: torch refuses a submodule or parameter assigned to it now
    module_pending: bool = False
    # Its `__dict__` went where the evaluator does not follow it (`d = vars(cfg)`, handed on,
    # written by key): any attribute that is not a method or property may hold anything now.
    escaped: bool = False
    # torch's Module.__init__ has run on it: another run starts its registries afresh, dropping
    # the submodules and parameters assigned before
    initialised: bool = False


# torch's container classes: what ContainerV stands for, and bases whose instances have a length
TORCH_CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict", "ParameterList",
                              "ParameterDict"})
# Python's scalars, by their exact classes: 1, 1.0 and True are equal in Python but not the same
# argument, so keys made of them carry the class (a subclass of one takes the general path).
SCALAR_TYPES = frozenset((int, float, str, bool, type(None), bytes, complex))


def is_torch_module(value: Any) -> bool:
    """A torch module the evaluator holds: a container, a layer, an instance of a module class."""
    return isinstance(value, ContainerV) or isinstance(value, InstanceV) and \
        value.framework == "torch" or isinstance(value, LayerObj) and \
        value.spec.framework == "torch"


@dataclass(eq=False, slots=True)
class ContainerV:
    """torch's `nn.Sequential`, `nn.ModuleList`, `nn.ModuleDict`, `nn.ParameterList/Dict`."""

    kind: str
    members: list[tuple[str, Any]]
    exact: bool = True
    frozen: bool = False
    site: tuple[str, int, int] | None = None  # the constructor call that made it
    node: Any = None  # that call: its current lines, after edits above it
    serial: int = field(default_factory=lambda: next(_ids), compare=False)
    # What the code set on it that is no member (`seq.scale = 2`, a Parameter torch registers
    # beside the members)
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class KerasModelV:
    """A Keras model: functional (`Model(inputs, outputs)`), or `Sequential`."""

    kind: str  # "Model" | "Sequential"
    layers: list[Any]
    inputs: Any = None
    outputs: Any = None
    exact: bool = True
    input_shape: tuple[Any, ...] | None = None
    site: tuple[str, int, int] | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    node: Any = None  # the call that made it: its current lines, after edits above it
    serial: int = field(default_factory=lambda: next(_ids), compare=False)
    output_shape: tuple[Any, ...] | None = None  # its outputs' shape, when it has one output


class _Unfixed:
    """The last item of an iterator whose remaining items the code does not fix."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNFIXED"


UNFIXED = _Unfixed()


@dataclass(eq=False)
class IteratorV:
    """An iterator that hands out its items one at a time, as Python does: a generator
    expression (its first iterable evaluated where it is written, its conditions and items only
    when something pulls them), `iter(x)`, or `enumerate`/`zip` over one of those. `start` makes
    the items on the first pull; `live` then holds them, so an iterator picks up where it
    stopped and yields nothing once exhausted. `exact` False: it may or may not have been
    pulled from (under a condition the code does not fix), so what it yields is not fixed."""

    start: Callable[[], Iterator[Any]]
    live: Iterator[Any] | None = None
    running: bool = False
    exhausted: bool = False
    exact: bool = True
    serial: int = field(default_factory=lambda: next(_ids), compare=False)


@dataclass(eq=False)
class ExceptionV:
    """An instance of one of Python's exception classes (`ValueError("bad width")`), made by the
    code or by an operation Python refuses (`int("x")`, a missing dict key): `except` matches its
    class."""

    cls: ExternalV  # builtins.ValueError, ...
    args: tuple[Any, ...] = ()


@dataclass(eq=False)
class ObjectV:
    """A bare `object()`: only its identity matters (sentinels)."""


@dataclass(eq=False)
class SuperV:
    cls: ClassV
    self_value: Any


class NativeV:
    """A callable the evaluator itself provides (a dataclass's generated `__init__`)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Any) -> None:
        self.fn = fn
