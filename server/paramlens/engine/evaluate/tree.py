"""A built model as a tree of its registered submodules: what torchinfo's summary lists.

Rows follow torch's `named_children()` order, depth first, the model itself at depth 0. Each
row's `params` is what that module's `parameters()` gives (a tensor it reaches twice counted
once), so a row's count includes its children's. A module reached a second time (the same
object registered under two names) is listed again, as torchinfo lists it, with `shared` set:
its parameters are already counted where it first appears, and the totals count every parameter
once, as `model.parameters()` does. The depth limit only hides rows: which module is first met,
and so which one is `shared`, is decided over the whole tree, as torchinfo does.

Framework layers are leaves: their sublayers (a `TransformerEncoderLayer`'s `self_attn`) are not
modelled, only their count. Keras models list their layers at depth 1.

`output_shape` is what the evaluation flowed through the layer (Keras: an `Input`, a
`Sequential` with an input shape, `model.build(shape)`, a functional graph), batch axis
included, as the last call made it (Keras' summary shows a layer's last node). Torch modules
have none: the evaluator does not run `forward`.
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from paramlens.engine.evaluate.frameworks import _children, _is_module, _ModelNode
from paramlens.engine.evaluate.objects import (
    ContainerV,
    InstanceV,
    KerasModelV,
    LayerObj,
    ParamV,
    TensorV,
)
from paramlens.engine.evaluate.program import EntryResult
from paramlens.engine.evaluate.summary import class_name
from paramlens.engine.evaluate.totals import model_total


@dataclass(frozen=True)
class SummaryRow:
    name: str  # the attribute or key it is registered under ("" for the model itself)
    class_name: str
    depth: int
    params: int | None  # its `parameters()` count; None where the code does not fix it
    trainable: int | None  # of those, the ones with requires_grad (None with params)
    line: int | None  # the constructor call's line, or the class statement's; None if unknown
    path: str = ""  # the file `line` is in (absolute; another file for an imported module)
    shared: bool = False  # already listed above: torchinfo's "(recursive)"
    own: int | None = 0  # parameters held by the module itself, not by a submodule
    children: tuple[SummaryRow, ...] = ()
    cut: bool = False  # it has children the depth limit hides
    # its output's shape, batch axis first (None: a dimension of any size); None if not known
    output_shape: tuple[int | None, ...] | None = None


@dataclass(frozen=True)
class ModelSummary:
    """A model's tree, with its totals counted once per parameter."""

    root: SummaryRow
    total: int | None  # None: some count is not fixed by the code
    trainable: int | None  # of the known parameters; None where requires_grad is not fixed
    known: int  # the sum of the known parameters (`total` when every one is known)
    why: str = ""  # why the total is unknown
    depth: int = 3
    assumptions: tuple[str, ...] = ()  # what the counts rest on (a builder's defaults)


@dataclass
class _Walk:
    memo: dict[int, tuple]
    depth_limit: int
    seen: set[int] = field(default_factory=set)


def summarize(value: Any, name: str, depth: int = 3,
              memo: dict[int, tuple] | None = None) -> ModelSummary | None:
    """The tree of a built model down to `depth` (0: the model alone), or None for a value that
    is not a module."""
    if not (_is_module(value) or isinstance(value, KerasModelV)):
        return None
    memo = memo if memo is not None else {}
    walk = _Walk(memo, max(0, depth))
    root = _row(walk, name, value, 0, frozenset())
    total, trainable, _unknown, _layers, why, known = model_total(value, memo)
    return ModelSummary(root, total, trainable, known, why, max(0, depth))


def entry_tree(value: Any, name: str, result: EntryResult, depth: int) -> ModelSummary | None:
    """The tree of a model an entry point built, with what its counts rest on: an entry that
    stopped early built only part of it, and its total is then unknown."""
    tree = summarize(value, name, depth, result.memo)
    if tree is None:
        return None
    if result.why_incomplete:
        tree = dataclasses.replace(tree, total=None, why=result.why_incomplete)
    return dataclasses.replace(tree, assumptions=result.assumptions)


def _row(walk: _Walk, name: str, value: Any, depth: int, path: frozenset[int]) -> SummaryRow:
    shared = id(value) in walk.seen
    walk.seen.add(id(value))
    total, trainable, *_ = model_total(value, walk.memo)
    kids: list[SummaryRow] = []
    pairs = _named_children(value)
    if id(value) not in path:  # a module that holds its own parent: list it, do not descend
        inner = path | {id(value)}
        # walked below the limit too, so that `seen` is the whole tree's, as torchinfo's is
        kids = [_row(walk, child_name, child, depth + 1, inner) for child_name, child in pairs]
    if shared:
        kids = [_as_shared(k) for k in kids]
    shown = tuple(kids) if depth < walk.depth_limit else ()
    path, line = _place(value)
    return SummaryRow(name, class_name(value), depth, total,
                      trainable if total is not None else None, line, path, shared,
                      _own(value), shown, cut=bool(kids) and not shown,
                      output_shape=known_shape(getattr(value, "output_shape", None)))


