"""Counts in context: the evaluated program's results laid onto each file's report.

The per-function analysis (analysis.py) says what each call fixes by itself: a count, or a
formula in the code's terms. The evaluator (evaluate/) says what the program builds when its entry
points run. Here the two meet:
- each layer gets its contexts (the counts the program builds at that call);
- a layer's count under defaults is the one every context agrees on; where contexts differ there
  is no single default count, and a certain count that a context contradicts is dropped;
- builders, model classes and the models a script binds get their evaluated totals.
"""

from __future__ import annotations

import ast
import dataclasses
import logging
import os
import types
from collections.abc import Callable
from typing import Any, TypeVar

from paramlens.engine.catalogue import lookup
from paramlens.engine.evaluate.entries import EvaluatedTotal, Evaluation, call_total, evaluate_files
from paramlens.engine.evaluate.model_checks import Place, built_and_called, proven_mismatches
from paramlens.engine.evaluate.program import CallSpan
from paramlens.engine.parse import parse_quietly
from paramlens.engine.positions import LineIndex
from paramlens.engine.results import (
    Context,
    Diagnostic,
    FileReport,
    Fix,
    LayerResult,
    ModelTotal,
    Span,
)

_log = logging.getLogger(__name__)
_KINDS = {"builder": "builder", "class": "nn.Module", "Model": "Model", "Sequential": "Sequential",
          "instance": "model"}


def evaluate_texts(texts: dict[str, str], parsed: dict[str, list[ast.stmt]] | None = None
                   ) -> Evaluation | None:
    """Evaluate the files together (so that names flow between them). `parsed`, if given,
    receives each file's statements, for the files' own analyses to start from: what the
    evaluation leaves on the trees is only what it worked out from them (nodes.py)."""
    trees = parse_texts(texts)
    if parsed is not None:
        parsed.update(trees)
    return evaluate_parsed(trees)


def parse_texts(texts: dict[str, str]) -> dict[str, list[ast.stmt]]:
    """Each text's statements, by path; a text Python refuses is left out (its own analysis
    reports why)."""
    parsed: dict[str, list[ast.stmt]] = {}
    for path, text in texts.items():
        statements = parse_text(text)
        if statements is not None:
            parsed[path] = statements
    return parsed


