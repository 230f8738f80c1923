"""Words for the editor: hover text, inlay labels, code-lens titles, and the hint and budget
diagnostics. They format results; none of them computes a count.
"""

from __future__ import annotations

from paramlens.engine.results import (
    Diagnostic,
    LayerResult,
    ModelTotal,
    TensorShape,
    submodule_counts,
)
from paramlens.review.registry import severity


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _tensor(tensor: TensorShape, assumed: bool) -> str | None:
    """`weight (10, 3, 3, 3) = 270`, or the code's own terms when a dimension is open."""
    shape = tensor.shape
    present = tensor.present
    if shape is None and assumed:
        shape, present = tensor.default_shape, tensor.default_present
    if present is False:
        return None
    if shape is None:
        suffix = " if present" if present is None else ""
        return f"{tensor.name} `{tensor.text}`{suffix}"
    count = 1
    for d in shape:
        count *= d
    return f"{tensor.name} {_shape(shape)} = {count:,}"


def hover_markdown(layer: LayerResult) -> str:
    short = layer.layer.rsplit(".", 1)[1]
    lines: list[str] = []
    if layer.params is not None:
        lines.append(f"**{layer.params:,} parameters** · `{short}`")
        tensors = [_tensor(t, assumed=False) for t in layer.tensors]
    elif layer.params_default is not None:
        lines.append(f"**{layer.params_default:,} parameters** if defaults hold · `{short}`")
        tensors = [_tensor(t, assumed=True) for t in layer.tensors]
    elif len(layer.context_counts) > 1:
        counts = layer.context_counts
        lines.append(f"**{counts[0]:,}–{counts[-1]:,} parameters** · `{short}`: "
                     f"{len(counts)} counts, by how the code reaches this call")
        tensors = [_tensor(t, assumed=False) for t in layer.tensors]
    else:
        lines.append(f"**? parameters** · `{short}`: not fixed by this file")
        tensors = [_tensor(t, assumed=False) for t in layer.tensors]
    by_context = contexts_line(layer)
    if by_context:
        lines.append(by_context)
    shown = [t for t in tensors if t]
    groups = submodule_counts(layer.tensors, assumed=layer.params is None)
    if groups is not None:
        shown = [f"{name} {'?' if n is None else f'{n:,}'}" for name, n in groups]
    if shown:
        lines.append(" · ".join(shown))
    if layer.formula:
        lines.append(f"formula: `{layer.formula}`")
    if layer.in_channels_from not in ("not needed",):
        value = layer.in_channels if layer.in_channels is not None else (
            layer.in_channels_default if layer.in_channels_default is not None
            else layer.in_channels_text)
        where = "" if layer.in_channels_from == "literal" else f" from {layer.in_channels_from}"
        lines.append(f"in_channels = {value}{where}")
    if layer.params is None and layer.params_default is not None and layer.assumptions:
        lines.append("assumes: " + "; ".join(layer.assumptions))
    if layer.unknowns:
        lines.append("unknown: " + ", ".join(layer.unknowns))
    if layer.output_shape is not None:
        out = f"output {_shape(layer.output_shape)}"
        if layer.mult_adds is not None:
            out += f" · {layer.mult_adds:,} multiply-accumulates"
        lines.append(out)
    return "\n\n".join(lines)


def wants_hint(layer: LayerResult) -> bool:
    """A layer that owns no parameters whatever its arguments gets no `# 0 params` hint."""
    return not layer.never_has_parameters


def inlay_label(layer: LayerResult) -> str:
    counts = layer.context_counts
    if len(counts) > 1 and layer.params is None:
        return f"# {counts[0]:,}–{counts[-1]:,} params"
    count, certain = layer.shown_count
    if count is None:
        return "# ? params"
    return f"# {'' if certain else '≈'}{count:,} params"


def inlay_label_of_classes(layers: list[LayerResult]) -> str:
    """`# Conv2d 144–6,144 params · Conv3d 3,072–6,912 params`: a call through a variable that
    builds several classes."""
    return "# " + " · ".join(f"{layer.layer.rsplit('.', 1)[-1]} {inlay_label(layer)[2:]}"
                             for layer in layers)


def contexts_line(layer: LayerResult, limit: int = 4) -> str | None:
    """`36,864 ×6 (resnet18 → conv3x3) · 147,456 ×8 (...)`, the most frequent first."""
    known = [c for c in layer.contexts if c.params is not None]
    if len({c.params for c in known}) < 2:
        return None
    parts = []
    for context in known[:limit]:
        chain = context.via.split(" → ")
        where = " → ".join(chain if len(chain) <= 2 else [chain[0], "…", chain[-1]])
        parts.append(f"{context.params:,} ×{context.instances} ({where})")
    more = len(known) - limit
    if more > 0:
        parts.append(f"{more} more")
    return "by context: " + " · ".join(parts)


