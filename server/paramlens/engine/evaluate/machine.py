"""The generic evaluator: runs construction code on concrete values, the way Python would.

It never imports or runs the user's code. Statements and expressions are evaluated over the values
of objects.py; calls into the project's functions and classes run their bodies with the caller's
values; loops over known iterables are unrolled. What the code does not fix becomes `Unknown`.
An unknown condition runs both arms *speculatively*: whatever they mutate is marked inexact and the
layers they build carry no certain count. The rules of torch and Keras live in frameworks.py;
this module knows only Python.

Every step counts against a budget; past it, evaluation of the entry point stops and its results
say why (fail closed: nothing it touched is reported as certain).
"""

from __future__ import annotations

import ast
import bisect
import builtins as _python_builtins
import itertools
import operator
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from paramlens.engine.evaluate.import_failures import (
    imported_names,
    takes_any,
    takes_import_error,
)
from paramlens.engine.evaluate.module_walks import module_loop_target, only_reads
from paramlens.engine.evaluate.objects import (
    IS_NONE,
    MISSING,
    TORCH_CONTAINERS,
    UNFIXED,
    Absent,
    BoundV,
    ClassV,
    ContainerV,
    DictV,
    DictViewV,
    ExceptionV,
    ExternalV,
    FuncV,
    InstanceV,
    IteratorV,
    KerasModelV,
    LayerObj,
    LayerPart,
    LazyRef,
    ListV,
    ModuleAlias,
    ModuleV,
    NativeV,
    ObjectV,
    PartialV,
    PropertyV,
    Scope,
    SetV,
    SubmoduleV,
    SuperV,
    TensorV,
    Unknown,
    UnknownMutator,
    Weightless,
    is_unknown,
    next_serial,
    serial_of,
)
from paramlens.engine.evaluate.undefined import local_names
from paramlens.engine.facts import NAMESPACE_WRITERS
from paramlens.engine.nodes import all_nodes, source_text, walk
from paramlens.engine.sizes import MAX_SEQUENCE, size_ok, too_large

MAX_STEPS = 400_000  # per entry point
# per module body run on import, the modules it imports included: what a library computes at
# import time (tables, registries) is not what builds a model, and must not use up the budget
# of the entry point that happens to import it first
MAX_MODULE_STEPS = 100_000
MAX_SECONDS = 3.0  # per entry point, a second guard against slow steps
MAX_CALL_DEPTH = 48
MAX_REMEMBERED = 20_000  # calls kept for replay per evaluation


class BudgetExceeded(Exception):
    def __init__(self, why: str, limit: int | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.limit = limit  # the step count it stopped at (None: the clock stopped it)


class OutOfTime(Exception):
    """The evaluation's deadline passed (an editor request that will not wait): the whole
    evaluation stops, and what it finished is kept for the next try."""


class UserRaise(Exception):
    """The evaluated code raised (or would raise): the value it raised, if known."""

    def __init__(self, value: Any, where: str = "") -> None:
        super().__init__("raised")
        self.value = value
        self.where = where  # "file.py:line" of the raise statement


def python_raises(name: str, where: str = "") -> UserRaise:
    """What Python raises when it refuses an operation on values the code fixes (`int("x")`: a
    ValueError), as the evaluated code would see it."""
    return UserRaise(ExceptionV(ExternalV(f"builtins.{name}")), where)


def _said_where(node: ast.expr, frame: Frame, what: str) -> str:
    """`what` Python refuses, after where: `typo.py:7, name 'Flase' is not defined`."""
    line = getattr(node, "lineno", None)  # (a node the evaluator made has none)
    where = f"{os.path.basename(frame.module.path)}:{line}, " if line is not None else ""
    return where + what


def is_builtin_exception(name: str) -> bool:
    found = getattr(_python_builtins, name, None)
    return isinstance(found, type) and issubclass(found, BaseException)


def _builtin_subclass(name: str, base: str) -> bool:
    """`builtins.KeyError` is a `builtins.LookupError`, as Python's own classes say."""
    if name == base:
        return True
    if not (name.startswith("builtins.") and base.startswith("builtins.")):
        return False
    cls = getattr(_python_builtins, name[9:], None)
    parent = getattr(_python_builtins, base[9:], None)
    return isinstance(cls, type) and isinstance(parent, type) and issubclass(cls, parent)


def exception_classes(raised: Any) -> list[Any] | None:
    """The classes a raised value is an instance of (its MRO), or None when it is not known."""
    if isinstance(raised, ExceptionV):
        return [raised.cls]
    if isinstance(raised, InstanceV):
        return raised.cls.mro()
    if isinstance(raised, ClassV):
        return raised.mro()  # `raise MyError`: Python instantiates the class
    if isinstance(raised, ExternalV):
        return [raised]
    return None


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


_ENUM_BASES = {"enum.Enum", "enum.IntEnum", "enum.Flag", "enum.IntFlag", "enum.StrEnum"}
_BREAK = "break"
_CONTINUE = "continue"


@dataclass(slots=True)
class Frame:
    scope: Scope
    module: ModuleV
    func: FuncV | None = None
    maybe_returned: bool = False  # a `return` under an unknown condition
    # a `break` or `continue` under an unknown condition, in the loop being run
    maybe_left_loop: bool = False
    maybe_broke: bool = False  # ... a `break`: its `else` may not run
    skipped_pass: bool = False  # ... a `continue` in this pass: the rest of it may not run
    # In a comprehension: the frame that holds it, where `:=` binds (PEP 572).
    walrus_frame: Frame | None = None


@dataclass
class EntryState:
    steps: int = 0
    limit: int = MAX_STEPS  # the step count that stops it: the entry's, or a module body's
    limit_why: str = f"stopped after {MAX_STEPS:,} evaluation steps"
    started: float = field(default_factory=time.monotonic)
    why_incomplete: str = ""
    # every time a limit cut a call short (why_incomplete keeps only the first reason), and the
    # last reason: a remembered call that was cut short carries it to each replay
    cuts: int = 0
    cut_why: str = ""
    # the function nodes run, by id (the nodes themselves kept, so that no id is reused while
    # an entry's record of them lives)
    called: dict[int, Any] = field(default_factory=dict)
    global_reads: set[str] = field(default_factory=set)  # names read from a checked file's module
    assumptions: set[str] = field(default_factory=set)  # decorators taken as returning the function
    patches: set[str] = field(default_factory=set)  # framework names it replaced (Program.patch)
    # What the entry point changed outside its own calls' frames, for stopped(): the names it
    # bound in a module, a class or an enclosing function, and the objects older than it that
    # it changed
    names_written: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    older_changed: list[Any] = field(default_factory=list)
    # why the trainable part of what it built is not fixed (requires_grad set on a value the
    # evaluator does not hold, which may be any parameter)
    trainable_unsettled: str = ""
    # what changed sys.path (where imports look for modules), and the top-level names imported
    # before it, which Python has in sys.modules already (Machine.import_path_changed)
    path_changed: str = ""
    imported_before_path_change: frozenset[str] = frozenset()
    # the names whose sys.modules entry the code set or took out ("": one it cannot name)
    modules_replaced: frozenset[str] = frozenset()


def _import_fallback(stmt: ast.Try, program: Any, importer: ModuleV
                     ) -> ast.ExceptHandler | None:
    """The handler that catches the ImportError of an import in the try body (at its top level)
    of a module that may fail to import (import_failures.py); None where there is none."""
    def resolve(module: str, level: int) -> str | None:
        return program.resolve_relative(module, level, importer)

    imported = [name for s in stmt.body for name in imported_names(s, resolve)]
    if not imported:
        return None
    for handler in stmt.handlers:
        if takes_import_error(handler):
            broad = takes_any(handler)
            return handler if any(program.may_fail_import(name, broad) for name in imported) \
                else None
    return None


# torch.nn.Module methods that change what a module holds or which of it is trainable
MODULE_MUTATORS = frozenset({"requires_grad_", "register_parameter", "add_module",
                             "register_module", "set_submodule", "apply", "to_empty"})
# A container's methods that store what they are handed: called on a value the evaluator does
# not hold (`getattr(self, name).append(layer)`), a module handed to them may join any module
CONTAINER_MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault",
                                "__setitem__", "add"})
# What takes members out: called on, or done to, a value the evaluator does not hold (`del
# getattr(self, name)[0]`), any module may lose one
MODULE_REMOVERS = frozenset({"pop", "popitem", "remove", "clear", "__delitem__", "__delattr__",
                             "del"})

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv, ast.Div: operator.truediv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
    ast.BitAnd: operator.and_, ast.BitOr: operator.or_, ast.BitXor: operator.xor,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}
# sys.modules' methods that set or take out its entries
_MODULES_CHANGERS = frozenset({"update", "pop", "popitem", "setdefault", "clear", "__setitem__",
                               "__delitem__", "__ior__"})
# calls that change where imports look for modules
_IMPORT_PATH_CHANGERS = frozenset({
    "sys.path.insert", "sys.path.append", "sys.path.extend", "sys.path.remove", "sys.path.pop",
    "sys.path.clear", "sys.path.reverse", "sys.path.sort", "sys.path.__setitem__",
    "sys.path.__iadd__", "site.addsitedir"})
_SCALARS = (int, float, str, bool, type(None), bytes, complex)
# The scalars Python neither iterates nor indexes (nor calls, as no scalar is callable). The
# evaluator holds them as Python would, so an operation Python refuses on one raises here too:
# `cfg.sub.scale` where `sub = None` is an AttributeError, not an unknown to go on from.
_NOT_ITERABLE = (int, float, bool, type(None), complex)


def is_plain(value: Any) -> bool:
    """A value Python's own operators may be applied to safely (scalars and tuples of them)."""
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, tuple):
        return all(is_plain(v) for v in value)
    return isinstance(value, range)


def guarded_binop(op: type, left: Any, right: Any) -> Any:
    """Python's operator, refused before it runs when its result would be too large."""
    fn = _BINOPS[op]
    why = too_large(fn, left, right)
    if why:
        return Weightless(why)
    try:
        result = fn(left, right)
    except (MemoryError, RecursionError):
        return Weightless("a value too large to evaluate")
    except Exception as error:  # what Python raises: the evaluated code fails here (`"4" + 4`)
        raise python_raises(type(error).__name__) from None  # (exec places it)
    return result if size_ok(result) else Weightless("a value too large to evaluate")


def truth(value: Any) -> bool | Unknown:
    if is_unknown(value):
        return value
    if isinstance(value, (ListV, DictV)):
        return bool(value.items) if value.exact or value.items else Unknown("a list the code "
                                                                           "changed unknowably")
    if type(value) is SetV:
        return bool(value.items) if value.items is not None else Unknown("a set the code changed")
    if is_plain(value):
        return bool(value)
    if isinstance(value, ContainerV):
        return bool(value.members) if value.exact else Unknown("a container")
    if isinstance(value, ExternalV):
        return Unknown(value.qualname)
    if type(value) is InstanceV:
        return _instance_truth(value)
    return True  # functions, classes, layers: truthy as Python objects


# Bases outside the project whose instances are true as any object is: no __bool__, no __len__
_PLAIN_TRUTH_PREFIXES = ("torch.", "keras.", "tensorflow.", "tf.")


def _instance_truth(value: InstanceV) -> bool | Unknown:
    """An instance of a project class: false where its class says so. A `__bool__` or `__len__`
    of the project's decides (not run here: unknown); a torch container holding a member is
    true; a base outside the project that may define either (dict, NamedTuple, a package's
    class) leaves it unknown."""
    for cls in value.cls.mro():
        if isinstance(cls, ClassV):
            if "__bool__" in cls.names or "__len__" in cls.names:
                return Unknown(f"{value.cls.name} defines its truth (__bool__ or __len__)")
            continue
        name = cls.qualname if isinstance(cls, ExternalV) else ""
        if name.startswith("torch.") and name.rsplit(".", 1)[-1] in TORCH_CONTAINERS:
            # its length counts every submodule registered, members or not (`self.a = ...`,
            # `self.append(...)` in its own __init__), which `members` alone does not hold
            return True if value.members else Unknown("a torch container's length")
        if name == "builtins.object" or name.startswith(_PLAIN_TRUTH_PREFIXES):
            continue
        return Unknown(f"{value.cls.name}'s truth comes from {name or 'a base'}")
    return True


def _live_list(items: ListV) -> Iterator[Any]:
    """A list's items as Python's list iterator hands them: by position in the list as it is at
    each step, so a loop that appends to the list it runs over sees what it appended."""
    index = 0
    while True:
        if not items.exact:
            yield UNFIXED  # changed in a way the code does not fix while the loop ran
            return
        if index >= len(items.items):
            return
        yield items.items[index]
        index += 1


def _live_dict(table: DictV) -> Iterator[Any]:
    """A dict's keys, in order; Python raises RuntimeError once the loop changed its size or
    its keys."""
    keys = list(table.items)
    for key in keys:
        if not table.exact:
            yield UNFIXED
            return
        if len(table.items) != len(keys) or key not in table.items:
            raise python_raises("RuntimeError", "a dict changed size during iteration")
        yield key
    if table.exact and len(table.items) != len(keys):
        raise python_raises("RuntimeError", "a dict changed size during iteration")


def enclosing_scope(frame: Frame) -> Scope | None:
    """The scope whose names a function or comprehension written in `frame` reads, besides its
    own and the module's: the function's, where it is in one. A class body's own names are not
    among them, as in Python (`[w for _ in range(2)]` in a class body reads the global `w`)."""
    scope = frame.scope
    if scope.class_body:
        return scope.parent
    return scope if frame.func is not None else None


