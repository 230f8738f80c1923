"""What an expression can stand for while the analysis walks a function body.

`Q` (see quantity.py) is a scalar. The others are containers and the framework objects that carry
channels from one layer to the next: tensors, layer objects and Sequential models.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from paramlens.engine.quantity import UNKNOWN, Q


@dataclass
class TupleV:
    items: tuple[Value, ...]
    is_list: bool = False
    # A list that was appended to where we could not follow (a loop) has unknown contents.
    complete: bool = True


@dataclass
class TensorV:
    """A framework tensor; `shape` excludes the batch axis and is None when unknown."""

    channels: Q
    shape: tuple[Q, ...] | None = None
    channels_first: bool = False
    framework: str = "keras"
    # The human story of where the channels came from, for the hover.
    story: str = ""
    # torch: the axis the channels are on, as the layer that gave them puts them
    # (LayerSpec.channel_axis; "" where not known)
    axis: str = ""


@dataclass
class FunctionRef:
    name: str


@dataclass
class ClassRef:
    name: str


@dataclass
class Opaque:
    """Something the analysis does not model (a call to an unknown function, a module, ...)."""

    text: str | ast.AST  # what it is, or the expression that made it


@dataclass
class LayerV:
    """A layer object created at one constructor call site."""

    site: Any  # analysis.LayerSite; typed loosely to keep this module free of the analysis
    spec: Any  # catalogue.LayerSpec


@dataclass(frozen=True)
class SpecRef:
    """A layer class held in a variable (`norm_layer = nn.BatchNorm2d`)."""

    spec: Any  # catalogue.LayerSpec
    assumption: str = ""
    # Arguments fixed by `functools.partial(nn.LayerNorm, eps=1e-6)`.
    preset: tuple = field(default=(), compare=False)


@dataclass
class SequentialV:
    framework: str
    members: list[Value] = field(default_factory=list)
    complete: bool = True
    input: TensorV | None = None
    node: ast.AST | None = None


@dataclass
class ModelV:
    """A functional `keras.Model(inputs, outputs)`."""

    node: ast.AST


Value = (Q | TupleV | TensorV | FunctionRef | ClassRef | Opaque | LayerV | SequentialV | ModelV | SpecRef
         | None)


def as_q(value: Value, text: str = "?") -> Q:
    if isinstance(value, Q):
        return value
    return Q.unknown(text)


def merge_values(a: Value, b: Value, pick_a: Q | None) -> Value:
    """The value after two control paths join, given the branch condition when known."""
    if pick_a is not None and pick_a.known:
        return a if pick_a.exact else b
    if isinstance(a, Q) and isinstance(b, Q):
        exact = a.exact if a.known and b.known and a.exact == b.exact else UNKNOWN
        if pick_a is not None and pick_a.known_default:
            chosen = a if pick_a.default else b
            default = chosen.default
            origin, assumption = chosen.origin, chosen.assumption or pick_a.assumption
        else:
            same = a.known_default and b.known_default and a.default == b.default
            default = a.default if same else UNKNOWN
            origin, assumption = a.origin, a.assumption or b.assumption
            if not same and a.origin and b.origin and a.origin != b.origin:
                # neither path is the one taken: the text names both (`WIDTH = 100 (line 18)`
                # in an `if __name__ == "__main__":` block is not what a builder reads after an
                # import)
                origin = f"{a.origin} or {b.origin}"
        if exact is UNKNOWN and default is not UNKNOWN and not assumption:
            assumption = "the default path through a condition"
        # (where neither path is the default one and both are numbers, the text names both:
        # `5 if hasattr(cfg, "w") else 7` is "(5 or 7)", not a 5 beside a count of 7)
        term = a.term if a.term == b.term else (pick_a is not None and pick_a.known_default
                                                and (a if pick_a.default else b).term) or \
            (f"({a.term} or {b.term})" if a.known and b.known else a.term)
        return Q(exact, default, term, origin, assumption)
    if a is b:
        return a
    if isinstance(a, TupleV) and isinstance(b, TupleV) and len(a.items) == len(b.items):
        return TupleV(tuple(merge_values(x, y, pick_a) for x, y in zip(a.items, b.items, strict=False)),
                      a.is_list, a.complete and b.complete)
    if isinstance(a, TensorV) and isinstance(b, TensorV):
        channels = merge_values(a.channels, b.channels, pick_a)
        return TensorV(as_q(channels), None, a.channels_first, a.framework, a.story)
    if pick_a is not None and pick_a.known_default:
        # Neither side is certain; keep the one the defaults take, demoted.
        return _demote(a if pick_a.default else b)
    return None


def _demote(value: Value) -> Value:
    if isinstance(value, Q):
        return value.demoted("the default path through a condition")
    if isinstance(value, TensorV):
        return TensorV(value.channels.demoted("the default path through a condition"), value.shape,
                       value.channels_first, value.framework, value.story)
    if isinstance(value, SpecRef):
        return SpecRef(value.spec, value.assumption or "the default path through a condition",
                       value.preset)
    return None