def known_shape(shape: Any) -> tuple[int | None, ...] | None:
    """A shape whose every dimension is a size or None (Keras' "any size"); None for a shape
    the code does not fix, in part or whole: a half-known shape is not shown."""
    if not isinstance(shape, tuple):
        return None
    if not all(d is None or isinstance(d, int) and not isinstance(d, bool) for d in shape):
        return None
    return shape


def _as_shared(row: SummaryRow) -> SummaryRow:
    if row.shared:
        return row
    return dataclasses.replace(row, shared=True,
                               children=tuple(_as_shared(k) for k in row.children))


def _named_children(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, KerasModelV):
        # the name the code gives it; Keras' own (`conv2d_3`) depends on what the session
        # built before, so none is made up
        return [(_keras_name(layer), layer) for layer in _keras_layers(value)]
    if isinstance(value, (InstanceV, ContainerV)):
        return _children(value)
    if isinstance(value, LayerObj):
        # a submodule the code set on a framework layer (`conv.extra = nn.Linear(...)`)
        return [(k, v) for k, v in value.attrs.items() if _is_module(v)]
    return []


def _keras_name(layer: Any) -> str:
    if isinstance(layer, LayerObj):
        return str(layer.values.get("name") or "")
    if isinstance(layer, KerasModelV):
        name = layer.attrs.get("name")
        return name if isinstance(name, str) else ""
    return ""


def _keras_layers(model: KerasModelV) -> list[Any]:
    """A model's own layers, as Keras lists them: a model called inside a functional graph is
    one layer (its tensors' history holds it, and its layers beside it), in the order the
    code made them."""
    nested = [node.model for node in model.layers if isinstance(node, _ModelNode)]
    if not nested:
        return list(model.layers)
    inside: set[int] = set()
    for inner in nested:
        inside |= {id(layer) for layer in _all_layers(inner)}
    kept = [layer for layer in model.layers
            if not isinstance(layer, _ModelNode) and id(layer) not in inside]
    unique = list({id(inner): inner for inner in nested}.values())
    return sorted(kept + unique, key=_made_at)


def _all_layers(model: KerasModelV) -> list[Any]:
    found: list[Any] = []
    for layer in model.layers:
        inner = layer.model if isinstance(layer, _ModelNode) else layer
        found.append(inner)
        if isinstance(inner, KerasModelV):
            found += _all_layers(inner)
    return found


def _made_at(layer: Any) -> int:
    """When a layer or model was made: layers' ids and models' serials share one counter."""
    order = layer.serial if isinstance(layer, KerasModelV) else getattr(layer, "id", 0)
    return order if isinstance(order, int) else 0


def _own(value: Any) -> int | None:
    """The parameters a module holds itself: torchinfo's "leftover" count for a row above the
    depth limit."""
    if isinstance(value, LayerObj):
        return value.count if not value.speculative else None
    found: list[ParamV] = []
    if isinstance(value, InstanceV):
        for item in value.attrs.values():
            if isinstance(item, ParamV):
                found.append(item)
            elif isinstance(item, TensorV) and item.param is not None:
                found.append(item.param)
    if isinstance(value, ContainerV):  # nn.ParameterList / ParameterDict
        found += [item for _, item in value.members if isinstance(item, ParamV)]
    if any(p.numel is None for p in found):
        return None
    return sum({p.id: p.numel or 0 for p in found}.values())


def _place(value: Any) -> tuple[str, int | None]:
    """(file, line) of the call that made it, else of its class statement; ("", None) unknown."""
    site = getattr(value, "site", None)
    path = site[0] if site is not None else ""
    node = getattr(value, "node", None)
    if isinstance(node, ast.Call):  # its current line, after edits above it
        return path, node.lineno
    if site is not None and site[1]:
        return path, site[1]
    if isinstance(value, InstanceV) and value.cls.node is not None:
        return value.cls.module.path, value.cls.node.lineno
    return "", None


def walk_rows(row: SummaryRow) -> list[SummaryRow]:
    """The rows in the order they are listed: the row, then each child's rows."""
    rows = [row]
    for child in row.children:
        rows += walk_rows(child)
    return rows
