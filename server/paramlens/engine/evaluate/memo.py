"""Calls remembered by (function, argument values): a block built twice with the same arguments
is evaluated once, and the second time its objects are copied.

A call is remembered only when what it did can be replayed exactly:
- its arguments are values (numbers, strings, tuples, lists and dicts of them, classes and
  functions of the project, framework names, partials of those, configuration objects whose
  fields are values, unknowns by their reason), so equal arguments mean an equal call;
- it changed nothing that existed before it started (the machine tells, through `taint`), and
  nothing changed since that it may have read: the program's `epoch` moves whenever an object
  made before the current entry point, or a class's or a closure's names, change, and each
  module's names have a version of their own (a module body that binds its names, one after
  another module, leaves every call that never read them replayable);
- it was not made under a condition the code does not fix, and did not end in a raise or a
  budget (an exception: nothing is returned to remember).
A call that a limit cut short inside (calls nested too deep, a recursion on unknowns) is
remembered with that reason, and each replay leaves its entry point incomplete as the call did.

A replay copies every object the call made (layers with fresh weights, containers, instances)
and records the layers it built again, under the caller's call chain.

What a template holds is a copy of its own, taken as the call returns: the caller goes on with
the objects the call made and may change them (`a = make(2); a.append(...)`, `a.weight =
emb.weight`, `a.requires_grad_(False)`, `a.fc = ...`), and a later `make(2)` must not see that.
No evaluated code reaches the template's copy, so it stays as the call left it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from paramlens.engine.evaluate.machine import is_plain
from paramlens.engine.evaluate.objects import (
    SCALAR_TYPES,
    BoundV,
    ClassV,
    ContainerV,
    DictV,
    ExternalV,
    FuncV,
    InstanceV,
    KerasModelV,
    LayerObj,
    ListV,
    ObjectV,
    ParamV,
    PartialV,
    SetV,
    SubmoduleV,
    TensorV,
    Unknown,
    serial_of,
)
from paramlens.engine.evaluate.program import ModelCall


class NotAKey(Exception):
    pass


def key_of(value: Any) -> Any:
    kind = type(value)
    if kind in SCALAR_TYPES:
        return (kind, value)
    if kind is Unknown:
        # An unknown holds nothing but its reason: the evaluator never tells two unknowns apart
        # otherwise (`a is b` on one is unknown too), so equal reasons, an equal argument.
        return ("unknown", value.why)
    if kind is tuple:
        return ("tuple", _keys_of(value))
    if is_plain(value):
        return (kind.__name__, value)
    if isinstance(value, tuple):
        return ("tuple", tuple(key_of(v) for v in value))
    if isinstance(value, ExternalV):
        return ("external", value.qualname)
    if isinstance(value, FuncV):
        if value.scope is not None:
            raise NotAKey  # a closure: its free names may change
        return ("function", id(value))
    if isinstance(value, ClassV):
        return ("class", id(value))
    if isinstance(value, PartialV):
        return ("partial", key_of(value.func), tuple(key_of(a) for a in value.args),
                tuple(sorted((k, key_of(v)) for k, v in value.kwargs.items())))
    if isinstance(value, ListV) and value.exact:
        return ("list", _keys_of(value.items))
    if isinstance(value, DictV) and value.exact:
        return ("dict", tuple(sorted((key_of(k), key_of(v)) for k, v in value.items.items())))
    if isinstance(value, InstanceV) and value.exact and not value.framework and \
            not value.members and not value.escaped:
        # a configuration object (a dataclass of numbers): equal fields, an equal call
        return ("config", id(value.cls), tuple(sorted((k, key_of(v))
                                                      for k, v in value.attrs.items())))
    raise NotAKey


def _keys_of(items: Any) -> tuple[Any, ...]:
    """The keys of a sequence's items. Items all of one scalar type (a list of 1,000 class
    names, a tuple of ints) are keyed as one: that type, then the items themselves; tagged apart
    from the item-by-item form, so that the two never compare equal."""
    kinds = set(map(type, items))
    if len(kinds) == 1:
        kind = kinds.pop()
        if kind in SCALAR_TYPES:
            return ("all", kind, tuple(items))
    return tuple(map(key_of, items))


def call_key(target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A key for the call, or None when its arguments are not values."""
    try:
        return (id(target), tuple(map(key_of, args)),
                tuple(sorted((k, key_of(v)) for k, v in kwargs.items())) if kwargs else ())
    except (NotAKey, TypeError):
        return None