def parse_text(text: str) -> list[ast.stmt] | None:
    """parse_texts' tree of one text, or None if Python refuses it."""
    try:
        return parse_quietly(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def evaluate_parsed(parsed: dict[str, list[ast.stmt]]) -> Evaluation | None:
    """The files (parse_texts' trees) evaluated together."""
    if not parsed:
        return None
    try:
        return in_one_stack_chunk(evaluate_files, list(parsed.items()), [os.getcwd()])
    except RecursionError:
        return None
    except Exception as failure:  # a bug of ours: each file's own reading still stands
        _log.error("paramlens: internal error while evaluating the program (%s: %s); the "
                   "counts shown are each file's own reading", type(failure).__name__, failure)
        _log.debug("the evaluation's traceback", exc_info=True)
        return None


_T = TypeVar("_T")
_ROOMY: Callable[..., Any] | None = None
_ROOMY_SLOTS = 1 << 19  # a frame of 4 MiB: CPython gives it a chunk of 8 MiB, half of it free


def in_one_stack_chunk(function: Callable[..., _T], *args: Any) -> _T:
    """function(*args), its calls' frames kept in one chunk of CPython's frame stack.

    CPython (3.11 on) keeps Python frames in chunks of 16 KiB: a call that does not fit in the
    current chunk maps a new one, and returning below that chunk unmaps it. The evaluator's
    recursion goes up and down across such a boundary a great many times (transformers/models:
    ~90,000 mmap/munmap pairs, each new chunk's pages faulted in again, ~0.5 M page faults and
    seconds of system time, varying with how deep the stack was where the evaluation began).
    A call that needs a chunk larger than 16 KiB gets one sized for it, rounded up to a power of
    two: called through a frame of just over 4 MiB, `function` runs in the free half of an
    8 MiB chunk that stays mapped until it returns. The frame's size is that of its local
    variables; the unused ones are never read. Where frames are not kept in chunks (3.10) this
    costs one large frame, allocated and freed once."""
    global _ROOMY
    if _ROOMY is None:
        code = _call.__code__
        names = code.co_varnames + ("_",) * _ROOMY_SLOTS
        _ROOMY = types.FunctionType(code.replace(co_varnames=names, co_nlocals=len(names)),
                                    _call.__globals__)
    return _ROOMY(function, args)  # type: ignore[no-any-return]


def _call(function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    return function(*args)


def apply_evaluation(report: FileReport, evaluation: Evaluation) -> None:
    path = os.path.abspath(report.path)
    index = report.index
    by_site: dict[tuple[int, int], list] = {}
    columns: dict[tuple[str, int, int], int] = {}
    for site, contexts in evaluation.contexts.items():
        site_path, line, byte_column = site
        if site_path != path:
            continue
        column = _column(index, line, byte_column)
        columns[site] = column
        by_site[(line, column)] = contexts
    layers: list[LayerResult] = []
    for layer in report.layers:
        contexts = by_site.get((layer.span.line, layer.span.column))
        layers.append(with_contexts(layer, contexts) if contexts else layer)
    # Calls the per-function analysis does not read as layers (a class passed as an argument,
    # `act=nn.ReLU` then `act()`), where the evaluated program builds one; and the other
    # classes a call through a variable builds (`conv_layer(...)`: Conv2d, or Conv3d where a
    # caller passes it), each a layer of its own with its own contexts.
    taken = {(layer.span.line, layer.span.column, layer.layer) for layer in layers}
    added = False
    for site, contexts in evaluation.contexts.items():
        if site[0] != path:
            continue
        for name in dict.fromkeys(c.layer for c in contexts):
            if (site[1], columns[site], name) in taken:
                continue
            made = evaluated_layer([c for c in contexts if c.layer == name], site,
                                   evaluation.spans.get(site), index)
            if made is not None:
                layers.append(made)
                taken.add((site[1], columns[site], name))
                added = True
    if added:
        layers.sort(key=lambda r: (r.span.line, r.span.column))
    if evaluation.keras_format_set:
        layers = [_format_not_fixed(layer) for layer in layers]
    if evaluation.patched:
        layers = [_as_built_only(layer, f"{layer.layer.rsplit('.', 1)[-1]} is the framework's "
                                        "own class (the program replaces it)")
                  if layer.layer in evaluation.patched else layer for layer in layers]
    report.layers = layers
    calls = [total for total in (call_total(evaluation, (path, m.span.line,
                                                        _byte_column(index, m.span)))
                                 for m in report.models) if total is not None]
    if calls:
        report.models = with_call_totals(report.models, calls, index)
    raised = evaluation.raised_in.get(path)
    if raised is not None:
        # Python stops there: the models that statement makes are not made, nor those of the
        # module's statements after it
        stopped = [raised, *evaluation.never_run.get(path, ())]
        report.models = [m for m in report.models
                         if not any(a <= m.span.line <= b for a, b in stopped)]
        report.layers = [_never_built(layer, raised[0])
                         if raised[0] <= layer.span.line <= raised[1] else layer
                         for layer in report.layers]
    if evaluation.keras_format_set:
        keras_lines = {layer.span.line for layer in layers if layer.framework == "keras"}
        report.models = [_total_format_not_fixed(m, keras_lines) for m in report.models]
    totals = evaluation.totals.get(path, [])
    if totals:
        report.models = merge_totals(report.models, totals, index)
    # a mismatch the static reading sees between neighbours that the evaluated program does not
    # build next to each other (a Sequential rearranged where that reading does not look)
    report.diagnostics = [d for d in report.diagnostics if d.code != "channel-mismatch" or
                          _mismatch_stands(evaluation, (path, d.span.line,
                                                        _byte_column(index, d.span)))]
    report.diagnostics += model_diagnostics(report, evaluation, path)


def _mismatch_stands(evaluation: Evaluation, site: tuple[str, int, int]) -> bool:
    """A layer the evaluated program builds stands proven in every Sequential holding it; one it
    builds that no Sequential holds at the end (replaced in it) does not; one it never builds
    keeps the static reading's word."""
    if evaluation.mismatches is None:
        evaluation.mismatches = proven_mismatches(evaluation.sequences)
    if site in evaluation.mismatches:
        return evaluation.mismatches[site]
    return site not in evaluation.contexts


def model_diagnostics(report: FileReport, evaluation: Evaluation, path: str) -> list[Diagnostic]:
    """The model checks' findings in this file, and the layers with parameters that a torch
    module's forward builds anew on every call."""
    index = report.index
    found = [Diagnostic(_span(index, f.place), f.severity, f.code, f.message,
                        _fix(index, f.fix) if f.fix is not None else None)
             for f in evaluation.findings if f.place.path == path]
    forwards = evaluation.forwards.get(path, [])
    for layer in report.layers if forwards else ():
        line, column = layer.span.line, _byte_column(index, layer.span)
        if not _owns_parameters(layer) or not any(
                f.lineno <= line <= (f.end_lineno or f.lineno) and built_and_called(f, line, column)
                for f in forwards):
            continue
        short = layer.layer.rsplit(".", 1)[1]
        found.append(Diagnostic(
            layer.span, "warning", "layer-in-forward",
            f"{short} is built inside forward: every call makes new random weights that the "
            f"module does not register, so they are never trained; build it in __init__"))
    return found


def _owns_parameters(layer: LayerResult) -> bool:
    count = layer.params if layer.params is not None else layer.params_default
    if count is not None:
        return count > 0
    return any(t.present is True for t in layer.tensors)


def _span(index: LineIndex | None, place: Place | Span) -> Span:
    """A span in code points from one in UTF-8 bytes."""
    return Span(place.line, _column(index, place.line, place.column), place.end_line,
                _column(index, place.end_line, place.end_column))


def _fix(index: LineIndex | None, fix: Fix) -> Fix:
    return dataclasses.replace(fix, target=_span(index, fix.target))


def with_contexts(layer: LayerResult, contexts: list) -> LayerResult:
    # A call through a variable (`norm_layer(c)`) may build several classes; this result is for one.
    mine = [c for c in contexts if c.layer == layer.layer]
    found = tuple(Context(c.params, c.instances, c.via) for c in mine)
    if not found:
        return layer
    counts = {c.params for c in found}
    params, params_default = layer.params, layer.params_default
    assumptions = layer.assumptions
    if layer.invalid:
        return dataclasses.replace(layer, contexts=found)
    refusals = [c for c in mine if c.refused]
    if refusals:
        # Where the program runs it, the framework refuses the layer (its input's rank, or
        # channels other than it was built on): the code raises there, so the count the call
        # reads by itself is not what any model holds in that context.
        if len(refusals) < len(mine):
            return dataclasses.replace(layer, params=None, contexts=found)
        framework = "torch" if layer.framework == "torch" else "Keras"
        first = refusals[0]
        return dataclasses.replace(layer, params=None, params_default=None, invalid=first.refused,
                                   unknowns=(f"{framework} refuses it as {first.via} builds it: "
                                             f"{first.refused}",), contexts=found)
    if params is not None and any(c is not None and c != params for c in counts):
        params = None  # the evaluated program contradicts it: show no certain number
    if len(counts) == 1 and None not in counts and params is None and \
            all(c.by_module for c in mine):
        # only the module's own top-level code builds it, resting on nothing: the file fixes it
        (only,) = counts
        return dataclasses.replace(_read_for(layer, only), params=only, params_default=only,
                                   contexts=found)
    if len(counts) == 1 and None not in counts:
        (only,) = counts
        if params is None and params_default != only:
            layer = _read_for(layer, only)
            params_default = only
            assumptions = (*layer.assumptions, f"as {found[0].via} builds it")
    elif len({c for c in counts if c is not None}) > 1:
        params_default = None if params is None else params
    return dataclasses.replace(layer, params=params, params_default=params_default,
                               assumptions=assumptions, contexts=found)


def _read_for(layer: LayerResult, count: int) -> LayerResult:
    """The layer as its call reads by itself, where the program builds `count`: the formula and
    shapes the call's defaults gave (`5 if hasattr(cfg, "w") else 7` read as 5) are another
    count's, so they are not shown beside this one; nor are the input size those defaults gave
    and what that count rested on (`width keeps its default 16` beside the 98 that
    `Heads().make(width=48)` builds)."""
    if layer.params_default is None or layer.params_default == count:
        return layer
    read = dataclasses.replace(layer, formula="", tensors=(), out_channels=None,
                               output_shape=None, mult_adds=None, assumptions=())
    if layer.in_channels is None and layer.in_channels_default is not None:
        read = dataclasses.replace(read, in_channels_default=None, in_channels_text="?",
                                   in_channels_from="the caller's values")
    return read


_FORMAT_ASSUMED = "Keras' image data format is channels_last (the program calls " \
    "set_image_data_format)"


def _format_not_fixed(layer: LayerResult) -> LayerResult:
    """A Keras count read from the call and its file alone, where the program sets the image
    data format: which format the layer, or a layer before it, was built under depends on what
    ran first. (A layer without weights has none under either.)"""
    if layer.framework != "keras" or not layer.params:
        return layer
    return _as_built_only(layer, _FORMAT_ASSUMED)


def _as_built_only(layer: LayerResult, assumption: str) -> LayerResult:
    """The count the call reads by itself, certain only where the evaluated program builds it
    in every context of the call; elsewhere it holds under `assumption`."""
    if layer.params is None or \
            layer.contexts and all(c.params == layer.params for c in layer.contexts):
        return layer
    return dataclasses.replace(layer, params=None,
                               assumptions=(*layer.assumptions, assumption))


def _never_built(layer: LayerResult, line: int) -> LayerResult:
    """A layer of the module-level statement that raises, which the statement never built (a
    Keras layer is built where the model is, after the point that raised): no count is
    certain for it."""
    if layer.params is None or any(c.params is not None for c in layer.contexts):
        return layer
    return dataclasses.replace(layer, params=None, assumptions=(
        *layer.assumptions, f"the statement on line {line}, which raises, got as far as it"))


def _total_format_not_fixed(model: ModelTotal, keras_lines: set[int]) -> ModelTotal:
    """The same for a total read from its file alone over Keras layers (an evaluated total,
    which replaces it, stands on its own)."""
    if model.exact is None or not keras_lines.intersection(model.layer_lines):
        return model
    return dataclasses.replace(model, certain=False, params_default=model.params,
                               assumptions=(*model.assumptions, _FORMAT_ASSUMED))


def evaluated_layer(contexts: list, site: tuple[str, int, int], span: CallSpan | None,
                    index: LineIndex | None) -> LayerResult | None:
    """A layer of one class only the evaluated program shows at this call (`contexts` are that
    class's): the class itself rests on what the caller passes, so the call fixes no count of
    its own (`params` is None); under the program's calls its count is the one all of them
    build, if they agree."""
    if span is None or not contexts:
        return None
    built = contexts[0].layer
    spec = lookup(built)
    if spec is None:
        return None
    found = tuple(Context(c.params, c.instances, c.via) for c in contexts)
    counts = {c.params for c in found}
    params_default = next(iter(counts)) if len(counts) == 1 else None
    assumptions = (f"{built} as {found[0].via} builds it",) if params_default is not None else ()
    _, line, byte_column = site
    whole = Span(line, _column(index, line, byte_column), span.end_line,
                 _column(index, span.end_line, span.end_column))
    name_span = Span(span.name_line, _column(index, span.name_line, span.name_column),
                     span.name_end_line, _column(index, span.name_end_line, span.name_end_column))
    needs_input = spec.in_arg is not None or spec.framework == "keras"
    return LayerResult(
        span=whole, name_span=name_span, layer=spec.name, framework=spec.framework,
        family=spec.family, params=None, params_default=params_default, formula="", tensors=(),
        in_channels=None, in_channels_default=None, in_channels_text="" if not needs_input else "?",
        in_channels_from="the caller's values" if needs_input else "not needed",
        assumptions=assumptions,
        unknowns=(f"the class ({built}) is what the caller passes",), contexts=found)


def _column(index: LineIndex | None, line: int, byte_column: int) -> int:
    return index.column_from_utf8(line, byte_column) if index is not None else byte_column


def _byte_column(index: LineIndex | None, span: Span) -> int:
    return index.utf8_column(span.line, span.column) if index is not None else span.column


def with_call_totals(models: list[ModelTotal], calls: list[EvaluatedTotal],
                     index: LineIndex | None) -> list[ModelTotal]:
    """The total of a model the per-function analysis finds at a call (`keras.Model(inputs,
    outputs)`, `nn.Sequential(...)`) becomes the one the evaluated program builds there."""
    by_position = {(t.line, _column(index, t.line, t.column)): t for t in calls}
    out: list[ModelTotal] = []
    for model in models:
        total = by_position.get((model.span.line, model.span.column))
        if total is None:
            out.append(model)
            continue
        if total.params_default is None:
            # no one total: what the analysis knows for certain stays, as a lower bound
            out.append(dataclasses.replace(model, unknown_layers=max(model.unknown_layers, 1),
                                           params_default=None, certain=False, trainable=None,
                                           why=total.why or model.why))
            continue
        if model.exact is not None and model.exact == total.params_default:
            out.append(model)  # the call fixes it, and the program agrees
            continue
        evaluated = as_model_total(total)
        out.append(dataclasses.replace(evaluated, name=model.name, kind=model.kind,
                                       span=model.span, layer_lines=model.layer_lines))
    return out


def merge_totals(models: list[ModelTotal], totals: list[EvaluatedTotal], index: object
                 ) -> list[ModelTotal]:
    evaluated = [as_model_total(t) for t in totals]
    # A total the older analysis names by its call (`Sequential`) keeps that name on its line.
    named = {m.span.line: m.name for m in models}
    evaluated = [dataclasses.replace(m, name=named[m.span.line]) if m.span.line in named and
                 m.kind not in ("builder", "nn.Module") else m for m in evaluated]
    lines = {m.span.line for m in evaluated}
    kept = [m for m in models if m.span.line not in lines]
    return sorted(kept + evaluated, key=lambda m: (m.span.line, m.span.column))


def as_model_total(total: EvaluatedTotal) -> ModelTotal:
    certain = total.params is not None
    known = total.params_default if total.params_default is not None else 0
    name = total.name
    return ModelTotal(name, _KINDS.get(total.kind, total.kind),
                      Span(total.line, total.column, total.line, total.column),
                      known if total.params_default is not None else total.known,
                      total.unknown_layers if total.params_default is None else 0,
                      params_default=total.params_default, certain=certain,
                      trainable=total.trainable, why=total.why, assumptions=total.assumptions,
                      children=total.children, span_of_totals=total.span_of_totals,
                      instances=total.instances, raised=total.raised)