def model_hover(total: ModelTotal, limit: int = 12) -> str:
    """A model's total, then its top-level children with their counts (torchinfo, depth 1)."""
    name = f"{total.name}()" if total.kind == "builder" else total.name
    lines = [f"**{total.words()}** · `{name}`"]
    if total.trainable is not None and total.exact is not None and total.trainable != total.exact:
        lines.append(f"trainable {total.trainable:,} · non-trainable {total.exact - total.trainable:,}")
    if total.children:
        rows = [f"| {child} | `{cls}` | {count:,} |" if count is not None else
                f"| {child} | `{cls}` | ? |" for child, cls, count in total.children[:limit]]
        more = len(total.children) - limit
        if more > 0:
            rows.append(f"| … {more} more | | |")
        lines.append("| child | class | parameters |\n|---|---|---:|\n" + "\n".join(rows))
    if total.assumptions:
        lines.append("assumes: " + "; ".join(total.assumptions))
    if total.why:
        lines.append(f"open: {total.why}")
    return "\n\n".join(lines)


def lens_title(total: ModelTotal) -> str:
    name = f"{total.name}()" if total.kind == "builder" else total.name
    return f"{name}: {total.words()}"


def file_summary(layers: list[LayerResult], models: list[ModelTotal],
                 lines: list[str] | None = None) -> dict[str, object]:
    """A file's total, each layer once: certain where the file fixes the counts, else under
    assumptions, else a lower bound with how many layers are open. With the file's lines, also
    where each model lies (`extents`), for the status bar to show the model at the cursor."""
    certain = sum(r.params for r in layers if r.params is not None)
    unknown = sum(1 for r in layers if r.params is None and r.params_default is None)
    assumed = sum(r.params if r.params is not None else (r.params_default or 0) for r in layers)
    exact = all(r.params is not None for r in layers)
    if exact:
        text = f"{certain:,} params"
    elif unknown == 0:
        text = f"≈{assumed:,} params"
    else:
        text = f"≥{certain:,} params (+{unknown} unknown)"
    largest = max(models, key=_size, default=None)
    if largest is not None and _size(largest)[0] > 0:
        # a model's total, worded as the lens and the table word it (the file's layers may be
        # alternatives, never one model)
        text = lens_title(largest)
    return {"params": certain, "assumed": assumed, "unknown": unknown, "exact": exact,
            "layers": len(layers), "models": [lens_title(m) for m in models], "text": text,
            "extents": [model_extent(m, lines) for m in models] if lines is not None else []}


def model_extent(total: ModelTotal, lines: list[str]) -> dict[str, object]:
    """Where a model's source lies, in 0-based lines (LSP's): from its own line to the end of
    the block that line opens (a class or a function body) or to its last layer below it. `size`
    orders models as the status bar's fallback does (the file's largest)."""
    start = total.span.line
    end = max(start, block_end(lines, start), *total.layer_lines)
    return {"title": lens_title(total), "start": start - 1, "end": end - 1,
            "size": _size(total)[0]}


def block_end(lines: list[str], line: int) -> int:
    """The last line of the indented block under `line` (1-based), or `line` when none is."""
    if not 1 <= line <= len(lines):
        return line
    header = lines[line - 1]
    indent = len(header) - len(header.lstrip())
    last = line
    for number in range(line + 1, len(lines) + 1):
        text = lines[number - 1]
        stripped = text.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(text) - len(stripped) <= indent:
            break
        last = number
    return last


def _size(total: ModelTotal) -> tuple[int, bool]:
    value = total.exact if total.exact is not None else total.params_default
    if value is None:
        value = total.span_of_totals[-1] if total.span_of_totals else total.params
    return value, total.exact is not None


def unknown_count_hints(layers: list[LayerResult]) -> list[Diagnostic]:
    """A hint on each layer whose count the file leaves open (not on those it cannot build:
    they have an error of their own)."""
    found: list[Diagnostic] = []
    for layer in layers:
        if layer.params is None and layer.params_default is None and not layer.invalid:
            short = layer.layer.rsplit(".", 1)[1]
            what = ", ".join(layer.unknowns) or "values this file does not fix"
            found.append(Diagnostic(layer.name_span, severity("count-unknown"), "count-unknown",
                                    f"{short}: the parameter count {what}"))
    return found