def _none_fixed(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """There are arguments, and each is unknown, or holds only what is. (A call with none may end
    on the globals or closure cells it changes.)"""
    return bool(args or kwargs) and all(_unfixed(a) for a in args) and \
        all(_unfixed(v) for v in kwargs.values())


def _unfixed(value: Any) -> bool:
    """Unknown, or a container of unknowns only: `{k: v}` with k unknown is a dict the code
    changed unknowably, holding nothing known."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, (ListV, DictV)):
        return not value.exact and all(_unfixed(item) for item in (
            value.items if isinstance(value, ListV) else value.items.values()))
    if type(value) is tuple:
        return bool(value) and all(_unfixed(item) for item in value)
    return False


def same_value(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if is_plain(a) and is_plain(b):
        try:
            return type(a) is type(b) and bool(a == b)
        except Exception:
            return False
    return False


class _World:
    """What the objects made before a speculative world held, by object, as its first change
    found them (Machine.open_world)."""

    __slots__ = ("start", "before")

    def __init__(self) -> None:
        self.start = next_serial()
        self.before: dict[int, tuple[Any, dict, dict]] = {}

    def keep(self, value: Any) -> None:
        if id(value) in self.before:
            return
        serial = serial_of(value)
        if serial is not None and serial >= self.start:
            return  # made in this world: nothing outside it held it
        store = _store_of(value)
        if store is not None:
            self.before[id(value)] = (value, store, dict(store))


def _store_of(value: Any) -> dict | None:
    """Where an object keeps what a world may change by name."""
    kind = type(value)
    if kind is InstanceV or kind is LayerObj or kind is KerasModelV or kind is ContainerV:
        return value.attrs
    if kind is DictV:
        return value.items
    if kind is ClassV or kind is ModuleV or kind is Scope:
        return value.names
    return None


class EntryJournal:
    """What an entry point's own code changed in objects that a fresh run of it would find as
    they were: as its first change found each, to be put back when it ends
    (Program.run_isolated). Python runs each script, and calls each `build()`, after a fresh
    import, so one entry point's changes are not another's starting point: an `enable_big()`
    never called does not widen what `build()` builds, a helper appending to a module-level
    model leaves that model as the module body built it, and a script's `config.WIDTH = 8` is
    not the next script's.

    Those objects are the ones made before the entry point, and the ones a module body made
    while the entry point imported it, once that body has run (`made_by_import`); a module's
    or a class's names, but not while its own body runs, and not the entry point's own module
    (`exempt`: a script's globals are its builders' starting point). A module body that
    changes them while it is imported (a plugin appending itself to a registry, `cfg.W = 44`
    in a setup module) is run again wherever an entry point after imports it (`changers`).

    The modules imported after the entry point's own first change may have read changed
    objects (`config.WIDTH = 8; import arch`): the next entry point imports them anew
    (`modules_to_forget`)."""

    __slots__ = ("before", "exempt", "load_starts", "load_ends", "first_change", "loads",
                 "imported", "patched_before", "changers", "changer_of", "followers")

    def __init__(self, exempt: Any = None) -> None:
        self.before: dict[int, tuple[Any, list[tuple[str, Any, Any]]]] = {}
        self.exempt = exempt
        # the creation numbers the module bodies run by its imports made, as disjoint ranges
        self.load_starts: list[int] = []
        self.load_ends: list[int] = []
        self.first_change: int | None = None
        self.loads: list[tuple[int, str]] = []  # (creation number at its start, module name)
        self.imported: set[str] = set()  # the modules it imported, and theirs (Program.import_module)
        self.patched_before: dict[str, Any] | None = None  # Program.patched before its own patch
        self.changers: set[str] = set()  # the modules whose bodies changed what others made
        self.changer_of: dict[int, str] = {}  # the first of them to change each object, by id
        # the bodies that changed an object after its first changer did. (Not all forgotten as
        # changers are, only those Program.run_isolated picks: transformers' modules all call a
        # logging helper that changes its module, and forgetting each of them ran 7 times the
        # module bodies.)
        self.followers: set[str] = set()

    def loaded(self, start: int, end: int) -> None:
        """A module body run at an import made the objects numbered [start, end)."""
        at = bisect.bisect_left(self.load_starts, start)
        # (the bodies it imported in turn lie inside it)
        del self.load_starts[at:], self.load_ends[at:]
        self.load_starts.append(start)
        self.load_ends.append(end)

    def made_by_import(self, serial: int) -> bool:
        at = bisect.bisect_right(self.load_starts, serial) - 1
        return at >= 0 and serial < self.load_ends[at]

    def keep(self, value: Any, loading: list[str]) -> None:
        """`value` is about to change: kept as it is, the first time. `loading`: the module
        bodies running at imports, innermost last (none: the entry point's own code)."""
        if value is self.exempt:
            return
        key = id(value)
        if key in self.before:
            first = self.changer_of.get(key)
            if first is not None and loading and loading[-1] != first:
                self.followers.add(loading[-1])
            return
        kind = type(value)
        if kind is ModuleV and value.name in loading or kind is ClassV and (
                value.module is self.exempt or value.module.name in loading):
            return  # (its own body, or the entry point's own module, sets it)
        if loading:
            # a module body changes what another module made: the change is put back, and the
            # body runs again wherever it is imported after (a plugin registering itself)
            self.changers.add(loading[-1])
            self.changer_of[key] = loading[-1]
        elif self.first_change is None:
            self.first_change = next_serial()
        self.before[id(value)] = (value, _fields_of(value))

    def put_back(self) -> None:
        """Each object as the journal first found it."""
        for value, fields in self.before.values():
            _restore_fields(value, fields)

    def modules_to_forget(self) -> set[str]:
        if self.first_change is None:
            return set(self.changers)
        return self.changers | {name for start, name in self.loads if start > self.first_change}

    def after(self) -> list[tuple[Any, list[tuple[str, Any, Any]]]]:
        """Each object the entry point changed, as it is now (before it is put back)."""
        return [(value, _fields_of(value)) for value, _ in self.before.values()]


def states_replaced(states: list[tuple[Any, list[tuple[str, Any, Any]]]]
                    ) -> list[tuple[Any, list[tuple[str, Any, Any]]]]:
    """Each object set to the state `states` holds of it (EntryJournal.after); returned: the
    states they had, to set them back."""
    before = [(value, _fields_of(value)) for value, _ in states]
    for value, fields in states:
        _restore_fields(value, fields)
    return before


def _fields_of(value: Any) -> list[tuple[str, Any, Any]]:
    """Each field of the object: (name, value, a copy of it where it is a list, dict or set,
    whose items the entry may change in place). Of a module or a class, its names only."""
    if isinstance(value, _NAMESPACES):
        return [("names", value.names, dict(value.names))]
    if type(value) is IteratorV:
        return []  # (a generator's place cannot be put back: see _restore_fields)
    names = getattr(type(value), "__slots__", None)
    if names is None or hasattr(value, "__dict__"):
        names = list(vars(value))
    fields = []
    for name in names:
        held = getattr(value, name, MISSING)
        kind = type(held)
        fields.append((name, held, kind(held) if kind in (list, dict, set) else None))
    return fields


def _restore_fields(value: Any, fields: list[tuple[str, Any, Any]]) -> None:
    if type(value) is IteratorV:
        value.exact = False  # pulled from by the entry: where a fresh import's would be is unknown
        return
    kept = {name for name, _held, _copy in fields}
    if hasattr(value, "__dict__") and not isinstance(value, _NAMESPACES):
        for name in [name for name in vars(value) if name not in kept]:
            delattr(value, name)  # (set since: a cache such as a class's `_mro` too)
    for name, held, copy in fields:
        if held is MISSING:
            continue
        setattr(value, name, held)
        if type(held) is list:
            held[:] = copy
        elif type(held) is dict or type(held) is set:
            held.clear()
            held.update(copy)


# The objects without a creation number that an entry point may change: a module's names and a
# class's (kept whatever their age: one made by the entry itself is put back too, which only
# what it built, already counted, could see).
_NAMESPACES = (ModuleV, ClassV)


class Machine:
    """One evaluation of a program: module loading, the frameworks and the recording sink are
    given by the program (program.py)."""

    def __init__(self, program: Any) -> None:
        self.program = program
        self.frameworks = program.frameworks
        self.state = EntryState()
        self.via: list[str] = []
        self.speculative = 0
        self.depth = 0
        self.running: dict[int, int] = {}  # function node id → how many of its calls are running
        self.site_path = ""  # the file of the call being evaluated: where a layer is built
        self.entry_start = next_serial()  # objects made before this entry point are older
        self.memo_frames: list[list[Any]] = []  # [start serial, still replayable] per call
        # the modules' names read while a call is being remembered, in order (emptied whenever
        # no call is): each remembered call holds the ones past where it started
        self.namespace_reads: list[dict[str, Any]] = []
        self.reads_start = 0  # where the innermost call being remembered began reading
        self.handling: list[Any] = []  # the exceptions `except` blocks are handling, innermost last
        # one flag per `try` body with handlers being run, innermost last: whether code the
        # evaluator does not follow was called in it (and so may have raised)
        self.guarded: list[bool] = []
        self.cache: dict[Any, Any] = {}  # @functools.cache calls of this entry point, by key
        # a module body: the lines of the top-level statement where Python stops it, by a raise
        self.raised_in: tuple[int, int] | None = None
        self.never_run: list[tuple[int, int]] = []  # (EntryResult.never_run)
        # one per world being run speculatively, innermost last: what the objects made before it
        # held before it changed them (open_world)
        self.worlds: list[_World] = []

    # budget --------------------------------------------------------------------------------------
    def step(self) -> None:
        state = self.state
        state.steps += 1
        if state.steps > state.limit:
            raise BudgetExceeded(state.limit_why, state.limit)
        if state.steps % 256 == 0:
            now = time.monotonic()
            if now - state.started > MAX_SECONDS:
                raise BudgetExceeded(f"stopped after {MAX_SECONDS:g} s of evaluation")
            if self.program.deadline is not None and now > self.program.deadline:
                raise OutOfTime()

    def unknown_changed(self, name: str, value: Any = None) -> None:
        """A value the evaluator does not hold, which may be any module or parameter, is changed
        by `name` (a method, or an attribute set to `value`): where that may change a count, what
        this entry point built has no certain total; where it sets requires_grad, no certain
        trainable part. A call that did this is not remembered: each run of it says so."""
        for frame in self.memo_frames:
            frame[1] = False
        why = f"{name} on a value the evaluator does not hold"
        if name in ("requires_grad_", "requires_grad", "trainable"):
            self.state.trainable_unsettled = self.state.trainable_unsettled or why
        elif name in MODULE_MUTATORS or name in MODULE_REMOVERS or self.holds_module(value) or \
                value is None and name in ("weight", "bias", "an item"):
            self.incomplete(why)

    def holds_module(self, value: Any) -> bool:
        """`value` is a module or a parameter, or a list, tuple or dict holding one."""
        value = self.deref(value)
        if type(value) is ListV or type(value) is tuple:
            return any(self.frameworks.registers(self.deref(item)) for item in
                       (value.items if type(value) is ListV else value))
        if type(value) is DictV:
            return any(self.frameworks.registers(self.deref(item))
                       for item in value.items.values())
        return self.frameworks.registers(value)

    def alias_changed(self, alias: ModuleAlias, what: str) -> None:
        """`what` was done through an object that shares these modules: they are not fixed from
        now on."""
        for module in alias.modules:
            self.module_unfixed(module, f"{what} through {alias.why}")

    def attributes_unfixed(self, owner: Any) -> None:
        """Some attribute of `owner` the code does not name is changed: what it holds is not
        fixed from now on."""
        owner = self.deref(owner)
        if isinstance(owner, InstanceV):
            owner.escaped = True  # any of its attributes may hold anything now
        if hasattr(owner, "exact"):
            self.taint(owner)
            owner.exact = False
        elif isinstance(owner, LayerObj) and owner.params is not None:
            self.taint(owner)
            owner.lose_count("an attribute the code does not name is changed")

    def incomplete(self, why: str) -> None:
        """A limit cut a call short: what the entry point built may lack what it would have made."""
        state = self.state
        state.cuts += 1
        state.cut_why = why
        state.why_incomplete = state.why_incomplete or why

    def taint(self, value: Any) -> None:
        """`value` is about to change. Under an unknown condition it becomes inexact. A call
        being remembered that did not make it cannot be replayed; and what was remembered may
        have read it, if it is older than this entry point."""
        if self.worlds:
            self.worlds[-1].keep(value)
        if self.speculative and hasattr(value, "exact"):
            value.exact = False
        serial = serial_of(value)
        journal = self.program.journal
        if journal is not None:
            self.journal_keeps(journal, value, serial)
        if serial is None:
            return
        if serial < self.entry_start:
            self.program.epoch += 1
            self.state.older_changed.append(value)
        for frame in self.memo_frames:
            if serial < frame[0]:
                frame[1] = False

    def before_change(self, value: Any) -> None:
        """`value` is about to change in a way no world or remembered call needs to know of (a
        parameter's trainable flag): the entry point's journal keeps it as it was."""
        journal = self.program.journal
        if journal is not None:
            self.journal_keeps(journal, value, serial_of(value))

    def journal_keeps(self, journal: EntryJournal, value: Any, serial: int | None) -> None:
        """The entry point's journal keeps `value` as it is, where a fresh run of the entry point
        would find it so (EntryJournal): an object older than the entry point, or made by a
        module body it imported; a module's or a class's names."""
        if serial is None:
            if isinstance(value, _NAMESPACES):
                journal.keep(value, self.program.loading_order)
        elif serial < self.entry_start or journal.made_by_import(serial):
            journal.keep(value, self.program.loading_order)

    # worlds: what speculative code changes -------------------------------------------------------
    def open_world(self) -> None:
        """Code that may or may not run, or one of several arms of which one runs, starts: what
        it changes in objects made before it (their attributes, a class's or a module's names,
        a dict's items) is kept aside as it was (taint), to be joined after."""
        self.worlds.append(_World())

    @contextmanager
    def maybe_runs(self) -> Iterator[None]:
        """Code that may or may not run (the rest of a body after a `return` under a condition,
        a loop's pass the code does not fix, what an unknown `and` may skip): speculative, in a
        world joined after it with its not having run."""
        self.speculative += 1
        self.open_world()
        try:
            yield
        finally:
            self.speculative -= 1
            self.join_worlds([self.close_world()], or_none=True)

    def close_world(self) -> dict[int, tuple[Any, dict, dict, dict]]:
        """The world ends: each object it changed is put back as it was before it, and what it
        held at the end is returned, by object: (object, store, before, after)."""
        world = self.worlds.pop()
        ended = {}
        for key, (obj, store, before) in world.before.items():
            after = dict(store)
            store.clear()
            store.update(before)
            ended[key] = (obj, store, before, after)
        return ended

    def join_worlds(self, worlds: list[dict[int, tuple[Any, dict, dict, dict]]],
                    or_none: bool) -> None:
        """After arms of which one ran (or, `or_none`, code that may not have run at all): each
        name an object holds is what every world left there, where they agree, else unknown.
        (A name some world took out, and another not, is unknown too.)"""
        touched: dict[int, tuple[Any, dict, dict, dict]] = {}
        for world in worlds:
            for key, entry in world.items():
                touched.setdefault(key, entry)
        for key, (obj, store, before, _after) in touched.items():
            states = [world[key][3] if key in world else before for world in worlds]
            if or_none:
                states.append(before)
            joined: dict[Any, Any] = {}
            for name in dict.fromkeys(itertools.chain.from_iterable(states)):
                values = [state.get(name, MISSING) for state in states]
                if all(same_value(values[0], other) for other in values[1:]):
                    if values[0] is not MISSING:
                        joined[name] = values[0]
                else:
                    joined[name] = Unknown(f"{name} depends on a condition the code does not "
                                           "fix")
            # (by identity: a value's own == may walk it, or be the code's)
            if joined.keys() != before.keys() or any(joined[k] is not before[k] for k in joined):
                self.taint(obj)  # (before this: an outer world keeps what it held)
                store.clear()
                store.update(joined)

    def cut_short(self, func: FuncV, args: tuple[Any, ...], kwargs: dict[str, Any],
                  why: str) -> Unknown:
        """A call a limit keeps from running: what it would have changed is unknown, never left
        as it was (a recursion past MAX_CALL_DEPTH that sets a global at its bottom, or appends
        to a module's list). Each object handed to it, and each list, dict or object its module
        binds, becomes inexact; each name a function of its module rebinds with `global`,
        unknown. (What it could reach in other modules, through calls of its own, is not
        followed.)"""
        self.incomplete(why)
        self.hand_on(args, kwargs)
        module = func.module
        for value in (*args, *kwargs.values(), *module.names.values()):
            if isinstance(value, (ListV, DictV, InstanceV, ContainerV, KerasModelV)):
                self.taint(value)
                value.exact = False
        for name in self.program.rebound_globals(module):
            if name in module.names:
                module.names[name] = Unknown(why)
                self.state.names_written.append((module.names, name))
        self.names_changed(module.names)
        return Unknown(why)

    def stopped(self, why: str) -> None:
        """A limit stopped the entry point part way: what it had changed of what was there
        before it may be half done (`global WIDTH; WIDTH = 3; <a table past the budget>;
        WIDTH = 64`), and later entry points must not read it. Each name it bound outside its
        own frames becomes unknown, and each older object it changed inexact."""
        for names, name in self.state.names_written:
            names[name] = Unknown(why)
        for value in self.state.older_changed:
            if hasattr(value, "exact"):
                value.exact = False
        self.names_changed()

    def namespace_rewritten(self, module: ModuleV, why: str) -> None:
        """exec, eval, globals(), vars(), locals(): a module name may now hold anything a string
        or a dict write put there. Its values become unknown; the functions, classes and modules
        it binds stay (a file that rebinds those by strings cannot be read at all)."""
        for name, value in list(module.names.items()):
            if not isinstance(value, (FuncV, ClassV, ModuleV, ExternalV, PartialV, NativeV, BoundV,
                                      LazyRef)):
                module.names[name] = Unknown(why)
        self.names_changed(module.names)

    # an object's namespace as a dict: `obj.__dict__`, `vars(obj)` --------------------------------
    def namespace_node(self, node: ast.expr, frame: Frame) -> ast.expr | None:
        """`x` where `node` is `x.__dict__` or `vars(x)` (the builtin), else None."""
        if type(node) is ast.Attribute and node.attr == "__dict__":
            return node.value
        if type(node) is ast.Call and type(node.func) is ast.Name and node.func.id == "vars" \
                and len(node.args) == 1 and not node.keywords \
                and type(node.args[0]) is not ast.Starred and self.is_builtin("vars", frame):
            return node.args[0]
        return None

    def namespace_escapes(self, target: ast.expr, node: ast.expr, frame: Frame) -> Unknown:
        """`x.__dict__` or `vars(x)` read for any use but an update the evaluator can follow:
        whatever holds the dict may write x's attributes by key, now or later. A module's names
        become unknown at once (as for `globals()`); an instance's attributes other than
        methods and properties, from now on. (A class's `__dict__` is read-only.)"""
        owner = self.deref(self.ev(target, frame))
        why = f"line {node.lineno} hands out the attributes' dict"
        self.dict_handed_out(owner, why)
        return Unknown(why)

    def dict_handed_out(self, owner: Any, why: str) -> None:
        if type(owner) is InstanceV:
            self.taint(owner)
            owner.escaped = True
            if owner.framework:
                # a module's dict holds its registries (`_modules`, `_parameters`): whatever
                # holds the dict may add to them or take from them
                owner.exact = False
        elif type(owner) in (ContainerV, LayerObj):
            self.module_unfixed(owner, why)
        elif type(owner) is ModuleV:
            self.program.ensure_loaded(owner)  # (an import binds the module before running it)
            self.namespace_rewritten(owner, why)

    def module_unfixed(self, module: Any, why: str) -> None:
        """A module changed where the evaluator does not follow: a layer's own parameters, or a
        container's or an instance's members, are not fixed from now on."""
        self.taint(module)
        if type(module) is LayerObj:
            module.params = None
            module.why = why
        else:
            module.exact = False

    def namespace_update(self, target: ast.expr, node: ast.Call, frame: Frame) -> Any:
        """`x.__dict__.update(...)` / `vars(x).update(...)`: the attributes written as Python
        writes them, straight into the dict (no `__setattr__`, no property setter, no torch
        registration), when the keys are fixed; else as namespace_escapes."""
        owner = self.deref(self.ev(target, frame))
        pairs = self.update_pairs(node, frame)
        why = f"line {node.lineno} updates the attributes' dict with keys the code does not fix"
        if pairs is None:
            self.dict_handed_out(owner, why)
            return None
        if type(owner) is ModuleV:
            self.program.ensure_loaded(owner)
            for name, value in pairs:
                self.set_attribute(owner, name, value)
        elif type(owner) is InstanceV:
            if owner.escaped or any(self.shadowed_on_write(owner, name) for name, _ in pairs) or \
                    owner.framework and any(self.frameworks.registers(self.deref(value))
                                            for _, value in pairs):
                # (a module or parameter written straight into a module's dict is a plain
                # attribute, which torch does not register: not what the evaluator's attributes
                # of a module stand for)
                self.dict_handed_out(owner, why)
                return None
            self.taint(owner)
            for name, value in pairs:
                owner.attrs[name] = value
        else:
            self.dict_handed_out(owner, why)
        return None

    def update_pairs(self, node: ast.Call, frame: Frame) -> list[tuple[str, Any]] | None:
        """dict.update's arguments as (name, value) pairs, in the order Python writes them;
        None if a key is not a string the code fixes. Every argument is evaluated either way."""
        pairs: list[tuple[str, Any]] | None = []
        sources = [self.ev(arg.value if type(arg) is ast.Starred else arg, frame)
                   for arg in node.args]
        if len(node.args) > 1 or any(type(arg) is ast.Starred for arg in node.args):
            pairs = None
        for source in sources:
            source = self.deref(source)
            if pairs is not None and _keywords(source):
                pairs.extend(source.items.items())
            else:
                pairs = None
        for kw in node.keywords:
            value = self.deref(self.ev(kw.value, frame))
            if pairs is None:
                continue
            if kw.arg is not None:
                pairs.append((kw.arg, value))
            elif _keywords(value):
                pairs.extend(value.items.items())
            else:
                pairs = None
        return pairs

    def shadowed_on_write(self, owner: InstanceV, name: str) -> bool:
        """A key whose dict entry the attribute read would not give back as the evaluator holds
        it: a data descriptor of the class wins over the instance's dict, and a torch module's
        submodule or parameter lives outside it (the evaluator holds both as one attribute)."""
        found = owner.cls.lookup(name)
        if type(found) is PropertyV and found.data:
            return True
        current = owner.attrs.get(name, MISSING)
        return current is not MISSING and bool(owner.framework) and \
            self.frameworks.registers(current)

    def names_changed(self, module_names: dict[str, Any] | None = None) -> None:
        """A module's names (`module_names`), or a class's or a closure's, changed. No call being
        remembered may be replayed (it changed names that were there before it); of the calls
        remembered, those that read that module, or any when it is not a module's, are not any
        more."""
        self.calls_not_replayable()
        program = self.program
        if module_names is None:
            program.epoch += 1
            return
        entry = program.versions.get(id(module_names))
        if entry is None or entry[0] is not module_names:
            program.versions[id(module_names)] = [module_names, 1]
        else:
            entry[1] += 1

    def calls_not_replayable(self) -> None:
        """The calls being remembered changed something made before them: none is replayed."""
        for frame in self.memo_frames:
            frame[1] = False

    # statements ----------------------------------------------------------------------------------
    def run_body(self, body: list[ast.stmt], frame: Frame) -> str | None:
        for stmt in body:
            signal = self.exec(stmt, frame)
            if signal is not None:
                return signal
        return None

    def exec(self, stmt: ast.stmt, frame: Frame) -> str | None:
        self.step()
        method = _EXEC.get(type(stmt))
        if method is None:
            method = _dispatch(_EXEC, type(stmt), "exec_")
            if method is None:  # a statement not modelled (`try: ... except* E:`)
                for name in _assigned_names(stmt):
                    self.bind(name, Unknown(f"{name} is set by a statement not followed"), frame)
                return None
        try:
            if frame.maybe_returned or frame.maybe_left_loop:
                # after a `return` under a condition the code does not fix, the rest of the
                # function runs only if it did not (the rest of a loop, after a `break` or
                # `continue`): what it does is as speculative as an arm's
                with self.maybe_runs():
                    return method(self, stmt, frame)
            return method(self, stmt, frame)
        except UserRaise as raised:
            if not raised.where:  # what Python refuses (`fc.fc2`): where the traceback ends
                raised.where = f"{os.path.basename(frame.module.path)}:{stmt.lineno}"
            raise

    def exec_Expr(self, stmt: ast.Expr, frame: Frame) -> None:
        self.ev(stmt.value, frame)

    def exec_Assign(self, stmt: ast.Assign, frame: Frame) -> None:
        value = self.ev(stmt.value, frame)
        for target in stmt.targets:
            self.assign(target, value, frame)

    def exec_AnnAssign(self, stmt: ast.AnnAssign, frame: Frame) -> None:
        if stmt.value is not None:
            self.assign(stmt.target, self.ev(stmt.value, frame), frame)

    def exec_AugAssign(self, stmt: ast.AugAssign, frame: Frame) -> None:
        current = self.ev(_as_load(stmt.target), frame)
        right = self.ev(stmt.value, frame)
        if type(current) is SetV or type(current) is TensorV and current.values is not None:
            # `s |= {...}`, `a += 10` change the set or the array in place, for every name that
            # holds it; the framework may refuse it (an int tensor += 0.5)
            self.changed_in_place(current)
            self.may_have_raised()
            self.assign(stmt.target, current, frame)
            return
        if isinstance(current, ListV) and isinstance(stmt.op, ast.Add):
            items = self.iterate(right)
            if items is None:
                current.exact = False
            else:
                self.taint(current)
                current.items.extend(items)
            value: Any = current
        elif isinstance(stmt.op, ast.Add) and (isinstance(current, ContainerV) or (
                type(current) is InstanceV and current.framework == "torch" and
                current.cls.lookup("__iadd__") is MISSING)):
            value = self.frameworks.container_extend(self, current, right)
        else:
            value = self.binop(type(stmt.op), current, right)
        self.assign(stmt.target, value, frame)

    def exec_Pass(self, stmt: ast.Pass, frame: Frame) -> None:
        return None

    def exec_Return(self, stmt: ast.Return, frame: Frame) -> None:
        value = self.ev(stmt.value, frame) if stmt.value is not None else None
        raise _Return(value)

    def exec_Raise(self, stmt: ast.Raise, frame: Frame) -> None:
        where = f"{os.path.basename(frame.module.path)}:{stmt.lineno}"
        if stmt.exc is None:  # a bare `raise` re-raises the exception being handled
            raise UserRaise(self.handling[-1] if self.handling else Unknown("a bare raise"), where)
        raise UserRaise(self.deref(self.ev(stmt.exc, frame)), where)

    def exec_Break(self, stmt: ast.Break, frame: Frame) -> str:
        return _BREAK

    def exec_Continue(self, stmt: ast.Continue, frame: Frame) -> str:
        return _CONTINUE

    def exec_Assert(self, stmt: ast.Assert, frame: Frame) -> None:
        if truth(self.ev(stmt.test, frame)) is False:
            raise UserRaise(ExternalV("builtins.AssertionError"))

    def exec_Global(self, stmt: ast.Global, frame: Frame) -> None:
        frame.scope.globals_.update(stmt.names)

    def exec_Nonlocal(self, stmt: ast.Nonlocal, frame: Frame) -> None:
        frame.scope.nonlocals.update(stmt.names)

    def exec_Delete(self, stmt: ast.Delete, frame: Frame) -> None:
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                frame.scope.names.pop(target.id, None)
            elif isinstance(target, ast.Attribute):
                self.delete_attribute(self.deref(self.ev(target.value, frame)),
                                      self.attribute_name(target, frame))
            elif isinstance(target, ast.Subscript):
                container = self.deref(self.ev(target.value, frame))
                key = self.ev(target.slice, frame)
                if type(container) is ExternalV and container.qualname == "sys.modules":
                    self.modules_entry_set(key, target.slice)
                if isinstance(container, DictV):
                    self.taint(container)
                    if is_plain(key) and hashable(key):
                        container.items.pop(key, None)
                    else:
                        container.exact = False
                elif isinstance(container, ListV):
                    self.taint(container)
                    if isinstance(key, slice) or isinstance(key, int) and \
                            -len(container.items) <= key < len(container.items):
                        del container.items[key]
                    else:
                        container.exact = False
                elif type(container) is ModuleAlias:
                    self.alias_changed(container, "an item deleted")
                elif isinstance(container, Unknown) and not isinstance(container, Weightless):
                    self.unknown_changed("del")
                else:
                    self.frameworks.delete_item(self, container, key)

    def delete_attribute(self, owner: Any, name: str) -> None:
        """`del owner.name`: gone from the object, a torch module's registered child or
        parameter included; on what the evaluator does not model, nothing it can undo."""
        if type(owner) is ModuleAlias:
            self.alias_changed(owner, f"del .{name}")
        elif isinstance(owner, Unknown) and not isinstance(owner, (SubmoduleV, Weightless)):
            self.unknown_changed("del")
        elif isinstance(owner, InstanceV):
            self.taint(owner)
            if name in owner.attrs:
                if owner.framework == "keras":
                    self.frameworks.keras_tracks(self, owner, owner.attrs[name])
                del owner.attrs[name]
            elif any(key == name for key, _ in owner.members):
                owner.members = [(k, v) for k, v in owner.members if k != name]
            else:
                # a layer's own tensor or submodule, in a subclass of the layer (`del self.bias`);
                # else Python raises AttributeError, unless a base class the evaluator does not
                # read set it: nothing to take out
                self.frameworks.delete_attribute(self, owner, name)
        elif isinstance(owner, (ClassV, ModuleV)):
            if type(owner) is ModuleV:
                self.program.ensure_loaded(owner)  # (as set_attribute)
            self.taint(owner)
            owner.names.pop(name, None)
            self.state.names_written.append((owner.names, name))
            self.names_changed(owner.names if isinstance(owner, ModuleV) else None)
        else:
            self.frameworks.delete_attribute(self, owner, name)

    def exec_Import(self, stmt: ast.Import, frame: Frame) -> None:
        for alias in stmt.names:
            unfixed = self.unfixed_import(alias.name, frame.module.path)
            if unfixed is not None:
                self.bind(alias.asname or alias.name.split(".")[0], unfixed, frame)
            elif alias.asname:
                module = self.program.import_module(alias.name, frame.module)
                if "." in alias.name:
                    module = self.program.imported_as(alias.name, module)
                self.bind(alias.asname, module, frame)
            else:
                root = alias.name.split(".")[0]
                self.program.import_module(alias.name, frame.module)  # a submodule becomes known
                self.bind(root, self.program.import_module(root, frame.module), frame)

    def exec_ImportFrom(self, stmt: ast.ImportFrom, frame: Frame) -> None:
        module_name = self.program.resolve_relative(stmt.module or "", stmt.level, frame.module)
        unfixed = self.unfixed_import(module_name, frame.module.path, stmt.level == 0) \
            if module_name else None
        if unfixed is not None:
            for alias in stmt.names:
                if alias.name != "*":
                    self.bind(alias.asname or alias.name, unfixed, frame)
            return
        if module_name is None:
            for alias in stmt.names:
                self.bind(alias.asname or alias.name, Unknown("a relative import outside any "
                                                              "package"), frame)
            return
        for alias in stmt.names:
            if alias.name == "*":
                module = self.program.import_module(module_name, frame.module)
                if isinstance(module, ModuleV):
                    self.program.ensure_loaded(module)
                    if self.memo_frames:
                        self.read_namespace(module.names)
                    self.star_import(module, frame)
                continue
            submodule = f"{module_name}.{alias.name}"
            value = self.replaced_entry(submodule) if self.state.modules_replaced else None
            if value is None:
                value = self.program.import_from(module_name, alias.name, frame.module)
            self.bind(alias.asname or alias.name, value, frame)

    def replaced_entry(self, name: str) -> Unknown | None:
        """Unknown where the code set or took out the sys.modules entry of `name`, or of a
        package around it, or one it cannot name (modules_entry_set) and `name` is the
        project's."""
        if any(name == key or name.startswith(f"{key}.") or
               key == "" and self.program.is_project_module(name)
               for key in self.state.modules_replaced):
            return Unknown(f"{name}: the code changed sys.modules before this import")
        return None

    def unfixed_import(self, name: str, importer: str, absolute: bool = True) -> Unknown | None:
        """What an absolute import of `name` in the file `importer` gives where the code does not
        fix which file it finds: unknown. Two of the project's roots may hold it
        (Program.rival_files: which one depends on how the code is run), or the code changed
        sys.path before it (import_path_changed), or it set the name's entry of sys.modules
        (modules_entry_set; relative imports too). Where a rival's body changes other modules'
        objects when imported, what the entry point builds after it is unknown too. None: the
        import finds the file Program.located names."""
        program = self.program
        top = name.split(".")[0]
        state = self.state
        replaced = self.replaced_entry(name) if state.modules_replaced else None
        if replaced is not None:
            return replaced
        if not absolute:
            return None
        if state.path_changed and program.reaches_other_copies(
                name, state.imported_before_path_change):
            return Unknown(f"{top} may be any of the project's files of that name: "
                           f"{state.path_changed} changed where imports look")
        rivals = program.rival_files(name, importer)
        if not rivals:
            program.forget_other_copy(top, importer)
            return None
        common = os.path.commonpath(rivals)
        shown = " or ".join(os.path.relpath(file, common) for file in rivals)
        why = f"{top} is {shown}, depending on how the code is run"
        if any(program.has_effects(file, top) for file in rivals):
            self.incomplete(f"{why}, and importing it changes other modules' objects")
        return Unknown(why)

    def import_path_changed(self, why: str) -> None:
        """The code changed sys.path (`sys.path.insert(0, os.path.join(ROOT, "lib"))`), to a
        folder the evaluator does not know: a module imported after it, not before, may be
        another file of the same name (Machine.unfixed_import). A module body that did it is run
        again wherever a later entry point imports it, as one that changes others' objects."""
        state = self.state
        if not state.path_changed:
            journal = self.program.journal
            state.path_changed = why
            state.imported_before_path_change = frozenset(
                name.split(".")[0] for name in journal.imported) if journal is not None \
                else frozenset()
        self.imports_changed()

    def modules_entry_set(self, key: Any, node: ast.expr | None = None) -> None:
        """The code set or took out an entry of sys.modules (`sys.modules["cfg"] = other`): an
        import of that name after it gives what was put there, or runs a body anew, which the
        evaluator does not follow (Machine.unfixed_import); where the key is not fixed, every
        import of the project's modules after it. A module replacing itself
        (`sys.modules[__name__] = _LazyModule(...)`, each transformers package) stays the file
        it is read from. `node`: the key's expression, where the code writes one."""
        if type(node) is ast.Name and node.id == "__name__":
            return  # (whatever the evaluator holds for it: a module that reads sys.modules
            # has its values unknown, Machine.namespace_rewritten)
        key = self.deref(key)
        loading = self.program.loading_order
        journal = self.program.journal
        own = loading[-1] if loading else journal.exempt.name \
            if journal is not None and type(journal.exempt) is ModuleV else None
        if type(key) is str and key in (own, "__main__"):
            return
        self.state.modules_replaced |= {key if type(key) is str else ""}
        self.imports_changed()

    def imports_changed(self) -> None:
        """What later imports find changed (sys.path, sys.modules): a module body that did it
        runs again wherever a later entry point imports it, as one that changes others' objects
        does."""
        journal = self.program.journal
        loading = self.program.loading_order
        if journal is not None and (loading or type(journal.exempt) is ModuleV):
            journal.changers.add(loading[-1] if loading else journal.exempt.name)

    def star_import(self, module: ModuleV, frame: Frame) -> None:
        """`from module import *`: the names its `__all__` lists, else every name not starting
        with an underscore. An `__all__` the code does not fix may list any of its names."""
        listed = self.deref(module.names.get("__all__", MISSING))
        if listed is MISSING:
            for key, value in list(module.names.items()):
                if not key.startswith("_"):
                    self.bind(key, value, frame)
            return
        names = tuple(listed.items) if type(listed) is ListV and listed.exact else listed
        if not (type(names) is tuple and all(type(name) is str for name in names)):
            for key in list(module.names):
                if not key.startswith("__"):
                    self.bind(key, Unknown(f"from {module.name} import *, whose __all__ the code "
                                           "does not fix"), frame)
            return
        for name in names:
            self.bind(name, self.program.module_attribute(module, name), frame)

    def exec_FunctionDef(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef, frame: Frame) -> None:
        func = self.make_function(stmt, frame)
        value: Any = func
        for deco in reversed(stmt.decorator_list):
            value = self.decorate(deco, value, frame)
        self.bind(stmt.name, value, frame)

    exec_AsyncFunctionDef = exec_FunctionDef

    def make_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
                      frame: Frame, owner: ClassV | None = None) -> FuncV:
        args = node.args
        defaults = [self.ev(d, frame) for d in args.defaults]
        kw_defaults = {a.arg: self.ev(d, frame) for a, d in zip(args.kwonlyargs, args.kw_defaults,
                                                                strict=False) if d is not None}
        scope = enclosing_scope(frame)
        name = getattr(node, "name", "<lambda>")
        prefix = f"{frame.func.qualname}.<locals>." if frame.func is not None and \
            frame.func.qualname else ""
        return FuncV(node, frame.module, scope, defaults, kw_defaults, prefix + name, owner=owner)

    def decorate(self, deco: ast.expr, value: Any, frame: Frame) -> Any:
        decorator = self.deref(self.ev(deco, frame))
        special = self.frameworks.decorator(self, decorator, value)
        if special is not None:
            return special
        # A decorator (a registry, an export marker, a legacy-argument wrapper) runs, so that what
        # it records is seen, but what it returns is taken to be what it decorates: the usual
        # case, and said as an assumption.
        try:
            made = self.deref(self.call(decorator, (value,), {}, None))
        except UserRaise:
            made = None
        if made is value and not self.speculative:
            return value  # it returns what it decorates (a registry): no assumption
        # What a wrapper does around the call is not followed (torchvision's legacy-argument
        # wrappers are more than the evaluator reads), so it is taken as that call, and said.
        if isinstance(value, (FuncV, ClassV)):
            words = f"@{source_text(deco)} returns the function it decorates"
            if isinstance(value, FuncV):
                value.assumption = words
        return value

    def exec_ClassDef(self, stmt: ast.ClassDef, frame: Frame) -> None:
        # (a base the code does not fix is one of a package the evaluator does not read: it may
        # be a module, and give methods of its own; dropped, the class would pass for a plain
        # one, and its layers for no model's)
        bases = tuple(_unresolved_base() if is_unknown(base) else base for base in
                      (self.deref(self.ev(b, frame)) for b in stmt.bases))
        prefix = f"{frame.func.qualname}.<locals>." if frame.func is not None else ""
        cls = ClassV(stmt.name, prefix + stmt.name, bases, {}, frame.module, stmt)
        if cls.mro() and cls.__dict__.get("mro_conflict"):
            raise python_raises("TypeError", f"line {stmt.lineno}: no consistent method "
                                             f"resolution order for the bases of {stmt.name}")
        body_scope = Scope(cls.names, enclosing_scope(frame), class_body=True)
        body_frame = Frame(body_scope, frame.module, None)
        for item in stmt.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                func = self.make_function(item, frame, owner=cls)
                func.qualname = f"{cls.qualname}.{item.name}"
                value: Any = func
                for deco in reversed(item.decorator_list):
                    value = self.method_decorator(deco, value, body_frame, func)
                cls.names[item.name] = value
            else:
                self.exec(item, body_frame)
        stripped = stmt.name.lstrip("_")
        for name in [n for n in cls.names if n[:2] == "__" and n[-2:] != "__"] if stripped else ():
            # Python mangles a private name the class body binds (`def __post`, `__size = 4`)
            # as it does one read in it: the class holds `_Net__post`
            cls.names[f"_{stripped}{name}"] = cls.names.pop(name)
        if any(isinstance(c, ExternalV) and c.qualname in _ENUM_BASES for c in cls.mro()):
            self.make_enum_members(cls, stmt)
        self.class_created(cls, stmt, frame)
        value = cls
        for deco in reversed(stmt.decorator_list):
            value = self.decorate(deco, value, frame)
        self.bind(stmt.name, value, frame)

    def class_created(self, cls: ClassV, stmt: ast.ClassDef, frame: Frame) -> None:
        """What Python runs as it makes the class, before any decorator: each attribute's
        `__set_name__` (a descriptor of the project's), then the nearest base's
        `__init_subclass__`, given the class statement's keywords (`class Wide(Base, width=10)`)."""
        for name, value in list(cls.names.items()):
            if type(value) is InstanceV:
                hook = value.cls.lookup("__set_name__")
                if type(hook) is FuncV:
                    self.call_function(hook, (value, cls, name), {})
        keywords = {kw.arg: self.ev(kw.value, frame) for kw in stmt.keywords
                    if kw.arg is not None and kw.arg != "metaclass"}
        for kw in stmt.keywords:
            meta = self.deref(self.ev(kw.value, frame)) if kw.arg == "metaclass" else None
            if isinstance(meta, ClassV) and isinstance(meta.lookup("__call__"), FuncV):
                # calling the class runs the metaclass's __call__, which may return anything
                cls.__dict__["made_by"] = f"its metaclass {meta.name} defines __call__"
        for base in cls.mro()[1:]:
            if type(base) is ClassV and "__init_subclass__" in base.names:
                hook = base.names["__init_subclass__"]
                if type(hook) is FuncV:  # (an implicit classmethod)
                    self.call_function(hook, (cls,), keywords)
                return
            if type(base) is not ClassV and keywords:
                return  # a base outside the project may take them

    @staticmethod
    def make_enum_members(cls: ClassV, stmt: ast.ClassDef) -> None:
        """An Enum's plain class attributes become its members: instances of the class itself."""
        assigned = {t.id for s in stmt.body if isinstance(s, ast.Assign) for t in s.targets
                    if isinstance(t, ast.Name)}
        for name in assigned:
            if name.startswith("_") or name not in cls.names:
                continue
            raw = cls.names[name]
            if isinstance(raw, (FuncV, ClassV)):
                continue
            cls.names[name] = InstanceV(cls, {"value": raw, "_value_": raw, "name": name,
                                              "_name_": name})

    def method_decorator(self, deco: ast.expr, value: Any, frame: Frame, func: FuncV) -> Any:
        name = source_text(deco)
        if name in ("staticmethod", "classmethod"):
            # (over what the decorators below made of it: a cached copy, `@functools.cache`)
            target = value if isinstance(value, FuncV) and value.node is func.node else func
            target.kind = name
            return target
        if name == "property":
            return PropertyV(func)
        if name in ("cached_property", "functools.cached_property"):
            return PropertyV(func, data=False)
        if isinstance(deco, ast.Attribute) and deco.attr in ("setter", "getter", "deleter"):
            # `@width.setter`: a new property from the one the class body bound before
            base = self.deref(self.ev(deco.value, frame))
            if not isinstance(base, PropertyV):
                return Unknown(f"{name} of something that is not a property")
            if deco.attr == "setter":
                return PropertyV(base.fget, func)
            return PropertyV(func, base.fset) if deco.attr == "getter" else base
        return self.decorate(deco, value, frame)

    def exec_If(self, stmt: ast.If, frame: Frame) -> str | None:
        cond = truth(self.ev(stmt.test, frame))
        if cond is True:
            return self.run_body(stmt.body, frame)
        if cond is False:
            return self.run_body(stmt.orelse, frame)
        return self.both_arms(stmt.body, stmt.orelse, frame)

    def both_arms(self, body: list[ast.stmt], orelse: list[ast.stmt], frame: Frame) -> str | None:
        """An unknown condition: an arm that can only raise drops out; else both run
        speculatively and the names they set differently become unknown."""
        if _always_raises(body):
            return self.run_body(orelse, frame)
        if _always_raises(orelse) and orelse:
            return self.run_body(body, frame)
        before = dict(frame.scope.names)
        return self.run_arms([(before, body), (before, orelse)], frame)

    def run_arms(self, arms: list[tuple[dict[str, Any], list[ast.stmt]]], frame: Frame
                 ) -> str | None:
        """One of these arms runs, the code does not fix which: each runs speculatively from
        its own names, and the names they leave differently become unknown. An arm that ends in
        a raise drops out (all of them: the raise goes on); one that returns leaves the rest of
        the function speculative."""
        names = frame.scope.names
        results: list[tuple[dict[str, Any], str | None, bool]] = []
        worlds = []
        returned = False
        for start, arm in arms:
            names.clear()
            names.update(start)
            self.speculative += 1
            self.open_world()
            ended = False
            signal = None
            try:
                signal = self.run_body(arm, frame)
            except _Return as ret:
                frame.maybe_returned = returned = True
                ended = True
                del ret
            except UserRaise:
                ended = True
            finally:
                self.speculative -= 1
                arm_names = dict(names)
                worlds.append(self.close_world())
            results.append((arm_names, signal, ended))
        # (an arm that returned or raised counts: a caller, or an `except`, sees what it did)
        self.join_worlds(worlds, or_none=False)
        open_arms = [r for r in results if not r[2]]
        names.clear()
        if not open_arms:
            names.update(results[0][0])
            if returned:  # the function returns, what it returns the code does not fix
                raise _Return(Unknown("a return under a condition the code does not fix"))
            raise UserRaise(Unknown("every arm raises"))
        merged = dict(open_arms[0][0])
        for other, _signal, _ended in open_arms[1:]:
            for key in set(merged) | set(other):
                a, b = merged.get(key, MISSING), other.get(key, MISSING)
                if not same_value(a, b):
                    merged[key] = Unknown(f"{key} depends on a condition the code does not fix")
        names.update(merged)
        signals = {r[1] for r in open_arms}
        if len(signals) == 1:
            return signals.pop()
        frame.maybe_left_loop = True  # a break or continue on some paths only
        frame.maybe_broke = frame.maybe_broke or _BREAK in signals
        frame.skipped_pass = frame.skipped_pass or _CONTINUE in signals
        return None

    def exec_For(self, stmt: ast.For | ast.AsyncFor, frame: Frame) -> str | None:
        module = module_loop_target(stmt)
        if module is not None and only_reads(stmt, [*stmt.body, *stmt.orelse], module):
            # over each module of a model, reading them only: once, speculatively (module_walks)
            return self.unknown_loop(stmt, frame)
        items = self.pull(self.ev(stmt.iter, frame))
        if items is None:
            return self.unknown_loop(stmt, frame)
        outer = _loop_flags(frame)
        try:
            for item in items:
                if item is UNFIXED:  # an iterator whose remaining items the code does not fix
                    self.unknown_passes(stmt, frame)
                    break
                self.step()
                self.assign(stmt.target, item, frame)
                if self.loop_pass(stmt, frame) == _BREAK:
                    return None
            broke = frame.maybe_broke
        finally:
            self.loop_ended(stmt, frame, outer)
        return self.loop_else(stmt, frame, broke)

    exec_AsyncFor = exec_For

    def exec_While(self, stmt: ast.While, frame: Frame) -> str | None:
        outer = _loop_flags(frame)
        try:
            while True:
                self.step()
                cond = truth(self.ev(stmt.test, frame))
                if is_unknown(cond):
                    self.unknown_passes(stmt, frame)
                    break
                if not cond:
                    break
                if frame.maybe_left_loop:
                    # a pass after one that may have left the loop runs only where it did
                    # not: speculatively, each change joined with its not having run, so
                    # every later pass is one more of the same (`while True:` around a
                    # break under a condition the code does not fix ran to the budget)
                    self.unknown_passes(stmt, frame)
                    break
                if self.loop_pass(stmt, frame) == _BREAK:
                    return None
            broke = frame.maybe_broke
        finally:
            self.loop_ended(stmt, frame, outer)
        return self.loop_else(stmt, frame, broke)

    def loop_pass(self, stmt: ast.For | ast.AsyncFor | ast.While, frame: Frame) -> str | None:
        """One pass of a loop's body. Once a `break` or `continue` ran under a condition the
        code does not fix, the loop may have ended or skipped ahead there: the rest runs
        speculatively (exec). A break, return or raise after it ends the paths that reach it:
        the loop ends there too, as every other path left it before, unless one skipped the
        rest of this pass (a `continue`) and goes on to the next (a `return` leaves the
        function's value unknown)."""
        frame.skipped_pass = False
        try:
            signal = self.run_body(stmt.body, frame)
        except _Return:
            if not frame.maybe_left_loop:
                raise
            frame.maybe_returned = True
            return None if frame.skipped_pass else _BREAK
        except UserRaise:
            if not frame.maybe_left_loop:
                raise
            return None if frame.skipped_pass else _BREAK
        return None if signal == _BREAK and frame.skipped_pass else signal

    def loop_else(self, stmt: ast.For | ast.AsyncFor | ast.While, frame: Frame,
                  broke: bool) -> str | None:
        """A loop's `else`, once it ran out, in the loop around it (its `continue` is that
        loop's): where a `break` under a condition the code does not fix may have left the loop
        (`broke`), the `else` runs on the other paths only."""
        if not stmt.orelse:
            return None
        if broke:
            before = dict(frame.scope.names)
            return self.run_arms([(before, stmt.orelse), (before, [])], frame)
        return self.run_body(stmt.orelse, frame)

    def loop_ended(self, stmt: ast.For | ast.AsyncFor | ast.While, frame: Frame,
                   outer: tuple[bool, bool, bool]) -> None:
        """After a loop that may have been left or skipped ahead where the code does not fix
        it: every name it assigns is unknown, as after a loop over unknown items."""
        if frame.maybe_left_loop:
            for name in _assigned_names(stmt):
                self.bind(name, Unknown(f"{name} is set in a loop that a condition the code "
                                        "does not fix may end or skip"), frame)
        _restore_loop_flags(frame, outer)

    def unknown_loop(self, stmt: ast.For | ast.AsyncFor | ast.While, frame: Frame) -> str | None:
        """A loop over what the code does not fix (unknown_passes), then its `else`."""
        outer = _loop_flags(frame)
        try:
            self.unknown_passes(stmt, frame)
            broke = frame.maybe_broke
        finally:
            _restore_loop_flags(frame, outer)
        return self.loop_else(stmt, frame, broke)

    def unknown_passes(self, stmt: ast.For | ast.AsyncFor | ast.While, frame: Frame) -> None:
        """Passes of a loop the code does not fix the number of: the body runs once,
        speculatively, and every name it assigns is unknown afterwards. A `break` in it may
        have left the loop (maybe_broke)."""
        changed = _assigned_names(stmt)
        for name in changed:
            self.bind(name, Unknown(f"{name} is set in a loop over values the code does not fix"),
                      frame)
        if any(isinstance(node, ast.Break) for node in _own_loop_nodes(stmt.body)):
            frame.maybe_broke = True
        outer = (frame.maybe_left_loop, frame.maybe_broke, frame.skipped_pass)
        try:
            with self.maybe_runs():
                self.run_body(stmt.body, frame)
        except (_Return, UserRaise):
            frame.maybe_returned = True
        finally:
            _restore_loop_flags(frame, outer)
        for name in changed:
            self.bind(name, Unknown(f"{name} is set in a loop over values the code does not fix"),
                      frame)

    def exec_Try(self, stmt: ast.Try, frame: Frame) -> str | None:
        """try/except/else/finally as Python runs them: a raise in the body continues in the
        first handler that matches it; `finally` runs however the statement is left.

        `try: import apex ... except ImportError: ...` where no source of the module is found:
        whether the import raises depends on the machine that runs the code, so the body (with
        `else`) and that handler run as the two arms of a condition the code does not fix."""
        fallback = _import_fallback(stmt, self.program, frame.module)
        if fallback is not None:
            signal = self.both_arms([*stmt.body, *stmt.orelse], fallback.body, frame)
            final = self.run_body(stmt.finalbody, frame)
            return final or signal
        try:
            signal = self.try_body(stmt, frame)
        except (UserRaise, _Return):
            final = self.run_body(stmt.finalbody, frame)
            if final is not None:
                return final  # a break or continue in `finally` ends the raise or return
            raise
        final = self.run_body(stmt.finalbody, frame)
        return final or signal

    exec_TryStar = exec_Try

    def try_body(self, stmt: ast.Try, frame: Frame) -> str | None:
        guarded = bool(stmt.handlers)
        if guarded:
            self.guarded.append(False)
        raised_maybe = False
        try:
            try:
                signal = self.run_body(stmt.body, frame)
            finally:
                if guarded:
                    raised_maybe = self.guarded.pop()
                    if raised_maybe:
                        self.speculative -= 1
                        self.join_worlds([self.close_world()], or_none=True)
        except _Return:
            if not raised_maybe:
                raise
            frame.maybe_returned = True  # it returned, unless the call before raised
            signal = None
        except UserRaise as raised:
            handler = self.matching_handler(stmt.handlers, raised.value, frame)
            if handler is None:
                raise
            if handler.name:
                self.bind(handler.name, raised.value, frame)
            self.handling.append(raised.value)
            try:
                return self.run_body(handler.body, frame)
            finally:
                self.handling.pop()
                if handler.name:
                    frame.scope.names.pop(handler.name, None)  # Python deletes it too
        if raised_maybe:
            return self.handlers_maybe(stmt, signal, frame)
        if signal is None:
            signal = self.run_body(stmt.orelse, frame)
        return signal

    def may_have_raised(self) -> None:
        """A call the evaluator does not follow (a file read, a function of a package it does
        not read): it may raise, for all the evaluator knows. Inside a `try` with handlers,
        the rest of its body then runs speculatively, and so do the handlers
        (handlers_maybe); an enclosing `try` may catch what an inner one does not."""
        if self.guarded and not all(self.guarded):
            for n, flagged in enumerate(self.guarded):
                if not flagged:
                    self.guarded[n] = True
                    self.speculative += 1
                    self.open_world()

    def handlers_maybe(self, stmt: ast.Try, signal: str | None, frame: Frame) -> str | None:
        """After a `try` body that may have raised part way: its `else` ran, or one of its
        handlers did, from names the body may or may not have set."""
        after = dict(frame.scope.names)
        unsure = dict(after)
        for name in _assigned_names(ast.Module(body=stmt.body, type_ignores=[])):
            unsure[name] = Unknown(f"{name} is set in a try body that may have raised")
        # (the body's own break or continue, where it ended in one, as its arm's)
        arms = [(after, stmt.orelse if signal is None else
                 [ast.Break() if signal == _BREAK else ast.Continue()])]
        for handler in stmt.handlers:
            start = dict(unsure)
            if handler.name:
                start[handler.name] = Unknown("the exception a call the evaluator does not "
                                              "follow raised")
            arms.append((start, handler.body))
        merged = self.run_arms(arms, frame)
        for handler in stmt.handlers:
            if handler.name and handler.name not in after:
                frame.scope.names.pop(handler.name, None)  # Python deletes it too
        return merged

    def matching_handler(self, handlers: list[ast.ExceptHandler], raised: Any,
                         frame: Frame) -> ast.ExceptHandler | None:
        """The handler Python would choose. One that might match, where the evaluator cannot tell,
        is not passed over for a later one: then no handler is chosen and the raise goes on."""
        for handler in handlers:
            if handler.type is None:
                return handler
            kinds = self.deref(self.ev(handler.type, frame))
            kinds_list = list(kinds) if isinstance(kinds, tuple) else [kinds]
            matched: bool | None = False
            for kind in kinds_list:
                found = self.exception_matches(raised, self.deref(kind))
                if found:
                    return handler
                if found is None:
                    matched = None
            if matched is None:
                return None
        return None

    def exception_matches(self, raised: Any, kind: Any) -> bool | None:
        """Whether `except kind` catches `raised` (None: the evaluator cannot tell)."""
        if isinstance(kind, ExternalV) and kind.qualname in ("builtins.Exception",
                                                             "builtins.BaseException"):
            return True
        classes = exception_classes(raised)
        if classes is None or not isinstance(kind, (ExternalV, ClassV)):
            return None
        for cls in classes:
            if cls is kind:
                return True
            if isinstance(cls, ExternalV) and isinstance(kind, ExternalV):
                if _builtin_subclass(cls.qualname, kind.qualname):
                    return True
                if not cls.qualname.startswith("builtins."):
                    return None  # a class of a package the evaluator does not read
        return False

    def exec_With(self, stmt: ast.With | ast.AsyncWith, frame: Frame) -> str | None:
        for item in stmt.items:
            value = self.ev(item.context_expr, frame)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, Unknown("a context manager's value")
                            if not isinstance(value, (InstanceV,)) else value, frame)
        return self.run_body(stmt.body, frame)

    exec_AsyncWith = exec_With

    def exec_Match(self, stmt: ast.Match, frame: Frame) -> str | None:
        """Which case matches is not followed (patterns and guards are not evaluated): each
        case's body runs as one arm of a condition the code does not fix, the names its pattern
        captures unknown, and so does no case at all unless the last one always matches."""
        self.ev(stmt.subject, frame)
        before = dict(frame.scope.names)
        arms = []
        for case in stmt.cases:
            start = dict(before)
            for node in ast.walk(case.pattern):
                for name in (getattr(node, "name", None), getattr(node, "rest", None)):
                    if isinstance(name, str):
                        start[name] = Unknown(f"{name} is captured by a case pattern")
            arms.append((start, case.body))
        last = stmt.cases[-1] if stmt.cases else None
        if last is None or last.guard is not None or not (
                isinstance(last.pattern, ast.MatchAs) and last.pattern.pattern is None):
            arms.append((before, []))
        return self.run_arms(arms, frame)

    # names ---------------------------------------------------------------------------------------
    def bind(self, name: str, value: Any, frame: Frame) -> None:
        scope = frame.scope
        if name in scope.globals_:
            self.taint(frame.module)  # (a world's change to keep)
            frame.module.names[name] = value
            self.state.names_written.append((frame.module.names, name))
            self.names_changed(frame.module.names)
            return
        if name in scope.nonlocals:
            outer = scope.parent
            while outer is not None and name not in outer.names:
                outer = outer.parent
            if outer is not None:
                self.taint(outer)
                outer.names[name] = value
                self.state.names_written.append((outer.names, name))
                self.names_changed()
                return
        scope.names[name] = value
        if frame.func is None:
            if scope.names is frame.module.names:
                self.names_changed(scope.names)
            else:
                # A class body's: no remembered call read them (the class is bound to its name,
                # for anything to read, only once its body ran), but a call defining a class
                # is not replayed.
                self.calls_not_replayable()

    def is_builtin(self, name: str, frame: Frame) -> bool:
        """`name` here is Python's builtin of that name (not rebound by the code), or one the
        evaluator does not model (exec, globals...): no binding of the code's."""
        return self.lookup(name, frame) is self.program.builtin(name)

    def lookup(self, name: str, frame: Frame) -> Any:
        scope: Scope | None = frame.scope
        if name in frame.scope.globals_:
            scope = None
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        module = frame.module
        if self.memo_frames:
            self.read_namespace(module.names)
        if name in module.names:
            if module.path in self.program.watched:
                self.state.global_reads.add(name)
            return module.names[name]
        return self.program.builtin(name)

    def read_namespace(self, names: dict[str, Any]) -> None:
        """A module's names are read while calls are being remembered: each holds the ones past
        where it began. One read again straight after, within the innermost call, is there
        already for every call being remembered (a module's names read a thousand times)."""
        reads = self.namespace_reads
        if len(reads) > self.reads_start and reads[-1] is names:
            return
        reads.append(names)

    def assign(self, target: ast.expr, value: Any, frame: Frame) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, value, frame)
        elif isinstance(target, ast.Attribute):
            owner = self.ev(target.value, frame)
            self.set_attribute(owner, self.attribute_name(target, frame), value)
        elif isinstance(target, ast.Subscript):
            owner = self.ev(target.value, frame)
            key = self.ev(target.slice, frame)
            held = self.deref(owner)
            if type(held) is ExternalV and held.qualname == "sys.modules":
                self.modules_entry_set(key, target.slice)
            self.set_item(owner, key, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.unpack(target.elts, value, frame)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, frame)

    def unpack(self, targets: list[ast.expr], value: Any, frame: Frame) -> None:
        items = self.iterate(value)
        star = next((i for i, t in enumerate(targets) if isinstance(t, ast.Starred)), None)
        if items is not None and (len(items) != len(targets) if star is None else
                                  len(items) < len(targets) - 1):
            # `a, b = [1, 2, 3]`: Python refuses to unpack it
            raise python_raises("ValueError")
        if items is None and is_plain(self.deref(value)) and \
                not isinstance(self.deref(value), (str, tuple, range)):
            raise python_raises("TypeError")  # (an int, None: nothing to unpack)
        if items is None:
            for t in targets:
                self.assign(t, Unknown(f"{source_text(t)} unpacked from an unknown value"), frame)
            return
        if star is None:
            for t, item in zip(targets, items, strict=True):
                self.assign(t, item, frame)
            return
        after = len(targets) - star - 1
        for t, item in zip(targets[:star], items[:star], strict=True):
            self.assign(t, item, frame)
        middle = items[star:len(items) - after]
        self.assign(targets[star], ListV(list(middle)), frame)
        for t, item in zip(targets[star + 1:], items[len(items) - after:], strict=True):
            self.assign(t, item, frame)

    def set_attribute(self, owner: Any, name: str, value: Any) -> None:
        owner = self.deref(owner)
        if type(owner) is ModuleAlias:
            if name in ("requires_grad", "trainable"):
                self.unknown_changed(name)
            elif not is_plain(value) or value is None:
                self.alias_changed(owner, f"{name} set")
            return
        if is_plain(owner):  # (`cfg.hidden = 3` where cfg is None)
            raise python_raises("AttributeError", f"{type(owner).__name__} has no attribute "
                                                  f"{name} to set")
        if self.frameworks.set_attribute(self, owner, name, value):
            return
        if isinstance(owner, InstanceV):
            hook = owner.cls.lookup("__setattr__") if not owner.framework else MISSING
            if type(hook) is FuncV:  # a plain class's own (a config's name aliases)
                self.call_function(hook, (owner, name, value), {})
                return
            self.instance_set(owner, name, value)
        elif isinstance(owner, (ClassV, ModuleV)):
            if type(owner) is ModuleV:
                # a module imported but not read yet has run all the same: its body does not
                # bind the name over this afterwards
                self.program.ensure_loaded(owner)
            self.taint(owner)
            owner.names[name] = value
            self.state.names_written.append((owner.names, name))
            self.names_changed(owner.names if isinstance(owner, ModuleV) else None)
        elif isinstance(owner, FuncV) and name in ("__defaults__", "__kwdefaults__", "__code__"):
            owner.replaced = f"{owner.qualname}.{name} is replaced"  # `__doc__` and the like: no
        elif type(owner) is ExternalV:
            if owner.qualname == "sys" and name == "path":
                self.import_path_changed("sys.path set")
            # `nn.Linear = LoRALinear`: a name of a module the evaluator does not read, replaced
            # for everyone who reads it after (Program.patch)
            self.program.patch(f"{owner.qualname}.{name}", Unknown(
                f"{owner.qualname}.{name}, replaced under a condition the code does not fix")
                if self.speculative else value)
            self.names_changed()

    def instance_set(self, owner: InstanceV, name: str, value: Any) -> None:
        """object.__setattr__: a property's setter, or a descriptor's __set__, else the
        instance's own attribute."""
        found = owner.cls.lookup(name)
        if owner.module_pending and self.frameworks.registers(value):
            raise python_raises("AttributeError", "cannot assign a module or parameter "
                                                  "before Module.__init__() call")
        if type(found) is PropertyV and found.data:  # a property's setter runs, as in Python
            if found.fset is None:
                raise python_raises("AttributeError", f"property {name!r} has no setter")
            self.call(found.fset, (owner, value), {}, None)
            return
        if type(found) is InstanceV:
            setter = found.cls.lookup("__set__")
            if type(setter) is FuncV:  # a data descriptor of the project's
                self.call_function(setter, (found, owner, value), {})
                return
        self.taint(owner)
        owner.attrs[name] = value

    def set_item(self, owner: Any, key: Any, value: Any) -> None:
        owner = self.deref(owner)
        if type(owner) is ExternalV and owner.qualname == "sys.path":
            self.import_path_changed("an item of sys.path set")
        if type(owner) is ModuleAlias:
            self.alias_changed(owner, "an item set")
            return
        if isinstance(owner, Unknown) and not isinstance(owner, (SubmoduleV, Weightless)):
            # `seq[2] = nn.Linear(8, 100)` on a value the evaluator does not hold: as setting an
            # attribute of it (frameworks.set_attribute); None takes a Sequential's member out
            self.unknown_changed("an item", value if value is not None or isinstance(key, int)
                                 else False)
            return
        if type(owner) is TensorV:
            self.changed_in_place(owner)  # `a[1] = 3`, `a[:] = 2`
            return
        if isinstance(owner, DictV):
            if is_unknown(key) or not hashable(key):
                owner.exact = False
                return
            self.taint(owner)
            owner.items[key] = value
        elif isinstance(owner, ListV):
            if isinstance(key, int) and -len(owner.items) <= key < len(owner.items):
                self.taint(owner)
                owner.items[key] = value
            elif isinstance(key, slice):
                items = self.iterate(value)
                if items is None:
                    owner.exact = False
                else:
                    self.taint(owner)
                    owner.items[key] = items
            else:
                owner.exact = False
        elif isinstance(owner, ContainerV):
            self.frameworks.container_set(self, owner, key, value)
        elif isinstance(owner, InstanceV):
            setter = owner.cls.lookup("__setitem__")
            if isinstance(setter, FuncV):
                self.call(BoundV(setter, owner), (key, value), {}, None)
            elif owner.framework == "torch":
                self.frameworks.container_item_set(self, owner, key, value)

    # expressions ---------------------------------------------------------------------------------
    def ev(self, node: ast.expr, frame: Frame) -> Any:
        method = _EV.get(type(node))
        if method is None:
            method = _dispatch(_EV, type(node), "ev_")
            if method is None:
                return Unknown(f"{type(node).__name__} expressions are not evaluated")
        return method(self, node, frame)

    def ev_Constant(self, node: ast.Constant, frame: Frame) -> Any:
        return node.value

    def ev_Name(self, node: ast.Name, frame: Frame) -> Any:
        name = node.id
        scope = frame.scope
        # lookup(), inlined for a function's own locals: the most frequent read of all
        if name in scope.names and name not in scope.globals_:
            value = scope.names[name]
        else:
            func = frame.func
            if type(func) is FuncV and frame.walrus_frame is None and \
                    name in local_names(func.node) and name not in scope.globals_ and \
                    name not in scope.nonlocals:
                raise python_raises("UnboundLocalError", _said_where(
                    node, frame, f"{name} is read before it is bound"))
            value = self.lookup(name, frame)
        if value is MISSING:
            if self.program.undefined(frame.module, name):
                raise python_raises("NameError", _said_where(
                    node, frame, f"name '{name}' is not defined"))
            return Unknown(f"{name} is not defined where the evaluator can see")
        # `from widths import WIDTH` was bound lazily; reading the name needs its value, which
        # Python would have bound at the import
        kind = type(value)
        if kind is not LazyRef and kind is not ExternalV:
            return value
        return self.program.deref(value)

    def ev_Attribute(self, node: ast.Attribute, frame: Frame) -> Any:
        if node.attr == "__dict__":
            return self.namespace_escapes(node.value, node, frame)
        owner = self.ev(node.value, frame)
        if node.attr == "modules" and isinstance(owner, ExternalV) and owner.qualname == "sys":
            # sys.modules[__name__].C = 64 rebinds a module name where no walk can follow
            self.namespace_rewritten(frame.module, f"line {node.lineno} reads sys.modules")
        return self.read_attribute(owner, self.attribute_name(node, frame))

    def read_attribute(self, owner: Any, name: str) -> Any:
        """`owner.name` as Python reads it: raising AttributeError where the evaluator knows
        that the owner has no such attribute (`self.fc2` never set, a typo). (exec places it.)"""
        value = self.get_attribute(owner, name)
        if type(value) is Absent and (type(self.deref(owner)) in _ATTRIBUTES_KNOWN or
                                      is_plain(self.deref(owner))):
            raise python_raises("AttributeError")
        return value

    def attribute_name(self, node: ast.Attribute, frame: Frame) -> str:
        """The attribute's name as Python compiles it: a private name (`self.__fc`) written
        inside a class body is mangled to `_Class__fc`, so a subclass's `self.__fc` is another
        attribute than its base's."""
        attr = node.attr
        if attr[:2] != "__" or attr[-2:] == "__":
            return attr
        owner = self.program.class_around(frame.module.path, node)
        stripped = owner.lstrip("_") if owner else ""
        return f"_{stripped}{attr}" if stripped else attr

    def ev_Tuple(self, node: ast.Tuple, frame: Frame) -> Any:
        items = self.elements(node.elts, frame)
        return tuple(items) if items is not None else Unknown("a tuple with unknown parts")

    def ev_List(self, node: ast.List, frame: Frame) -> Any:
        items = self.elements(node.elts, frame)
        return ListV(items) if items is not None else ListV([], exact=False)

    def ev_Set(self, node: ast.Set, frame: Frame) -> Any:
        items = self.elements(node.elts, frame)
        if items is None or not all(is_plain(i) and hashable(i) for i in items):
            return Unknown("a set")
        return SetV(frozenset(items))

    def elements(self, elts: list[ast.expr], frame: Frame) -> list[Any] | None:
        items: list[Any] = []
        ok = True
        for elt in elts:
            if isinstance(elt, ast.Starred):
                inner = self.iterate(self.ev(elt.value, frame))
                if inner is None:
                    ok = False
                else:
                    items.extend(inner)
            else:
                items.append(self.ev(elt, frame))
            if len(items) > MAX_SEQUENCE:
                return None
        return items if ok else None

    def ev_Dict(self, node: ast.Dict, frame: Frame) -> Any:
        result = DictV({})
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:
                other = self.deref(self.ev(value_node, frame))
                if isinstance(other, DictV):
                    result.items.update(other.items)
                    result.exact = result.exact and other.exact
                else:
                    result.exact = False
                continue
            key = self.ev(key_node, frame)
            value = self.ev(value_node, frame)
            if is_unknown(key) or not hashable(key):
                result.exact = False
            else:
                result.items[key] = value
        return result

    def ev_BinOp(self, node: ast.BinOp, frame: Frame) -> Any:
        return self.binop(type(node.op), self.ev(node.left, frame), self.ev(node.right, frame))

    def binop(self, op: type, left: Any, right: Any) -> Any:
        left, right = self.deref(left), self.deref(right)
        if is_unknown(left):
            return left
        if is_unknown(right):
            return right
        if is_plain(left) and is_plain(right) and not isinstance(left, range) and \
                not isinstance(right, range):
            return guarded_binop(op, left, right)
        if isinstance(left, ListV) and isinstance(right, ListV) and op is ast.Add:
            return ListV(left.items + right.items, left.exact and right.exact)
        if isinstance(left, ListV) and isinstance(right, int) and op is ast.Mult:
            if len(left.items) * max(right, 0) > MAX_SEQUENCE:
                return Unknown("a list too long to evaluate")
            return ListV(left.items * right, left.exact)
        if isinstance(left, tuple) and isinstance(right, tuple) and op is ast.Add:
            return left + right
        if isinstance(left, tuple) and isinstance(right, int) and op is ast.Mult:
            if len(left) * max(right, 0) > MAX_SEQUENCE:
                return Unknown("a tuple too long to evaluate")
            return left * right
        if isinstance(left, DictV) and isinstance(right, DictV) and op is ast.BitOr:
            return DictV({**left.items, **right.items}, left.exact and right.exact)
        if (left is None or right is None) and all(
                is_plain(v) or type(v) in _BUILTIN_CONTAINERS for v in (left, right)):
            # (`[1] * None`; a class of the project's may take None in its __radd__)
            raise python_raises("TypeError", "an operation on None")
        special = self.frameworks.binop(self, op, left, right)
        if special is not None:
            return special
        return Unknown("an operation on values the evaluator does not model")

    def ev_UnaryOp(self, node: ast.UnaryOp, frame: Frame) -> Any:
        operand = self.deref(self.ev(node.operand, frame))
        if isinstance(node.op, ast.Not):
            t = truth(operand)
            return Weightless(t.why) if is_unknown(t) else not t
        if is_unknown(operand) or not isinstance(operand, (int, float, bool, complex)):
            return operand if is_unknown(operand) else Unknown("a unary operation")
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return +operand
        if isinstance(node.op, ast.Invert) and isinstance(operand, int):
            return ~operand
        return Unknown("a unary operation")

    def ev_BoolOp(self, node: ast.BoolOp, frame: Frame) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = None
        for i, operand in enumerate(node.values):
            value = self.ev(operand, frame)
            t = truth(value)
            if is_unknown(t):
                # the operands after it may or may not run (`flag and cfg.update(w=16)`)
                try:
                    with self.maybe_runs():
                        for rest in node.values[i + 1:]:
                            self.ev(rest, frame)
                except UserRaise:
                    pass
                return Unknown(f"{source_text(node)} depends on values the code does not fix")
            if is_and and not t:
                return value
            if not is_and and t:
                return value
        return value

    def ev_Compare(self, node: ast.Compare, frame: Frame) -> Any:
        left = self.deref(self.ev(node.left, frame))
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.deref(self.ev(comparator, frame))
            result = self.compare(type(op), left, right)
            if is_unknown(result):
                # a bool (or what an __eq__ of numbers or tensors gives): never a module
                return result if isinstance(result, Weightless) else Weightless(result.why)
            if not result:
                return result
            left = right
        return True

    def compare(self, op: type, left: Any, right: Any) -> Any:
        if op in (ast.Is, ast.IsNot):
            if is_unknown(left) or is_unknown(right):
                return Unknown("an identity the code does not fix")
            if is_plain(left) and is_plain(right):
                same = left is right if left is None or right is None or \
                    isinstance(left, bool) else left == right and type(left) is type(right)
            elif isinstance(left, ExternalV) and isinstance(right, ExternalV):
                same = left.qualname == right.qualname
            else:
                same = left is right
            return same if op is ast.Is else not same
        if op in (ast.In, ast.NotIn):
            # pulled one at a time: Python stops at the first equal item of an iterator
            items = self.pull(right) if not isinstance(right, (str, DictV, SetV)) else None
            if type(right) is SetV:
                if right.items is None or not is_plain(left) or not hashable(left):
                    return Unknown("membership in a set the code does not fix")
                found: Any = left in right.items
            elif isinstance(right, str) and isinstance(left, str):
                found = left in right
            elif isinstance(right, DictV):
                if is_unknown(left):
                    return left
                found = left in right.items if right.exact or left in right.items else \
                    Unknown("membership in a dict the code changed unknowably")
            elif items is None or is_unknown(left):
                self.hand_on((right,), {})  # how far Python pulls is not fixed
                return Unknown("membership the code does not fix")
            else:
                found = False
                for item in items:
                    eq = Unknown("an item the code does not fix") if item is UNFIXED else \
                        self.compare(ast.Eq, left, item)
                    if eq is True:
                        found = True
                        break
                    if is_unknown(eq):
                        self.hand_on((right,), {})
                        return eq
            if is_unknown(found):
                return found
            return found if op is ast.In else not found
        if is_unknown(left):
            return left
        if is_unknown(right):
            return right
        if is_plain(left) and is_plain(right):
            try:
                return _CMPOPS[op](left, right)
            except TypeError:  # (`None > 0`)
                raise python_raises("TypeError", "a comparison Python refuses") from None
            except Exception:
                return Unknown("a comparison Python refuses")
        if op in (ast.Eq, ast.NotEq):
            if isinstance(left, ExternalV) and isinstance(right, ExternalV):
                same = left.qualname == right.qualname
            elif isinstance(left, (ListV,)) and isinstance(right, ListV):
                return Unknown("list equality")
            else:
                same = left is right
                if not same and (is_plain(left) != is_plain(right)) and \
                        not isinstance(left, ExternalV) and not isinstance(right, ExternalV):
                    same = False
                elif not same:
                    return Unknown("equality of values the evaluator does not model")
            return same if op is ast.Eq else not same
        return Unknown("a comparison of values the evaluator does not model")

    def ev_IfExp(self, node: ast.IfExp, frame: Frame) -> Any:
        cond = truth(self.ev(node.test, frame))
        if cond is True:
            return self.ev(node.body, frame)
        if cond is False:
            return self.ev(node.orelse, frame)
        self.speculative += 1
        worlds = []
        try:
            self.open_world()
            try:
                a = self.ev(node.body, frame)
            finally:
                worlds.append(self.close_world())
            self.open_world()
            try:
                b = self.ev(node.orelse, frame)
            finally:
                worlds.append(self.close_world())
        finally:
            self.speculative -= 1
        self.join_worlds(worlds, or_none=False)
        return a if same_value(a, b) else Unknown(f"{source_text(node.test)} is not fixed")

    def ev_NamedExpr(self, node: ast.NamedExpr, frame: Frame) -> Any:
        value = self.ev(node.value, frame)
        self.assign(node.target, value, frame.walrus_frame or frame)
        return value

    def ev_JoinedStr(self, node: ast.JoinedStr, frame: Frame) -> Any:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                inner = self.ev(value.value, frame)
                if not is_plain(inner) or value.format_spec is not None or value.conversion != -1:
                    return Weightless("a formatted string")
                parts.append(str(inner))
        return "".join(parts)

    def ev_Subscript(self, node: ast.Subscript, frame: Frame) -> Any:
        return self.subscript(self.ev(node.value, frame), self.ev(node.slice, frame))

    def ev_Slice(self, node: ast.Slice, frame: Frame) -> Any:
        parts = [self.ev(p, frame) if p is not None else None for p in (node.lower, node.upper,
                                                                          node.step)]
        if any(is_unknown(p) or not (p is None or isinstance(p, int)) for p in parts):
            return Unknown("a slice")
        return slice(*parts)

    def subscript(self, base: Any, key: Any) -> Any:
        base = self.deref(base)
        if is_unknown(base):
            return base
        if is_unknown(key):
            return Unknown("an index the code does not fix")
        if type(base) in _NOT_ITERABLE:
            raise python_raises("TypeError", f"{type(base).__name__} is not subscriptable")
        if isinstance(base, (tuple, str, range, ListV)) and is_plain(key) and \
                not isinstance(key, int):  # (`kinds[None]`, `[1, 2]["a"]`)
            raise python_raises("TypeError", f"a sequence indexed by {type(key).__name__}")
        if isinstance(base, (tuple, str, range)) and isinstance(key, (int, slice)):
            try:
                return base[key]
            except (IndexError, ValueError) as error:
                raise python_raises(type(error).__name__, "an index out of range") from None
        if isinstance(base, ListV) and isinstance(key, (int, slice)):
            if not base.exact:
                return Unknown("an item of a list the code changed unknowably")
            try:
                got = base.items[key]
            except (IndexError, ValueError) as error:
                raise python_raises(type(error).__name__, "an index out of range") from None
            return ListV(got) if isinstance(key, slice) else got
        if isinstance(base, DictV):
            if not base.exact:  # (what it holds under a known key may have been replaced too)
                return Unknown(f"the dict's {key!r}: the code changed the dict unknowably")
            if hashable(key) and key in base.items:
                return base.items[key]
            if base.exact and is_plain(key) and key is not None:
                raise python_raises("KeyError", f"the key {key!r} is not in the dict")
            return Unknown(f"the key {key!r} is not known to be in the dict")
        if isinstance(base, InstanceV):
            getter = base.cls.lookup("__getitem__")
            if isinstance(getter, FuncV):
                return self.call(BoundV(getter, base), (key,), {}, None)
        special = self.frameworks.subscript(self, base, key)
        if special is not None:
            return special
        return Unknown("an item of a value the evaluator does not model")

    def ev_Lambda(self, node: ast.Lambda, frame: Frame) -> Any:
        return self.make_function(node, frame)

    def ev_Starred(self, node: ast.Starred, frame: Frame) -> Any:
        return self.ev(node.value, frame)

    def ev_Await(self, node: ast.Await, frame: Frame) -> Any:
        return Unknown("await")

    def ev_Yield(self, node: ast.Yield, frame: Frame) -> Any:
        return Unknown("yield")

    ev_YieldFrom = ev_Yield

    def comprehension(self, node: Any, frame: Frame, produce: Callable[[Frame], Any],
                      first: Any = MISSING) -> Iterator[Any]:
        """A comprehension's items as Python makes them, one per pull: `produce` runs at each
        item, after the loops and conditions that lead to it, and before the next is sought.
        Where what it iterates or a condition is not fixed by the code, what is left runs once,
        speculatively, and the last item is UNFIXED. `first`: the first iterable's value, when
        it was evaluated before (a generator's, where it is written)."""
        parent = frame.scope.parent if frame.scope.class_body else frame.scope
        inner = Frame(Scope({}, parent), frame.module, frame.func or _COMPREHENSION,
                      walrus_frame=frame.walrus_frame or frame)
        last = len(node.generators) - 1

        def loop(index: int) -> Iterator[Any]:
            gen = node.generators[index]
            if index:
                items = self.pull(self.ev(gen.iter, inner))
            else:
                items = self.pull(self.ev(gen.iter, frame) if first is MISSING else first)
            if items is None:
                self.unfixed_rest(node, index, inner, produce)
                yield UNFIXED
                return
            for item in items:
                if item is UNFIXED:
                    self.unfixed_rest(node, index, inner, produce)
                    yield UNFIXED
                    return
                self.step()
                self.assign(gen.target, item, inner)
                ok = True
                for cond in gen.ifs:
                    t = truth(self.ev(cond, inner))
                    if is_unknown(t):
                        self.unfixed_rest(node, index, inner, produce)
                        yield UNFIXED
                        return
                    if not t:
                        ok = False
                        break
                if not ok:
                    continue
                if index == last:
                    yield produce(inner)
                    continue
                for made in loop(index + 1):
                    yield made
                    if made is UNFIXED:
                        return

        return loop(0)

    def unfixed_rest(self, node: Any, index: int, inner: Frame,
                     produce: Callable[[Frame], Any]) -> None:
        """What a comprehension iterates from its loop `index` on is not fixed by the code: the
        rest runs once, speculatively, with the loop names unknown, as `unknown_loop` runs a
        `for`. What it would change becomes inexact; the layers it builds are not certain."""
        try:
            with self.maybe_runs():
                for position, gen in enumerate(node.generators[index:], index):
                    if position > index:
                        self.ev(gen.iter, inner)
                    self.assign(gen.target, Unknown(f"{source_text(gen.target)} ranges over "
                                                    "values the code does not fix"), inner)
                    for cond in gen.ifs:
                        self.ev(cond, inner)
                produce(inner)
        except UserRaise:
            pass  # raised on an item that may not exist

    def ev_ListComp(self, node: ast.ListComp, frame: Frame) -> Any:
        out = list(self.comprehension(node, frame, lambda f: self.ev(node.elt, f)))
        if out and out[-1] is UNFIXED:
            return ListV(out[:-1], exact=False)
        return ListV(out)

    def ev_GeneratorExp(self, node: ast.GeneratorExp, frame: Frame) -> Any:
        first = self.ev(node.generators[0].iter, frame)
        return IteratorV(lambda: self.comprehension(node, frame, lambda f: self.ev(node.elt, f),
                                                    first))

    def pull(self, value: Any) -> Iterator[Any] | None:
        """The items a loop would see, one at a time, or None when the code does not fix them.
        From an iterator they come as Python hands them, each made when it is pulled (a
        generator's body runs between a loop's iterations); its last item may be UNFIXED."""
        value = self.deref(value)
        kind = type(value)
        if kind is IteratorV:
            return self.pull_iterator(value)
        if kind is ListV and value.exact:
            return _live_list(value)
        if kind is DictV and value.exact:
            return _live_dict(value)
        items = self.iterate(value)
        return None if items is None else iter(items)

    def pull_iterator(self, it: IteratorV) -> Iterator[Any]:
        if not it.exact:
            yield UNFIXED
            return
        # It changes as it is pulled from; under a condition the code does not fix this leaves
        # it inexact (whether it was pulled from is not fixed), after this pull.
        self.taint(it)
        if it.running:
            raise python_raises("ValueError", "a generator that pulls from itself")
        if it.live is None:
            it.live = it.start()
        while True:
            it.running = True
            try:
                item = next(it.live, MISSING)
            finally:
                it.running = False
            if item is MISSING:
                it.exhausted = True
                return
            if item is UNFIXED:
                it.exact = False  # (before the yield: a caller may take this item and stop)
                yield item
                return
            yield item

    def not_run(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """A call with *args or **kwargs the code does not fix, which the evaluator does not run:
        what it would have changed is not fixed. A list's or dict's own method changes it
        (`cfg.update(**overrides)`); the project's code may change any list or dict it is
        handed, and its object's attributes; code of a package is taken to keep them, as when it
        runs (`summary(model)`)."""
        receiver = func.owner if type(func) is _BoundBuiltin else \
            func.self_value if type(func) is BoundV else None
        self.hand_on((receiver, *args) if receiver is not None else args, kwargs)
        changed = [receiver] if type(func) is _BoundBuiltin else \
            [*args, *kwargs.values()] if isinstance(func, (FuncV, BoundV, ClassV, PartialV)) else []
        for value in changed:
            value = self.deref(value)
            if (type(value) is DictV or type(value) is ListV) and value.exact:
                self.taint(value)
                value.exact = False

    def hand_on(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Code the evaluator does not follow was handed these: an iterator among them may have
        been pulled from there, or not. What is left of it runs speculatively, so what it
        changes becomes inexact and the layers it builds are not certain; what it yields later
        is not fixed. A plain object of the project's (a configuration) may have had any
        attribute set there: its data attributes are unknown from then on (a config's
        `original_init(self, **kwargs)` through a wrapper the evaluator cannot follow left the
        class defaults readable, 3,072 wide where the code asked for 64)."""
        for value in (*args, *kwargs.values()):
            if type(value) is InstanceV and not value.framework and not value.escaped:
                self.taint(value)
                value.escaped = True
            if type(value) is SetV or type(value) is TensorV:
                # (not lists and dicts, which a package's function is taken to keep: a set's
                # items and a tensor's values are rare, and read only where nothing changed them)
                self.changed_in_place(value)
            if type(value) is IteratorV and not value.exhausted:
                with self.maybe_runs():
                    for _item in self.pull_iterator(value):
                        pass

    def ev_SetComp(self, node: ast.SetComp, frame: Frame) -> Any:
        return Unknown("a set")

    def ev_DictComp(self, node: ast.DictComp, frame: Frame) -> Any:
        out = DictV({})
        for pair in self.comprehension(node, frame,
                                       lambda f: (self.ev(node.key, f), self.ev(node.value, f))):
            if pair is UNFIXED:
                out.exact = False
                break
            key, value = pair
            if is_unknown(key) or not hashable(key):
                out.exact = False
            else:
                out.items[key] = value
        return out

    # attributes ----------------------------------------------------------------------------------
    def deref(self, value: Any) -> Any:
        # Program.deref's own first test, here: most values are neither, and need no call
        kind = type(value)
        if kind is not LazyRef and kind is not ExternalV:
            return value
        return self.program.deref(value)

    def get_attribute(self, owner: Any, name: str) -> Any:
        owner = self.deref(owner)
        kind = type(owner)
        # The two most frequent owners first, by exact class (neither has subclasses, and
        # neither is one of the kinds tested before them below): `self.x`, `nn.Conv2d`.
        if kind is InstanceV:
            return self.instance_attribute(owner, name)
        if kind is ExternalV:
            if self.program.patched:  # `nn.Linear = Fat` before (Program.patch)
                found = self.program.patched.get(f"{owner.qualname}.{name}", MISSING)
                if found is not MISSING:
                    return found
            return self.framework_attribute(owner, name)
        if kind is SubmoduleV:
            special = self.frameworks.get_attribute(self, owner, name)
            return None if special is IS_NONE else special
        if kind is LayerPart:
            return LayerPart(owner.layer, owner.why)
        if kind is ModuleAlias:
            return ModuleAlias(owner.modules, owner.why, name)
        if is_unknown(owner) and not isinstance(owner, Weightless) and (
                name in MODULE_MUTATORS or name in CONTAINER_MUTATORS or name in MODULE_REMOVERS):
            return UnknownMutator(name)
        if is_unknown(owner):
            return Unknown(f"{name} of an unknown value")
        if isinstance(owner, ModuleV):
            return self.program.module_attribute(owner, name)
        if isinstance(owner, ClassV):
            found = owner.lookup(name)
            if isinstance(found, FuncV) and found.kind == "classmethod":
                return BoundV(found, owner)
            if found is not MISSING:
                return found
            if name == "__name__":
                return owner.name
            special = self.frameworks.get_attribute(self, owner, name)
            return special if special is not None else Unknown(f"{owner.name}.{name}")
        if isinstance(owner, SuperV):
            return self.super_attribute(owner, name)
        if isinstance(owner, FuncV):
            if name == "__name__":
                return owner.node.name if not isinstance(owner.node, ast.Lambda) else "<lambda>"
            return Unknown(f"{name} of a function")
        if isinstance(owner, PartialV):
            if name == "func":
                return owner.func
            if name == "keywords":
                return DictV(dict(owner.kwargs))
            if name == "args":
                return owner.args
        if is_plain(owner) and not hasattr(owner, name):  # (a builtin type's: no code runs)
            return Absent(f"{type(owner).__name__} has no attribute {name}")
        if isinstance(owner, DictV) or isinstance(owner, ListV) or is_plain(owner) or \
                type(owner) is SetV:
            return _BoundBuiltin(owner, name)
        return self.framework_attribute(owner, name)

    def framework_attribute(self, owner: Any, name: str) -> Any:
        """What the frameworks' rules make of the attribute (frameworks.py), else unknown."""
        special = self.frameworks.get_attribute(self, owner, name)
        if special is not None:
            return None if special is IS_NONE else special
        return Unknown(f"{name} of a value the evaluator does not model")

    def instance_attribute(self, owner: InstanceV, name: str) -> Any:
        if not owner.framework:
            hook = owner.cls.lookup("__getattribute__")
            if type(hook) is FuncV:  # a plain class's own: every read goes through it
                return self.call_function(hook, (owner, name), {})
        return self.plain_attribute(owner, name)

    def plain_attribute(self, owner: InstanceV, name: str) -> Any:
        """object.__getattribute__, then the class's __getattr__ where nothing is found."""
        if owner.escaped:
            found = owner.cls.lookup(name)
            if type(found) is FuncV or type(found) is PropertyV:
                return self.bind_method(found, owner, owner.cls)
            return Unknown(f"{owner.cls.name}.{name}: its attributes' dict was handed out")
        if name in owner.attrs:
            value = owner.attrs[name]
            if owner.framework == "torch" and self.frameworks.registers(value):
                # torch keeps it in a registry, not in the instance's __dict__: a read of it
                # reaches the class's own __getattr__, where it has one
                hook = owner.cls.lookup("__getattr__")
                if type(hook) is FuncV:
                    return self.call_function(hook, (owner, name), {})
            return value
        found = owner.cls.lookup(name)
        if type(found) is InstanceV:
            getter = found.cls.lookup("__get__")
            if type(getter) is FuncV:  # a descriptor of the project's
                return self.call_function(getter, (found, owner, owner.cls), {})
        if found is not MISSING:
            return self.bind_method(found, owner, owner.cls)
        if name == "__class__":
            return owner.cls
        special = self.frameworks.get_attribute(self, owner, name)
        if special is not None and type(special) is not Absent:
            return None if special is IS_NONE else special
        fallback = owner.cls.lookup("__getattr__")
        if type(fallback) is FuncV:  # the project's, called where nothing else has the name
            return self.call_function(fallback, (owner, name), {})
        if special is not None:
            return special
        if not owner.framework and owner.exact and name[:2] != "__" and _plain_class(owner.cls):
            return Absent(f"{owner.cls.name} has no attribute {name}")
        return Unknown(f"{owner.cls.name}.{name} is not set where the evaluator can see")

    def super_attribute(self, owner: SuperV, name: str) -> Any:
        mro = owner.cls.mro() if not isinstance(owner.self_value, ClassV) else owner.cls.mro()
        start = mro.index(owner.cls) + 1 if owner.cls in mro else 1
        self_cls = owner.self_value.cls if isinstance(owner.self_value, InstanceV) else None
        if self_cls is not None:
            full = self_cls.mro()
            if owner.cls in full:
                mro = full
                start = full.index(owner.cls) + 1
        for cls in mro[start:]:
            if isinstance(cls, ClassV) and name == "__init__" and \
                    cls.dataclass_fields is not None and "__init__" not in cls.names:
                return self.dataclass_super_init(cls, owner.self_value)
            if isinstance(cls, ClassV) and name in cls.names:
                return self.bind_method(cls.names[name], owner.self_value, cls)
            if isinstance(cls, ExternalV):
                return self.frameworks.super_method(self, cls, owner.self_value, name)
        return self.frameworks.super_method(self, None, owner.self_value, name)

    def bind_method(self, found: Any, owner: Any, cls: ClassV) -> Any:
        if isinstance(found, FuncV):
            if found.kind == "staticmethod":
                return found
            if found.kind == "classmethod":
                return BoundV(found, cls if isinstance(owner, InstanceV) else owner)
            return BoundV(found, owner)
        if type(found) is PropertyV and not isinstance(owner, ClassV):
            if found.fget is None:
                raise python_raises("AttributeError", "a property without a getter")
            return self.call(found.fget, (owner,), {}, None)
        return found

    # calls ---------------------------------------------------------------------------------------
    def ev_Call(self, node: ast.Call, frame: Frame) -> Any:
        if isinstance(node.func, ast.Name):
            if node.func.id == "super" and not node.args:
                return self.zero_arg_super(frame)
            if node.func.id in NAMESPACE_WRITERS and self.is_builtin(node.func.id, frame):
                if node.func.id == "vars" and node.args:
                    return self.namespace_escapes(node.args[0], node, frame)
                self.namespace_rewritten(frame.module, f"line {node.lineno} may rebind names "
                                                       f"through {node.func.id}()")
        func_node = node.func
        if type(func_node) is ast.Attribute and func_node.attr == "update":
            namespace = self.namespace_node(func_node.value, frame)
            if namespace is not None:
                return self.namespace_update(namespace, node, frame)
        if type(func_node) is ast.Attribute and func_node.attr == "__init__" and not (
                type(func_node.value) is ast.Name and func_node.value.id == "super"):
            # (`super.__init__()`, the call left out, initialises nothing: Python raises)
            self.init_called(frame)
        func = self.deref(self.ev(func_node, frame))
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        complete = True
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                items = self.iterate(self.ev(arg.value, frame))
                if items is None:
                    complete = False
                else:
                    args.extend(items)
            else:
                args.append(self.ev(arg, frame))
        for kw in node.keywords:
            if kw.arg is None:
                spread = self.deref(self.ev(kw.value, frame))
                if _keywords(spread):
                    kwargs.update(spread.items)
                else:
                    complete = False
            else:
                kwargs[kw.arg] = self.ev(kw.value, frame)
        self.site_path = path = frame.module.path
        if not complete:
            self.not_run(func, tuple(args), kwargs)
            return self.frameworks.opaque_call(self, func, node, args, kwargs,
                                               "*args or **kwargs the code does not fix")
        result = self.call(func, tuple(args), kwargs, node)
        if isinstance(func, (FuncV, ClassV, BoundV, PartialV)):
            # a call of the project's code that returns a model: its total, for a hover there
            self.program.recorder.note_model_call(path, node, func, result)
        return result

    @staticmethod
    def init_called(frame: Frame) -> None:
        """`super().__init__(...)` or `Base.__init__(self, ...)` in a method: the instance's
        base initialisation is under way, whether or not the evaluator can follow it, so torch's
        refusal of a submodule assigned before Module.__init__ no longer applies."""
        func = frame.func
        first = _first_parameter(func.node) if func is not None else None
        if func is None or func.owner is None or first is None:
            return
        me = frame.scope.names.get(first)
        if type(me) is InstanceV:
            me.module_pending = False

    def zero_arg_super(self, frame: Frame) -> Any:
        func = frame.func
        if func is None or func.owner is None:
            return Unknown("super() outside a method")
        node = func.node
        first = _first_parameter(node)
        self_value = frame.scope.names.get(first) if first else None
        return SuperV(func.owner, self_value)

    def call(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
             node: ast.Call | None) -> Any:
        self.step()
        func = self.deref(func)
        kind = type(func)
        if kind is FuncV:
            return self.call_function(func, args, kwargs)
        if kind is ExternalV:
            # the framework's and the standard library's names, half of all calls: straight to
            # their rules (no other kind tested below is an ExternalV)
            if func.qualname in _IMPORT_PATH_CHANGERS:
                self.import_path_changed(f"{func.qualname}()")
            elif func.qualname.startswith("sys.modules.") and \
                    func.qualname[12:] in _MODULES_CHANGERS:
                self.modules_entry_set(args[0] if args and func.qualname[12:] in (
                    "pop", "setdefault", "__setitem__", "__delitem__") else None)
            return self.followed_or_not(self.frameworks.call(self, func, args, kwargs, node),
                                        args, kwargs)
        if kind is UnknownMutator:
            self.unknown_changed(func.name, next(
                (value for value in (*args, *kwargs.values()) if self.holds_module(value)), None))
            return Unknown(func.why)
        if kind is ModuleAlias:
            return self.followed_or_not(self.frameworks.alias_call(self, func, args, kwargs),
                                        args, kwargs)
        if isinstance(func, BoundV):
            owner = func.self_value
            if type(owner) is InstanceV and owner.framework == "keras" and \
                    type(func.func.node) is not ast.Lambda and func.func.node.name == "build":
                owner.built = True  # Keras wraps a layer's build: the layer is built after it
            return self.call_function(func.func, (owner, *args), kwargs)
        if isinstance(func, PartialV):
            return self.call(func.func, (*func.args, *args), {**func.kwargs, **kwargs}, node)
        if isinstance(func, ClassV):
            return self.instantiate(func, args, kwargs, node)
        if isinstance(func, InstanceV):
            method = func.cls.lookup("__call__")
            if isinstance(method, FuncV):
                return self.call_function(method, (func, *args), kwargs)
        if isinstance(func, NativeV):
            result = func.fn(*args, **kwargs)
        elif isinstance(func, _BoundBuiltin):
            result = self.program.builtin_method(self, func.owner, func.name, args, kwargs)
        else:
            if is_unknown(func):
                self.handed_to_unknown(args, kwargs)
            elif is_plain(func):  # (`f(3)` where f is None, `"gelu"()`)
                raise python_raises("TypeError", f"{type(func).__name__} is not callable")
            result = self.frameworks.call(self, func, args, kwargs, node)
        return self.followed_or_not(result, args, kwargs)

    def followed_or_not(self, result: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if isinstance(result, Unknown):  # a call not followed: it may have pulled from an iterator
            self.hand_on(args, kwargs)
            self.may_have_raised()
        return result

    def handed_to_unknown(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """A torch module handed to a callee the evaluator cannot even name (the project's code
        reached where it loses track: `type(self).__bases__[0].__init__(self)`,
        `Net.__dict__["build"](self)`, a class picked at random,
        `operator.methodcaller("append", 2)`): that code may register or replace anything on
        it, and change a list or a dict. (A function of a package that is not installed is
        named, and keeps the module as it is: `summary(model)`.)"""
        for value in (*args, *kwargs.values()):
            value = self.deref(value)
            if isinstance(value, (ContainerV, InstanceV)) and \
                    (type(value) is ContainerV or value.framework == "torch"):
                self.module_unfixed(value, "handed to code the evaluator cannot name")
            self.changed_in_place(value)

    def changed_in_place(self, value: Any) -> None:
        """Code that may change `value` in place ran: a list or a dict becomes inexact, a set's
        items and a tensor's values unknown."""
        if (type(value) is ListV or type(value) is DictV) and value.exact:
            self.taint(value)
            value.exact = False
        elif type(value) is SetV and value.items is not None:
            self.taint(value)
            value.items = None
        elif type(value) is TensorV and value.values is not None:
            self.taint(value)
            value.values = None

    def remembered(self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                   run: Any) -> Any:
        """`run(target, args, kwargs)`, or the replay of an equal call made before (memo.py)."""
        from paramlens.engine.evaluate import memo

        key = memo.call_key(target, args, kwargs) if not self.speculative else None
        if key is None:
            return run(target, args, kwargs)
        program = self.program
        template = program.memo.get(key)
        if template is not None and template.epoch == program.epoch and \
                all(program.version(names) == version for names, version in template.read):
            copies = memo.replayed(template, self.step)
            if copies is not None:
                return self.replay(template, *copies)
            del program.memo[key]
        start = next_serial()
        frame = [start, True]
        self.memo_frames.append(frame)
        reads_start = len(self.namespace_reads)
        outer_reads_start, self.reads_start = self.reads_start, reads_start
        layers_before = len(program.recorder.layers)
        models_before = len(program.recorder.models)
        # `called` only grows, in order: what the call adds is what lies past its length now
        called_before = len(self.state.called)
        cuts_before = self.state.cuts
        epoch = program.epoch
        # The assumptions this call makes, apart: its template holds those, not the ones the
        # entry point made before it (a replay in another entry point would claim them too).
        outer_assumptions = self.state.assumptions
        self.state.assumptions = set()
        try:
            result = run(target, args, kwargs)
        finally:
            self.memo_frames.pop()
            self.reads_start = outer_reads_start
            made_assumptions = self.state.assumptions
            outer_assumptions |= made_assumptions
            self.state.assumptions = outer_assumptions
        read = {id(names): names for names in self.namespace_reads[reads_start:]}
        if not self.memo_frames:
            self.namespace_reads.clear()
        # A call that made many more objects than a template may hold copies of would only be
        # copied in part before its copy is abandoned (memo.MAX_SNAPSHOT): not tried at all.
        if frame[1] and len(program.memo) < MAX_REMEMBERED and \
                next_serial() - start <= 4 * memo.MAX_SNAPSHOT:
            kept = memo.snapshot(start, result, program.recorder.layers[layers_before:],
                                 program.recorder.models[models_before:])
            if kept is not None:
                program.memo[key] = memo.Template(
                    kept[0], start, epoch, kept[1], kept[2], len(self.via),
                    dict(itertools.islice(self.state.called.items(), called_before, None)),
                    made_assumptions, target, (args, tuple(kwargs.values())),
                    self.state.cut_why if self.state.cuts != cuts_before else "",
                    tuple((names, program.version(names)) for names in read.values()))
        return result

    def replay(self, template: Any, result: Any, layers: list[Any], models: list[Any]) -> Any:
        """A remembered call's copies, recorded as if the call had run again here."""
        recorder = self.program.recorder
        prefix = tuple(self.via)
        for original, copy in zip(template.made_layers, layers, strict=True):
            copy.via = prefix + original.via[template.via_depth:]
            recorder.layers.append(copy)
        recorder.models.extend(models)
        self.state.called.update(template.called)
        self.state.assumptions |= template.assumptions
        if template.cut:
            self.incomplete(template.cut)
        if self.memo_frames:  # a call remembered around this one read what this one did
            self.namespace_reads.extend(names for names, _ in template.read)
        return result

    def call_function(self, func: FuncV, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if func.replaced:
            return Unknown(func.replaced)
        if func.cached:
            return self.cached_call(func, args, kwargs)
        if func.scope is None and func.owner is None and func.kind == "function":
            return self.remembered(func, args, kwargs, self.run_function)
        return self.run_function(func, args, kwargs)

    def cached_call(self, func: FuncV, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """A call of a function under @functools.cache: the object an equal earlier call of
        this entry point returned (one module held twice is one), else the call runs. Arguments
        the evaluator cannot compare leave it unknown whether the cache answers."""
        from paramlens.engine.evaluate import memo

        key = memo.call_key(func, args, kwargs)
        if key is None:
            self.hand_on(args, kwargs)
            return Unknown(f"{func.qualname}() is cached, and its arguments are not fixed")
        if key not in self.cache:
            self.cache[key] = self.run_function(func, args, kwargs)
        return self.cache[key]

    def run_function(self, func: FuncV, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self.depth >= MAX_CALL_DEPTH:
            return self.cut_short(func, args, kwargs, f"calls nested deeper than {MAX_CALL_DEPTH}")
        node = func.node
        if _is_generator(node):
            # its body runs later, a step at a time as it is pulled (or, under @contextmanager,
            # around a with block), which the evaluator does not follow: what it was handed may
            # be changed there
            self.handed_to_unknown(args, kwargs)
            self.hand_on(args, kwargs)
            return Unknown("a generator function")
        if self.running.get(id(node)) and _none_fixed(args, kwargs):
            # Nothing in the arguments can bring the recursion nearer its end (a walk over
            # `os.scandir(path)`): it would go on to MAX_CALL_DEPTH, fixing nothing on the way.
            return self.cut_short(func, args, kwargs, f"{func.qualname}() calls itself with "
                                                      f"arguments the code does not fix")
        scope = Scope({}, func.scope)
        if not self.bind_arguments(func, args, kwargs, scope):
            # Python raises before the body runs: an `except TypeError` takes it, and nothing
            # the call would have built (an instance of a class whose __init__ this is) exists
            raise python_raises("TypeError", f"{func.qualname}() called with arguments Python "
                                             "refuses")
        frame = Frame(scope, func.module, func)
        self.state.called[id(node)] = node
        if func.assumption:
            self.state.assumptions.add(func.assumption)
        self.depth += 1
        self.via.append(func.qualname)
        running = self.running
        running[id(node)] = running.get(id(node), 0) + 1
        try:
            if isinstance(node, ast.Lambda):
                return self.ev(node.body, frame)
            try:
                self.run_body(node.body, frame)
            except _Return as ret:
                return Unknown("a return under a condition the code does not fix") \
                    if frame.maybe_returned else ret.value
            return Unknown("a return under a condition the code does not fix") \
                if frame.maybe_returned else None
        finally:
            running[id(node)] -= 1
            self.via.pop()
            self.depth -= 1

    def bind_arguments(self, func: FuncV, args: tuple[Any, ...], kwargs: dict[str, Any],
                       scope: Scope) -> bool:
        sig = _signature(func.node)
        positional = sig.positional
        names = scope.names
        first_default = len(positional) - len(func.defaults)
        for i, name in enumerate(positional):
            if i < len(args):
                names[name] = args[i]
        extra = args[len(positional):]
        if sig.vararg is not None:
            names[sig.vararg] = tuple(extra)
        elif extra:
            return False
        rest: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in sig.by_keyword:
                if key in names:
                    return False
                names[key] = value
            elif key in sig.keyword_only:
                names[key] = value
            else:
                rest[key] = value
        for i, name in enumerate(positional):
            if name not in names:
                if i >= first_default:
                    names[name] = func.defaults[i - first_default]
                else:
                    return False
        for name in sig.keyword_only:
            if name not in names:
                if name in func.kw_defaults:
                    names[name] = func.kw_defaults[name]
                else:
                    return False
        if sig.kwarg is not None:
            names[sig.kwarg] = DictV(rest)
        elif rest:
            return False
        return True

    def instantiate(self, cls: ClassV, args: tuple[Any, ...], kwargs: dict[str, Any],
                    node: ast.Call | None) -> Any:
        if cls.lookup("__init__") is MISSING:
            generated = _generated_init(cls)
            if generated is not None:
                return self.dataclass_init(generated, args, kwargs, cls)
        # where it is made, for the model summary's rows: taken before `__init__` runs, which
        # moves `site_path` to the file of each call it makes (a class of another module)
        site = self.program.recorder.site_of(node)
        made = self.remembered(cls, args, kwargs, self.construct_instance)
        replaced = _made_otherwise(cls)
        if replaced is not None:
            return Unknown(f"{cls.name}() may return another object: {replaced}")
        if isinstance(made, InstanceV) and made.site is None and isinstance(node, ast.Call):
            made.site, made.node = site, node  # (a replayed copy gets its own)
        return made

    def construct_instance(self, cls: ClassV, args: tuple[Any, ...], kwargs: dict[str, Any]
                           ) -> Any:
        instance = InstanceV(cls, framework=self.frameworks.kind_of_class(cls))
        init = cls.lookup("__init__")
        if isinstance(init, FuncV) and init.replaced:
            return Unknown(f"{cls.name}(): {init.replaced}")
        if isinstance(init, FuncV):
            instance.module_pending = self.frameworks.bare_torch_module(cls)
            self.call_function(init, (instance, *args), kwargs)
        elif instance.framework:
            self.frameworks.super_init(self, instance, None, args, kwargs)
        if instance.framework and any(isinstance(cls.lookup(name), FuncV)
                                      for name in _REGISTRATION_HOOKS) or \
                _made_otherwise(cls) is not None:
            # what its attributes register, or what it lists as its parameters, is the
            # project's own code, which the evaluator does not run in their place (nor the
            # `__new__` or metaclass that may hand out another object instead)
            instance.exact = False
        return instance

    def dataclass_super_init(self, cls: ClassV, self_value: Any) -> NativeV:
        def init(*args: Any, **kwargs: Any) -> None:
            made = self.dataclass_init(cls, args, kwargs)
            if isinstance(made, InstanceV) and isinstance(self_value, InstanceV):
                self_value.attrs.update(made.attrs)
            return None

        return NativeV(init)

    def dataclass_init(self, cls: ClassV, args: tuple[Any, ...], kwargs: dict[str, Any],
                       made: ClassV | None = None) -> Any:
        """The `__init__` @dataclass generated for `cls`, making an instance of `made` (a
        subclass that inherits it) or of `cls`. Arguments it does not take, or a field given no
        value, raise TypeError, as in Python."""
        if not cls.dataclass_exact:
            # which argument sets which field is not what the fields say
            return Unknown(f"{cls.name}() takes other arguments than its fields (InitVar, "
                           "init=False, keyword-only)")
        instance = InstanceV(made or cls)
        fields = cls.dataclass_fields or ()
        names = {name for name, _, _ in fields}

        def refused(why: str) -> Any:
            raise python_raises("TypeError", f"{cls.name}() {why}")

        if len(args) > len(fields) or any(key not in names for key in kwargs):
            return refused("got arguments it does not take")
        for i, (name, default, has_default) in enumerate(fields):
            if i < len(args):
                if name in kwargs:
                    return refused(f"got two values for {name}")
                instance.attrs[name] = args[i]
            elif name in kwargs:
                instance.attrs[name] = kwargs[name]
            elif has_default:
                instance.attrs[name] = default
            else:
                return refused(f"is missing {name}")
        post = (made or cls).lookup("__post_init__")
        if isinstance(post, FuncV):
            self.call_function(post, (instance,), {})
        return instance

    # iteration -----------------------------------------------------------------------------------
    def iterate(self, value: Any) -> list[Any] | None:
        """The items a `for` loop would see, or None when the code does not fix them."""
        value = self.deref(value)
        if type(value) in _NOT_ITERABLE:
            raise python_raises("TypeError", f"{type(value).__name__} is not iterable")
        if isinstance(value, (tuple, str)):
            return list(value)
        if isinstance(value, range):
            return list(value) if len(value) <= MAX_SEQUENCE else None
        if isinstance(value, ListV):
            return list(value.items) if value.exact else None
        if isinstance(value, DictV):
            return list(value.items) if value.exact else None
        if type(value) is DictViewV:
            return value.current()
        if type(value) is IteratorV:
            items = list(self.pull_iterator(value))
            return None if items and items[-1] is UNFIXED else items
        return self.frameworks.iterate(self, value)


# Methods of a module class that change what assigning, deleting or reading its attributes
# registers, or what it lists as its parameters.
_REGISTRATION_HOOKS = ("__setattr__", "__delattr__", "__getattribute__", "parameters",
                       "named_parameters")


def _plain_class(cls: ClassV) -> bool:
    """Whether an instance's attributes are only those its class statements and the code give
    it: every class of its MRO is the project's (or `object`), made by a plain class statement
    (no metaclass, no decorator but @dataclass, which adds only dunder names)."""
    for base in cls.mro():
        if type(base) is ExternalV and base.qualname in ("object", "builtins.object"):
            continue
        if type(base) is not ClassV or base.node is None or base.node.keywords:
            return False
        decorators = base.node.decorator_list
        if decorators and (len(decorators) > 1 or base.dataclass_fields is None):
            return False
    return True


def _made_otherwise(cls: ClassV) -> str | None:
    """Why calling the class may not return the instance its __init__ made: a `__new__` of the
    project's, or a metaclass whose __call__ is the project's."""
    if isinstance(cls.lookup("__new__"), FuncV):
        return "it defines __new__"
    for base in cls.mro():
        if isinstance(base, ClassV) and "made_by" in base.__dict__:
            return base.__dict__["made_by"]
    return None


# The owners whose every attribute the evaluator knows where it says one is absent (Absent):
# reading another raises AttributeError. (A torch layer's are torch_names.LAYER_ATTRIBUTES.)
_ATTRIBUTES_KNOWN = (InstanceV, ContainerV, ExternalV, LayerObj)

# What a class statement's base that the code does not fix stands for: a class of a package the
# evaluator does not read. Each such base is a class of its own, named apart: taken for one
# class, two of them (`class PreTrainedModel(nn.Module, PushToHubMixin, PeftAdapterMixin)`
# where neither import is fixed) gave no consistent method resolution order, and the class
# statement was said to raise where Python runs it.
_UNRESOLVED_BASES = itertools.count()


def _unresolved_base() -> ExternalV:
    return ExternalV(f"unresolved.base.{next(_UNRESOLVED_BASES)}")

# The evaluator's lists, dicts, sets and tensors: none takes None in an operation (torch's
# tensors raise TypeError as Python's containers do).
_BUILTIN_CONTAINERS = (ListV, DictV, SetV, TensorV)

# One cached dispatch over node types (as pyflakes' checker does): the method for each ast class,
# looked up by name once.
_EV: dict[type, Any] = {}
_EXEC: dict[type, Any] = {}


def _dispatch(table: dict[type, Any], kind: type, prefix: str) -> Any:
    method = getattr(Machine, prefix + kind.__name__, None)
    if method is not None:
        table[kind] = method
    return method


class _BoundBuiltin:
    """A method of a list, dict, str or number, called through builtins.py."""

    __slots__ = ("owner", "name")

    def __init__(self, owner: Any, name: str) -> None:
        self.owner = owner
        self.name = name


_COMPREHENSION = FuncV(ast.Lambda(args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[],
                                                     kw_defaults=[], defaults=[]),
                                  body=ast.Constant(None)),
                       ModuleV("<comprehension>", ""), None, [], {}, "")


def hashable(key: Any) -> bool:
    try:
        hash(key)
    except TypeError:
        return False
    return is_plain(key) or isinstance(key, (ExternalV, ClassV, FuncV, ObjectV, LayerObj))


def _as_load(target: ast.expr) -> ast.expr:
    if isinstance(target, ast.Name):
        return ast.copy_location(ast.Name(target.id, ast.Load()), target)
    if isinstance(target, ast.Attribute):
        # (where it is written: a private name is mangled by the class around it)
        return ast.copy_location(ast.Attribute(target.value, target.attr, ast.Load()), target)
    if isinstance(target, ast.Subscript):
        return ast.Subscript(target.value, target.slice, ast.Load())
    return target


def _own_loop_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of a loop's body that belong to it: not those of a loop, function or class
    inside it (their `break` is theirs)."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef,
                                 ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            stack.extend(node.orelse)  # (a loop's else is in the loop around it)


def _loop_flags(frame: Frame) -> tuple[bool, bool, bool]:
    """The enclosing loop's flags, set aside while a loop inside it runs (loop_ended)."""
    outer = (frame.maybe_left_loop, frame.maybe_broke, frame.skipped_pass)
    frame.maybe_left_loop = frame.maybe_broke = frame.skipped_pass = False
    return outer


def _restore_loop_flags(frame: Frame, outer: tuple[bool, bool, bool]) -> None:
    frame.maybe_left_loop, frame.maybe_broke, frame.skipped_pass = outer


def _always_raises(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], ast.Raise)


def _is_generator(node: Any) -> bool:
    if isinstance(node, ast.Lambda):
        return False
    cached = getattr(node, "_paramlens_generator", None)
    if cached is None:
        cached = False
        # Most functions hold no yield anywhere, nested functions included: one flat walk of
        # the whole tree (nodes.walk, without a generator per node) shows it. Where it finds
        # one, the walk below tells whether it is this function's own.
        if not any(type(item) is ast.Yield or type(item) is ast.YieldFrom
                   for item in walk(node)):
            node._paramlens_generator = False
            return False
        stack: list[ast.AST] = list(node.body)
        while stack:
            item = stack.pop()
            if isinstance(item, (ast.Yield, ast.YieldFrom)):
                cached = True
                break
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            stack.extend(ast.iter_child_nodes(item))
        node._paramlens_generator = cached
    return cached


@dataclass(frozen=True)
class _Signature:
    """A function's parameters by name, as bind_arguments reads them: worked out once per
    function node (kept on it), not at each call."""

    positional: tuple[str, ...]  # positional-only, then the others that may be positional
    by_keyword: frozenset[str]  # the positional ones a keyword may give (not positional-only)
    keyword_only: tuple[str, ...]  # in order: the defaults are bound in that order
    vararg: str | None
    kwarg: str | None


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> _Signature:
    found = getattr(node, "_paramlens_signature", None)
    if found is None:
        spec = node.args
        only = [p.arg for p in spec.posonlyargs]
        others = [p.arg for p in spec.args]
        found = _Signature((*only, *others), frozenset(others) - frozenset(only),
                           tuple(p.arg for p in spec.kwonlyargs),
                           spec.vararg.arg if spec.vararg is not None else None,
                           spec.kwarg.arg if spec.kwarg is not None else None)
        node._paramlens_signature = found  # type: ignore[union-attr]
    return found  # type: ignore[no-any-return]


def _keywords(value: Any) -> bool:
    """A dict `**value` can pass as keyword arguments, every one fixed: a DictV the code fixes,
    its keys all strings."""
    return isinstance(value, DictV) and value.exact and all(isinstance(k, str) for k in value.items)


def _generated_init(cls: ClassV) -> ClassV | None:
    """The class whose @dataclass-made `__init__` an instance of `cls` runs (no class in its
    order defines one of its own), or None: a base outside the project comes first."""
    for base in cls.mro():
        if type(base) is ClassV:
            if base.dataclass_fields is not None:
                return base
        elif not (type(base) is ExternalV and base.qualname == "builtins.object"):
            return None
    return None


def _first_parameter(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> str | None:
    """A method's `self` (or `cls`): its first parameter, positional-only or not."""
    first = _signature(node).positional
    return first[0] if first else None


def _assigned_names(stmt: ast.AST) -> frozenset[str]:
    """The names a statement may bind, kept on it: a loop run many times is walked once."""
    names = getattr(stmt, "_paramlens_assigned", None)
    if names is None:
        names = frozenset(node.id for node in all_nodes(stmt)
                          if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store))
        stmt._paramlens_assigned = names  # type: ignore[attr-defined]
    return names


__all__ = ["BudgetExceeded", "Frame", "Machine", "TensorV", "KerasModelV", "is_plain"]
