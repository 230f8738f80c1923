"""Refactors: changes the engine proves keep the model the same, offered on request rather than
reported as findings (the editor's `refactor.rewrite` code actions; `check --fix` leaves them)."""

from __future__ import annotations

from paramlens.engine.catalogue import lookup
from paramlens.engine.results import Fix, LayerResult

MAKE_EXPLICIT = "make-explicit"


def make_explicit(layer: LayerResult) -> Fix | None:
    """`nn.LazyConv2d(16, 3)` → `nn.Conv2d(3, 16, 3)`, where the input size is certain: the
    eager class builds the same weights at construction, which a reader (and torchinfo,
    `parameters()` before a first forward) can then see. Whether the call passes *args or
    **kwargs (which would make the position of the inserted size unknown) is checked where the
    fix is written (fixes.py), on the call itself."""
    spec = lookup(layer.layer)
    if spec is None or spec.eager is None or layer.in_channels is None or \
            len(layer.context_counts) > 1:  # the program builds it with several sizes
        return None
    eager = lookup(spec.eager)
    if eager is None or not eager.signature:
        return None
    first = eager.signature[0].name  # in_channels, in_features, num_features
    return Fix(f"Make {first} explicit", MAKE_EXPLICIT, layer.span, spec.eager,
               str(layer.in_channels))
