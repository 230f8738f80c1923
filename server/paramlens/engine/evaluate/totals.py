"""A model's total: its parameters counted once each, walked from the model as torch's
`parameters()` and Keras' `count_params()` reach them, with what the code leaves unknown."""

from __future__ import annotations

from typing import Any

from paramlens.engine.evaluate.objects import (
    SCALAR_TYPES,
    Absent,
    ClassV,
    ContainerV,
    DictV,
    ExternalV,
    FuncV,
    InstanceV,
    KerasModelV,
    LayerObj,
    ListV,
    ParamV,
    TensorV,
    Unknown,
    Weightless,
    shape_numel,
)

# what a container's member may be, as the total walks it (None: a member registered as None)
_MEMBERS = (LayerObj, InstanceV, ContainerV, KerasModelV, ParamV, TensorV, Unknown)


def model_total(value: Any, memo: dict[int, tuple] | None = None
                ) -> tuple[int | None, int, int, list[LayerObj], str, int]:
    """(total or None, trainable, unknown layers, the layer objects, why, the sum of what is
    known) for a built model.

    Parameters are counted once each, as `model.parameters()` does for torch; Keras counts
    every weight, trainable or not, as `count_params()` does. With `memo` (kept while nothing
    changes any more, after an evaluation), each object's total is worked out once, and what a
    walk found below each object it passed is kept too: a block's total asked for after its
    model's (a summary's children, a class's instances) is read from that, not walked again."""
    if memo is None:
        return _as_asked(value, _model_total(value, None))
    known = memo.get(id(value))
    if known is None or known[0] is not value:
        result = _model_total(value, memo)
        known = memo.get(id(value))  # the walk left the value's span there
    elif known[1] is not None:
        return _as_asked(value, known[1])
    else:
        result = known[2].result()
    span = known[2] if known is not None and known[0] is value else None
    memo[id(value)] = (value, result, span)
    return _as_asked(value, result)


def _as_asked(value: Any, result: tuple) -> tuple:
    """The total of `value` as the model itself answers: a Keras model or layer whose own
    `trainable` is False has no trainable weights, whatever its weights' flags (None: the code
    does not fix its flag)."""
    if type(value) is not KerasModelV and not (type(value) is InstanceV and
                                                value.framework == "keras"):
        return result
    flag = value.attrs.get("__trainable__", True)
    if flag is True:
        return result
    return (result[0], 0 if flag is False else None, *result[2:])


# Bases outside the project of a class whose instances are plain Python objects, not modules.
_PLAIN_BASES = ("builtins.", "abc.", "typing.", "dataclasses.", "enum.", "collections.")


def _plain_python(cls: ClassV) -> bool:
    """Every class in `cls`'s order is the project's or Python's own: no module."""
    return all(type(c) is ClassV or type(c) is ExternalV and c.qualname.startswith(_PLAIN_BASES)
               for c in cls.mro())


# What a traversal for a total descends into; any other value (a number, a string, a function)
# holds no weights, and is passed over without a call.
_HOLDERS = frozenset((LayerObj, InstanceV, ContainerV, KerasModelV, ParamV, TensorV))
_NEVER = 1 << 62  # a position no walk reaches


class _Walk:
    """What one traversal for a total found, in the order it found it. Only ever appended to:
    each object's stretch of it (a `_Span`) stays valid while the walk's lists grow."""

    __slots__ = ("order", "keys", "params", "layers", "whys")

    def __init__(self) -> None:
        self.order: list[int] = []  # the ids of the objects walked (each once)
        # each parameter counted, as it was met, and its id (two lists, not one of pairs: ints
        # are no work for the cyclic collector, a pair is)
        self.keys: list[int] = []
        self.params: list[ParamV] = []
        self.layers: list[LayerObj] = []
        self.whys: list[str] = []  # each reason met for an unknown, first first


class _Span:
    """The stretch of a walk that walking one object made, and the unknowns it counted. Walking
    that object again finds the same, so long as none of what it reaches was walked before
    (_model_total says why): then the stretch is added as a whole instead."""

    __slots__ = ("walk", "order", "order_end", "writes", "writes_end", "layers", "layers_end",
                 "whys", "whys_end", "unknown")

    def __init__(self, walk: _Walk, marks: tuple[int, int, int, int], unknown: int) -> None:
        self.walk = walk
        self.order, self.writes, self.layers, self.whys = marks
        self.order_end, self.writes_end = len(walk.order), len(walk.keys)
        self.layers_end, self.whys_end = len(walk.layers), len(walk.whys)
        self.unknown = unknown

    def ids(self) -> list[int]:
        return self.walk.order[self.order:self.order_end]

    def result(self) -> tuple[int | None, int | None, int, list[LayerObj], str, int]:
        """What _model_total returns for the object walked alone."""
        walk = self.walk
        params = dict(zip(walk.keys[self.writes:self.writes_end],
                          walk.params[self.writes:self.writes_end], strict=True))
        why = walk.whys[self.whys] if self.whys < self.whys_end else ""
        return _summed(params, self.unknown, walk.layers[self.layers:self.layers_end], why)


