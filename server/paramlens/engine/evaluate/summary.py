"""A built model's top-level children with their counts: torchinfo's depth-1 summary."""

from __future__ import annotations

from typing import Any

from paramlens.engine.evaluate.frameworks import _children
from paramlens.engine.evaluate.objects import (
    ContainerV,
    InstanceV,
    KerasModelV,
    LayerObj,
    Unknown,
)
from paramlens.engine.evaluate.totals import model_total

Child = tuple[str, str, int | None]  # (attribute or layer name, class, parameters or None)


def class_name(value: Any) -> str:
    if isinstance(value, LayerObj):
        return value.spec.short
    if isinstance(value, InstanceV):
        return value.cls.name
    if isinstance(value, ContainerV):
        return value.kind
    if isinstance(value, KerasModelV):
        return value.kind
    return type(value).__name__


def children(value: Any, memo: dict[int, tuple] | None = None) -> tuple[Child, ...]:
    if isinstance(value, KerasModelV):
        # (an unknown among its layers, what made a tensor the evaluator did not follow, is no
        # child to show: the total's unknown layers and its reason say it)
        shown = [layer for layer in value.layers if not isinstance(layer, Unknown)]
        pairs = [(str(layer.values.get("name") or f"{layer.spec.short.lower()}_{i}"), layer)
                 if isinstance(layer, LayerObj) else (str(i), layer)
                 for i, layer in enumerate(shown)]
    elif isinstance(value, (InstanceV, ContainerV)):
        pairs = _children(value)
    else:
        return ()
    return tuple((name, class_name(child), model_total(child, memo)[0]) for name, child in pairs)
