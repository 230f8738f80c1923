"""The typed results every view reads. Views format these; none of them computes a count.

Positions are 1-based lines and 0-based columns counted in code points (Python `str` indices);
`positions.py` converts them for LSP (UTF-16) and byte-based consumers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from paramlens.engine.positions import LineIndex


@dataclass(frozen=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int

    def contains(self, line: int, column: int) -> bool:
        if line < self.line or line > self.end_line:
            return False
        if line == self.line and column < self.column:
            return False
        return not (line == self.end_line and column > self.end_column)

    def shifted(self, lines: int) -> Span:
        return Span(self.line + lines, self.column, self.end_line + lines, self.end_column)


@dataclass(frozen=True)
class TensorShape:
    name: str
    shape: tuple[int, ...] | None  # None when some dimension is unknown
    text: str  # in the code's own terms: (out_planes, in_planes, 3, 3)
    count: int | None
    present: bool | None  # None: depends on something unknown (bias=flag)
    default_shape: tuple[int, ...] | None = None  # under the same assumptions as params_default
    default_present: bool | None = None


def submodule_counts(tensors: tuple[TensorShape, ...], assumed: bool = False
                     ) -> list[tuple[str, int | None]] | None:
    """A layer built of layers (a Transformer layer: `self_attn.in_proj_weight`, `linear1.weight`,
    ...): its count summed by the submodule that holds each tensor, in order (None where one is
    not fixed). None for a layer whose tensors are its own (`out_proj.weight` alone is one).
    `assumed`: under the stated defaults."""
    if len({t.name.split(".", 1)[0] for t in tensors if "." in t.name}) < 2:
        return None
    groups: dict[str, int | None] = {}
    for t in tensors:
        present = t.default_present if assumed else t.present
        if present is False:
            continue
        key = t.name.split(".", 1)[0]
        shape = t.default_shape if assumed else t.shape
        n = math.prod(shape) if present and shape is not None else None
        groups[key] = n if key not in groups else \
            None if groups[key] is None or n is None else groups[key] + n  # type: ignore[operator]
    return list(groups.items())


@dataclass(frozen=True)
class Context:
    """One way the code reaches a layer call: its count there and how many objects it builds."""

    params: int | None
    instances: int
    via: str  # the call chain in the code's own names


@dataclass(frozen=True)
class LayerResult:
    span: Span  # the whole constructor call
    name_span: Span  # the class name, for hovers on the name
    layer: str  # canonical: torch.nn.Conv2d, keras.layers.Conv2D
    framework: str
    family: str
    params: int | None  # certain: the file fixes it
    params_default: int | None  # when parameters keep their defaults and the file's calls agree
    formula: str
    tensors: tuple[TensorShape, ...]
    in_channels: int | None
    in_channels_default: int | None
    in_channels_text: str
    in_channels_from: str
    assumptions: tuple[str, ...] = ()  # what params_default rests on, in words
    unknowns: tuple[str, ...] = ()  # what keeps the count open, in words
    out_channels: int | None = None
    output_shape: tuple[int, ...] | None = None  # without batch, in the framework's own order
    mult_adds: int | None = None
    scope: str = ""  # enclosing function or class, for model totals
    invalid: str | None = None  # why the framework would refuse to build it (then no count)
    contexts: tuple[Context, ...] = ()  # the counts the evaluated program builds here

    @property
    def context_counts(self) -> list[int]:
        """The distinct known counts over the contexts, smallest first."""
        return sorted({c.params for c in self.contexts if c.params is not None})

    @property
    def shown_count(self) -> tuple[int | None, bool]:
        """(the count to show, whether it is certain): certain, else under assumptions, else
        (None, False)."""
        if self.params is not None:
            return self.params, True
        return self.params_default, False

    @property
    def never_has_parameters(self) -> bool:
        """An activation, a pooling, a reshape or a merge: no parameters whatever its arguments
        (no `# 0 params` hint or comment for it)."""
        return (self.params == 0 and all(c.params in (0, None) for c in self.contexts)
                and self.family in ("activation", "shape", "pool", "merge", "loss",
                                    "preprocessing"))

    @property
    def weight_shape(self) -> tuple[int, ...] | None:
        return self.tensors[0].shape if self.tensors else None

    @property
    def bias_shape(self) -> tuple[int, ...] | None:
        for t in self.tensors:
            if t.name == "bias" and t.present:
                return t.shape
        return None


@dataclass(frozen=True)
class Fix:
    """A change to the source that the finding proves right, described, not applied: the review
    layer writes it with libcst, keeping every other byte of the file.

    kind "set-argument": give the call at `target` the argument `name` (standing at `position`
        when passed positionally) the source text `value`, replacing what it passes now;
    kind "wrap": pass the expression at `target` to the callable `name` (`nn.ModuleList`);
    kind "make-explicit": call the class `name` (the eager counterpart of a Lazy* class) at
        `target` instead, with `value` inserted as its first argument.
    """

    title: str  # what the editor's quick-fix menu says
    kind: str
    target: Span
    name: str
    value: str = ""
    position: int | None = None


@dataclass(frozen=True)
class Diagnostic:
    span: Span
    severity: str  # "error" | "warning" | "information" | "hint"
    code: str
    message: str
    fix: Fix | None = None  # the one change that repairs it, where the engine proves one


@dataclass(frozen=True)
class ModelTotal:
    name: str
    kind: str  # "nn.Module", "keras.Model", "Sequential", "Model"
    span: Span
    params: int  # the sum of the layers whose count is known
    unknown_layers: int
    layer_lines: tuple[int, ...] = ()
    params_default: int | None = None  # every layer counted, some under assumptions
    certain: bool = True  # False: the total rests on an assumption even with no unknown layer
    trainable: int | None = None
    why: str = ""  # why the total is open, in words
    assumptions: tuple[str, ...] = ()
    children: tuple[tuple[str, str, int | None], ...] = ()  # (name, class, parameters): depth 1
    span_of_totals: tuple[int, ...] = ()  # a class built with different totals: each of them
    instances: int = 0  # the objects its totals are over (a class that needs arguments)
    raised: str | None = None  # building it raises: where ("file.py:line") or why, or ""

    @property
    def exact(self) -> int | None:
        """The total when the code fixes it, else None."""
        return self.params if self.unknown_layers == 0 and self.certain else None

    def words(self) -> str:
        """The one wording of a total, for the table, the lens and the status bar."""
        if self.exact is not None:
            return f"{self.exact:,} parameters"
        if self.params_default is not None:
            return f"{self.params_default:,} parameters if defaults hold"
        if self.raised is not None:
            return "parameters not counted: the code raises" + (
                f" ({self.raised})" if self.raised else "")
        if len(self.span_of_totals) > 1 and self.unknown_layers == 0:
            low, high = self.span_of_totals[0], self.span_of_totals[-1]
            return f"{low:,}–{high:,} parameters ({self.instances} instances)"
        unknown = f"{self.unknown_layers} layer{'s' if self.unknown_layers != 1 else ''} unknown"
        return f"at least {self.params:,} parameters ({unknown})"


@dataclass
class FileReport:
    path: str
    error: str | None = None
    layers: list[LayerResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    models: list[ModelTotal] = field(default_factory=list)
    index: LineIndex | None = field(default=None, repr=False)  # the source's lines, for columns