@dataclass
class Template:
    result: Any
    start: int  # objects with a serial from here on were made by the call
    epoch: int
    made_layers: list[LayerObj]  # constructions recorded during the call, in order
    made_models: list[Any]
    via_depth: int  # how much of each layer's call chain was the caller's
    called: dict[int, Any]
    assumptions: set[str]
    target: Any  # kept alive: the key holds its id
    keep: tuple[Any, ...] = field(default_factory=tuple)  # the arguments, likewise
    # a limit cut the call short (calls nested too deep, a recursion on unknowns): each replay
    # leaves its entry point incomplete for the same reason
    cut: str = ""
    # the modules' names it read, each with its version then (Program.version)
    read: tuple[tuple[dict[str, Any], int], ...] = ()


class Cloner:
    """Copies what a remembered call made; what existed before it is shared, as in Python."""

    def __init__(self, start: int, step: Callable[[], None]) -> None:
        self.start = start
        self.done: dict[int, Any] = {}
        # Each object copied is a step of the evaluation: a replay is work as the call was, and
        # a result that doubles at each level (`[f(c), f(c + 1)]`) hits the budget, not a hang.
        self.step = step

    def fresh(self, value: Any) -> bool:
        serial = serial_of(value)
        return serial is not None and serial >= self.start

    def copy(self, value: Any) -> Any:
        kind = type(value)
        copier = _COPIERS.get(kind)
        if copier is not None:
            # first: most of what a copy meets is a layer, a parameter or an instance
            serial = value.id if kind is LayerObj or kind is ParamV else value.serial
            if serial < self.start:
                return value  # made before the call: shared, as in Python
            known = self.done.get(id(value))
            if known is not None:
                return known
            self.step()
            return copier(self, value)
        if kind in SCALAR_TYPES:
            return value  # (what the general path below gives a scalar, in one test)
        if kind is tuple:
            items = tuple(self.copy(v) for v in value)
            return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
        if kind is frozenset:
            return frozenset(self.copy(v) for v in value)
        if kind is BoundV and self.fresh(value.self_value):
            return BoundV(value.func, self.copy(value.self_value))
        if kind is PartialV:
            return PartialV(value.func, self.copy(value.args),
                            {k: self.copy(v) for k, v in value.kwargs.items()})
        if kind is ModelCall:
            return ModelCall(value.site, value.node, self.copy(value.value), value.kind)
        if kind is ObjectV:
            return value
        # not one of the kinds above by its exact class: the general tests, as before
        return self._copy_other(value)

    def _copy_other(self, value: Any) -> Any:
        if isinstance(value, tuple):
            items = tuple(self.copy(v) for v in value)
            return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
        if isinstance(value, frozenset):
            return frozenset(self.copy(v) for v in value)
        if isinstance(value, BoundV) and self.fresh(value.self_value):
            return BoundV(value.func, self.copy(value.self_value))
        if isinstance(value, PartialV):
            return PartialV(value.func, self.copy(value.args),
                            {k: self.copy(v) for k, v in value.kwargs.items()})
        if isinstance(value, ModelCall):
            return ModelCall(value.site, value.node, self.copy(value.value), value.kind)
        if isinstance(value, ObjectV) or not self.fresh(value):
            return value
        known = self.done.get(id(value))
        if known is not None:
            return known
        self.step()
        raise NotAKey  # something the replay cannot copy: the call is not remembered

    def _items(self, items: dict[Any, Any]) -> dict[Any, Any]:
        """`{k: self.copy(v)}`: most values an object holds are numbers and strings, which
        `copy` gives back as they are; they are passed over here without the call."""
        if not items:
            return {}
        copy, scalars = self.copy, SCALAR_TYPES
        return {k: v if type(v) in scalars else copy(v) for k, v in items.items()}

    def _params(self, params: dict[str, ParamV]) -> dict[str, ParamV]:
        """A layer's parameters copied, as `copy` copies each: most are ParamV the call made,
        copied here without the calls `copy` makes for them (its tests, in the same order)."""
        out: dict[str, ParamV] = {}
        start, done = self.start, self.done
        for name, p in params.items():
            if type(p) is not ParamV or p.id < start:
                out[name] = self.copy(p)
                continue
            known = done.get(id(p))
            if known is None:
                self.step()
                known = self._param(p)
            out[name] = known
        return out

    def _list(self, value: ListV) -> ListV:
        out = ListV([], value.exact)
        self.done[id(value)] = out
        out.items = [self.copy(v) for v in value.items]
        return out

    def _dict(self, value: DictV) -> DictV:
        out = DictV({}, value.exact)
        self.done[id(value)] = out
        out.items = self._items(value.items)
        return out

    def _param(self, value: ParamV) -> ParamV:
        out = ParamV(value.numel, value.trainable, made_numel=value.made_numel,
                     shape=value.shape, plain=value.plain)
        self.done[id(value)] = out
        return out

    def _tensor(self, value: TensorV) -> TensorV:
        out = TensorV(value.shape, value.framework, integral=value.integral, inputs=value.inputs,
                      plain=value.plain, values=value.values)
        self.done[id(value)] = out
        out.layers = frozenset(self.copy(v) for v in value.layers)
        out.param = self.copy(value.param) if value.param is not None else None
        return out

    def _layer(self, value: LayerObj) -> LayerObj:
        out = LayerObj(value.spec, value.site, {}, None, value.via, value.speculative,
                       value.why, {}, value.built, frozen=value.frozen, node=value.node)
        self.done[id(value)] = out
        out.values = value.values  # a layer's arguments never change after it is built
        out.params = None if value.params is None else self._params(value.params)
        out.attrs = self._items(value.attrs)
        out.output_shape = value.output_shape  # a tuple of dimensions: nothing to copy
        out.made_params = None if value.made_params is None else self._params(value.made_params)
        return out

    def _set(self, value: SetV) -> SetV:
        out = SetV(value.items)  # (a frozenset: nothing to copy)
        self.done[id(value)] = out
        return out

    def _submodule(self, value: SubmoduleV) -> SubmoduleV:
        out = SubmoduleV(self.copy(value.layer), value.prefix)  # a view of the copied layer
        self.done[id(value)] = out
        return out

    def _instance(self, value: InstanceV) -> InstanceV:
        out = InstanceV(value.cls, {}, value.exact, [], value.framework, value.frozen)
        self.done[id(value)] = out
        out.built, out.output_shape = value.built, value.output_shape
        out.escaped, out.initialised = value.escaped, value.initialised
        out.attrs = self._items(value.attrs)
        out.members = [(k, self.copy(v)) for k, v in value.members]
        return out

    def _container(self, value: ContainerV) -> ContainerV:
        out = ContainerV(value.kind, [], value.exact, value.frozen, value.site, value.node)
        self.done[id(value)] = out
        out.members = [(k, self.copy(v)) for k, v in value.members]
        if value.attrs:
            out.attrs = self._items(value.attrs)
        return out

    def _keras_model(self, value: KerasModelV) -> KerasModelV:
        out = KerasModelV(value.kind, [], None, None, value.exact, value.input_shape,
                          value.site, {}, value.node)
        self.done[id(value)] = out
        out.layers = [self.copy(v) for v in value.layers]
        out.inputs, out.outputs = self.copy(value.inputs), self.copy(value.outputs)
        out.attrs = {k: self.copy(v) for k, v in value.attrs.items()}
        out.output_shape = value.output_shape
        return out