def _summed(params: dict[int, ParamV], unknown: int, layers: list[LayerObj], why: str
            ) -> tuple[int | None, int | None, int, list[LayerObj], str, int]:
    total = trainable = 0
    missing = False  # a parameter of unknown size: one unknown more
    unsettled = False  # a parameter whose requires_grad the code does not fix
    for p in params.values():
        numel = p.numel
        if numel is None:
            missing = True
        elif numel:
            total += numel
            if p.trainable is None:
                unsettled = True
            elif p.trainable:
                trainable += numel
    if missing:
        unknown += 1
    return (total if unknown == 0 else None), (None if unsettled else trainable), unknown, \
        layers, why, total


def _model_total(value: Any, memo: dict[int, tuple] | None
                 ) -> tuple[int | None, int, int, list[LayerObj], str, int]:
    """The traversal of model_total: depth first, each object once, each parameter once (the
    last time it is met decides whether it counts as trainable), `why` the first reason met.

    With `memo`, each layer, instance, container and model walked leaves its `_Span` there, and
    one met again is added from its span rather than walked, when none of the ids in the span
    is walked yet. Why that is exact: a walk from an object X with some objects already seen
    goes exactly as the walk from X alone so long as it meets none of them (each step looks only
    at the object in hand and at whether it was seen), and everything it can meet is in X's
    span (each object met is walked there, or was met before in it). So a span is kept only
    when its walk met nothing walked before it began (`low`, below), and reused only when it
    is disjoint from what is seen."""
    walk = _Walk()
    order, keys, params, layers, whys = walk.order, walk.keys, walk.params, walk.layers, walk.whys
    seen: dict[int, int] = {}  # id -> its position in `order`: when it was walked
    unknown = 0
    low = _NEVER  # the earliest position met again since the current object's walk began
    holders = _HOLDERS

    def visit(obj: Any) -> None:
        nonlocal unknown, low
        kind = type(obj)
        if kind is LayerObj or kind is InstanceV or kind is ContainerV or kind is KerasModelV:
            key = id(obj)
            at = seen.get(key)
            if at is not None:
                if at < low:
                    low = at
                return
            if memo is not None and kind is not LayerObj:
                known = memo.get(key)
                if known is not None and known[0] is obj and known[2] is not None:
                    span = known[2]
                    ids = span.ids()
                    if seen.keys().isdisjoint(ids):
                        seen.update(dict.fromkeys(ids, len(order)))
                        order.extend(ids)
                        other = span.walk
                        keys.extend(other.keys[span.writes:span.writes_end])
                        params.extend(other.params[span.writes:span.writes_end])
                        layers.extend(other.layers[span.layers:span.layers_end])
                        if span.whys < span.whys_end:
                            whys.append(other.whys[span.whys])
                        unknown += span.unknown
                        return
            start = len(order)
            seen[key] = start
            order.append(key)
            outer, low = low, _NEVER
            marks = (start, len(keys), len(layers), len(whys))
            before = unknown
            _WALKERS[kind](obj)
            mine = low
            low = min(outer, mine)
            # (a layer's span is not kept: most hold nothing but their own parameters)
            if memo is not None and mine >= start and kind is not LayerObj:
                known = memo.get(key)
                memo[key] = (obj, known[1] if known is not None and known[0] is obj else None,
                             _Span(walk, marks, unknown - before))
        elif kind is ParamV:
            keys.append(obj.id)
            params.append(obj)
        elif kind is TensorV:
            if obj.param is not None and obj.framework == "keras":
                keys.append(obj.param.id)  # a weight a layer of the project added
                params.append(obj.param)
        elif isinstance(obj, Unknown):
            # a member the code does not fix may be a module with weights of its own
            unknown += 1
            if obj.why:
                whys.append(obj.why)

    def inexact(obj: Any, why: str) -> None:
        nonlocal unknown
        if not obj.exact:
            unknown += 1
            whys.append(why)

    def layer(obj: LayerObj) -> None:
        nonlocal unknown
        layers.append(obj)
        if obj.params is None or obj.speculative:
            unknown += 1
            whys.append(obj.why or (
                "a layer built under a condition the code does not fix" if obj.speculative
                else "a layer never built on an input of known shape"))
            return
        if obj.frozen or obj.frozen is None:  # (None: frozen or not, the code does not fix)
            for p in obj.params.values():
                keys.append(p.id)
                params.append(ParamV(p.numel, None if obj.frozen is None else False, p.id))
        else:
            for p in obj.params.values():
                keys.append(p.id)
                params.append(p)
        for item in obj.attrs.values():
            item_kind = type(item)
            if item_kind is LayerObj or item_kind is InstanceV or item_kind is ContainerV:
                visit(item)

    def instance(obj: InstanceV) -> None:
        nonlocal unknown
        inexact(obj, "a module changed where the evaluator could not follow")
        if obj.framework == "keras":
            if not obj.built and type(obj.cls.lookup("build")) is FuncV:
                # its own build() makes weights from the input shape, and has not run
                unknown += 1
                whys.append(f"{obj.cls.name} is never built on an input of known shape")
            for name, item in list(obj.attrs.items()):
                tracked(item, obj, name)  # Keras tracks the layers and weights in lists and dicts too
        elif obj.framework == "torch":
            for name, item in list(obj.attrs.items()):
                kind = type(item)
                if kind is InstanceV and not item.framework:
                    # torch registers modules only: a plain object's layers are not the model's
                    if not _plain_python(item.cls):
                        unknown += 1
                        whys.append(f"{obj.cls.name}.{name}: {item.cls.name} has a base the "
                                    "evaluator cannot tell from a module")
                elif kind in holders:
                    visit(item)
                elif isinstance(item, Unknown) and not isinstance(item, (Weightless, Absent)):
                    may_be_module(obj, name, item)
        else:  # a plain object, walked as the value a builder returned: what it holds
            if not _plain_python(obj.cls):
                # (a base of a package the evaluator does not read, or that the code does not
                # fix: it may be a module, with weights of its own)
                unknown += 1
                whys.append(f"{obj.cls.name} has a base the evaluator cannot tell from a module")
            for item in list(obj.attrs.values()):
                if type(item) in holders:
                    visit(item)
        for _, item in obj.members:
            visit(item)

    def may_be_module(obj: InstanceV, name: str, item: Unknown) -> None:
        """An attribute the code does not fix: it may be a submodule with weights of its own."""
        nonlocal unknown
        unknown += 1
        whys.append(f"{obj.cls.name}.{name} may be a module with weights ({item.why})")

    def container(obj: ContainerV) -> None:
        nonlocal unknown
        inexact(obj, "a container whose members the code does not fix")
        wraps = obj.kind == "ParameterList" or obj.kind == "ParameterDict"
        for _, item in obj.members:
            if wraps and type(item) is TensorV and item.param is None:
                # torch makes a Parameter of each plain tensor a parameter container is given
                made = ParamV(shape_numel(item.shape), True)
                keys.append(made.id)
                params.append(made)
            elif item is None or isinstance(item, _MEMBERS):
                visit(item)
            elif wraps and type(item) in SCALAR_TYPES:
                continue  # (a parameter container keeps any other object as it is)
            else:  # a member the evaluator does not model is no member of 0 parameters
                unknown += 1
                whys.append("a member of a container the evaluator does not model")
        for name, item in obj.attrs.items():
            kind = type(item)
            if kind is ParamV:
                visit(item)  # (a module set on it is a member)
            elif isinstance(item, Unknown) and not isinstance(item, (Weightless, Absent)):
                unknown += 1
                whys.append(f"{obj.kind}.{name} may be a parameter ({item.why})")

    def keras_model(obj: KerasModelV) -> None:
        inexact(obj, "a model whose layers the code does not fix")
        for item in obj.layers:
            visit(item)
        for item in obj.attrs.values():
            item_kind = type(item)
            if item_kind is LayerObj or item_kind is KerasModelV or item_kind is InstanceV:
                visit(item)

    def tracked(value: Any, owner: InstanceV, name: str) -> None:
        nonlocal low
        if isinstance(value, (ListV, DictV)):
            at = seen.get(id(value))
            if at is not None:
                if at < low:
                    low = at
                return
            seen[id(value)] = len(order)
            order.append(id(value))
            inexact(value, "a list of a layer's the code changed unknowably")
            items = value.items.values() if isinstance(value, DictV) else value.items
            for item in list(items):
                tracked(item, owner, name)
        elif isinstance(value, tuple):
            for item in value:
                tracked(item, owner, name)
        elif type(value) is InstanceV and not value.framework:
            # Keras tracks layers, variables, lists and dicts: not a plain object's attributes
            if not _plain_python(value.cls):
                may_be_module(owner, name, Unknown(f"{value.cls.name} has a base the evaluator "
                                                   "cannot tell from a layer"))
        elif not isinstance(value, Unknown):
            visit(value)
        elif not isinstance(value, (Weightless, Absent)):
            may_be_module(owner, name, value)

    _WALKERS = {LayerObj: layer, InstanceV: instance, ContainerV: container,
                KerasModelV: keras_model}
    visit(value)
    return _summed(dict(zip(keys, params, strict=True)), unknown, list(layers), whys[0] if whys else "")