# How each kind of object the evaluator makes is copied, by its exact class.
_COPIERS: dict[type, Callable[[Cloner, Any], Any]] = {
    ListV: Cloner._list, DictV: Cloner._dict, ParamV: Cloner._param, TensorV: Cloner._tensor,
    LayerObj: Cloner._layer, InstanceV: Cloner._instance, ContainerV: Cloner._container,
    KerasModelV: Cloner._keras_model, SubmoduleV: Cloner._submodule, SetV: Cloner._set,
}


class _TooLarge(Exception):
    pass


MAX_SNAPSHOT = 64  # objects a template's own copy may hold


def snapshot(start: int, result: Any, layers: list[LayerObj], models: list[Any]
             ) -> tuple[Any, list[LayerObj], list[Any]] | None:
    """A private copy of what a call made (its objects: serial `start` on), for its template; None
    when something in it cannot be copied, or it holds more than MAX_SNAPSHOT objects (then the
    call is not remembered, and runs again when it is made again). Calls nest, and each level's
    copy holds what the levels below it made: without the cap, a whole model is copied once per
    level, and most of what builders make at the upper levels is never made twice."""
    copied = [0]

    def count() -> None:
        copied[0] += 1
        if copied[0] > MAX_SNAPSHOT:
            raise _TooLarge

    cloner = Cloner(start, count)
    try:
        return (cloner.copy(result), [cloner.copy(layer) for layer in layers],
                [cloner.copy(model) for model in models])
    except (NotAKey, RecursionError, _TooLarge):
        return None


def replayed(template: Template, step: Callable[[], None]
             ) -> tuple[Any, list[LayerObj], list[Any]] | None:
    """Copies of the call's result and of the layers and models it made, or None when one of
    them cannot be copied (then the call runs again, and is not remembered any more). `step`
    charges each copy to the evaluation's budget, which may stop it (BudgetExceeded)."""
    cloner = Cloner(template.start, step)
    try:
        result = cloner.copy(template.result)
        layers = [cloner.copy(layer) for layer in template.made_layers]
        models = [cloner.copy(model) for model in template.made_models]
    except (NotAKey, RecursionError):
        return None
    return result, layers, models
