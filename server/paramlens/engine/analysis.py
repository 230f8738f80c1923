"""Source in, results out: ties facts, the interpreter, the catalogue and the channel flow together.

Knows nothing of LSP or printing. `analyze_source` handles a whole file; `analyze_statements`
takes already-parsed top-level statements (document.py feeds it blocks parsed one by one).
"""

from __future__ import annotations

import ast
import dataclasses
import math
from dataclasses import dataclass

from paramlens.engine import channels
from paramlens.engine.catalogue import (
    Args,
    FrameworkName,
    Given,
    Tensor,
    call_refusal,
    count,
    tensor_refusal,
    value_refusal,
    weightless_argument,
)
from paramlens.engine.facts import FunctionInfo, ModuleFacts, assume
from paramlens.engine.interpreter import CallRecord, Interpreter, LayerSite, WalkResult
from paramlens.engine.names import collect_imports
from paramlens.engine.nodes import all_nodes
from paramlens.engine.parse import parse_quietly
from paramlens.engine.positions import LineIndex
from paramlens.engine.quantity import UNKNOWN, Q, render, symbol_text
from paramlens.engine.results import (
    Diagnostic,
    FileReport,
    Fix,
    LayerResult,
    ModelTotal,
    Span,
    TensorShape,
)
from paramlens.engine.values import FunctionRef, LayerV, Opaque, SequentialV, TupleV, Value

_MAX_ROUNDS = 4  # call chains deeper than this keep their parameters unknown


def analyze_source(source: str, path: str = "", statements: list[ast.stmt] | None = None
                   ) -> FileReport:
    """`statements`: the source already parsed by parse_quietly, when the caller has them."""
    if statements is None:
        try:
            statements = parse_quietly(source)
        except SyntaxError as error:
            return FileReport(path, error=f"not valid Python: line {error.lineno}: {error.msg}")
        except (ValueError, RecursionError, MemoryError) as error:
            return FileReport(path, error=f"cannot be parsed: {error}")
    return analyze_statements(statements, LineIndex(source), path)


def analyze_statements(statements: list[ast.stmt], index: LineIndex, path: str = "") -> FileReport:
    """A whole file's own results. A file that imports no framework builds no layer by itself
    (every layer is told by its framework name, and the file's only come from its imports):
    it has none, and nothing is walked. (What its functions build when another file passes them
    a layer class is the program's evaluation's.)"""
    if not collect_imports(statements).names_a_framework():
        return FileReport(path, index=index)
    return analyze_part(statements, index, path)[0]


def analyze_part(statements: list[ast.stmt], index: LineIndex, path: str = "",
                 focus: list[ast.stmt] | None = None, known_calls: list[CallRecord] | None = None,
                 escaping_elsewhere: frozenset[str] = frozenset()
                 ) -> tuple[FileReport, list[CallRecord]]:
    """Results for `statements`, and the calls their function bodies make to the file's functions.

    With `focus`, only the functions inside those statements are walked: the others are there
    for the names they bind, and `known_calls` holds what their bodies were seen to call when
    they were last walked; `escaping_elsewhere` names what blocks left out pass around rather
    than call (document.py decides which blocks go where).
    """
    facts = ModuleFacts(statements, escaping_elsewhere)
    walked = None if focus is None else {id(n) for s in focus for n in all_nodes(s)
                                         if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    walks = _walk_module(facts, statements, walked, known_calls or [])
    report = FileReport(path, index=index)
    finished: dict[int, LayerResult] = {}
    for walk in walks:
        for site in walk.sites:
            if id(site.node) in finished:
                continue
            result, diagnostics = finish_site(site, index)
            finished[id(site.node)] = result
            report.diagnostics.extend(diagnostics)
    report.layers = sorted(finished.values(), key=lambda r: (r.span.line, r.span.column))
    report.models = _model_totals(facts, walks, finished, index, statements)
    body_calls = [c for walk in walks[2:] for c in walk.calls]  # not the module's own code
    return report, body_calls


# walking ----------------------------------------------------------------------------------------
@dataclass
class _FunctionWalk:
    signature: str
    walk: WalkResult


def _walk_module(facts: ModuleFacts, statements: list[ast.stmt], walked: set[int] | None,
                 known_calls: list[CallRecord]) -> list[WalkResult]:
    module_env: dict[str, Value] = {}
    module = Interpreter(facts, "<module>", module_env)
    module.scope_body = statements
    try:
        module.run(statements, module_env)
    except RecursionError:
        pass
    for name in facts.globals_rebound:
        # A function may rebind it with `global`: whatever it was at import time is not certain.
        module_env[name] = Q.unknown(name, f"{name} (rebound through `global`)")
    defaults_walker = Interpreter(facts, "<module>", module_env)
    order = [k for k in facts.order if walked is None or id(facts.functions[k].node) in walked]
    defaults: dict[str, dict[str, Value]] = {}
    for key in order:
        info = facts.functions[key]
        defaults[key] = {name: defaults_walker.ev(expr, {}) for name, _, expr in info.params
                         if expr is not None}
    done: dict[str, _FunctionWalk] = {}
    for _ in range(_MAX_ROUNDS):
        calls = _calls_by_callee([module.result, *(w.walk for w in done.values()),
                                  WalkResult(calls=known_calls)])
        changed = False
        for key in order:
            info = facts.functions[key]
            env = facts.parameter_values(info, calls.get(key, []), defaults[key])
            _add_self_and_closure(facts, info, env, done)
            signature = _signature(env)
            if key in done and done[key].signature == signature:
                continue
            changed = True
            done[key] = _FunctionWalk(signature, _walk_function(facts, info, env, module_env))
        if not changed:
            break
    return [module.result, defaults_walker.result, *(w.walk for w in done.values())]


def _walk_function(facts: ModuleFacts, info: FunctionInfo, env: dict[str, Value],
                   module_env: dict[str, Value]) -> WalkResult:
    walker = Interpreter(facts, info.key, module_env, info.class_key)
    walker.scope_body = info.node.body
    try:
        walker.run(info.node.body, env)
    except RecursionError:
        pass
    walker.result.self_attrs = {k: v for k, v in env.items() if k.startswith("self.")}
    return walker.result


def _add_self_and_closure(facts: ModuleFacts, info: FunctionInfo, env: dict[str, Value],
                          done: dict[str, _FunctionWalk]) -> None:
    if info.self_name is not None:
        env[info.self_name] = Opaque("self")
        init_key = f"{info.class_key}.__init__"
        if info.key != init_key and init_key in done and info.class_key:
            once = facts.attrs_assigned_once(info.class_key)
            for key, value in done[init_key].walk.self_attrs.items():
                if key[5:] in once:
                    env[key] = value
    if info.nested_in and info.nested_in in done:
        closure = done[info.nested_in].walk.closures.get(id(info.node), {})
        for name, value in closure.items():
            if name not in env:
                env[name] = assume(value, name, f"{name} in the enclosing function",
                                   f"{name} as the enclosing function sets it") \
                    if isinstance(value, Q) else value


def _calls_by_callee(walks: list[WalkResult]) -> dict[str, list[CallRecord]]:
    calls: dict[str, list[CallRecord]] = {}
    for walk in walks:
        for record in walk.calls:
            calls.setdefault(record.callee, []).append(record)
    return calls


def _signature(env: dict[str, Value]) -> str:
    parts = []
    for key in sorted(env):
        value = env[key]
        if isinstance(value, Q):
            parts.append(f"{key}={value.exact!r}/{value.default!r}")
        else:
            parts.append(f"{key}:{_shape_signature(value)}")
    return ";".join(parts)


_SIGNATURE_DEPTH = 64


def _shape_signature(value: Value, within: tuple[int, ...] = ()) -> str:
    """`within`: the lists around this one. A list that holds itself (`x.append(x)`) or lies
    deeper than _SIGNATURE_DEPTH is written as itself, its id: such a signature differs from
    any other round's, so the function is walked again (never kept from a walk with other
    arguments), within _MAX_ROUNDS."""
    from paramlens.engine.values import TensorV, TupleV

    if isinstance(value, TupleV):
        if id(value) in within or len(within) >= _SIGNATURE_DEPTH:
            return f"#{id(value)}"
        inner = (*within, id(value))
        return "(" + ",".join(_shape_signature(v, inner) for v in value.items) + ")"
    if isinstance(value, TensorV):
        return f"T{value.channels.exact!r}/{value.channels.default!r}"
    if isinstance(value, Q):
        return f"{value.exact!r}/{value.default!r}"
    return type(value).__name__


# results ------------------------------------------------------------------------------------------
def _span(node: ast.expr, index: LineIndex) -> Span:
    end_line = node.end_lineno or node.lineno
    return Span(node.lineno, index.column_from_utf8(node.lineno, node.col_offset), end_line,
                index.column_from_utf8(end_line, node.end_col_offset or node.col_offset))


def _name_span(call: ast.Call, index: LineIndex) -> Span:
    func = call.func
    span = _span(func, index)
    if isinstance(func, ast.Attribute) and span.line == span.end_line:
        return Span(span.end_line, span.end_column - len(func.attr), span.end_line, span.end_column)
    return span


def site_in_channels(site: LayerSite) -> Q:
    spec = site.spec
    if spec.in_arg is not None:
        value = site.values.get(spec.in_arg)
        return value if isinstance(value, Q) else Q.unknown(spec.in_arg)
    if site.input is not None:
        return channels.input_channels(site, site.input)
    return Q.unknown("in_channels", "nothing in this file says what reaches this layer")


def _with_modules_read(site: LayerSite) -> dict[str, Value]:
    """The call's values as catalogue.count reads its module arguments: one that owns no
    parameter (a function of the file, a lambda, a parameterless layer) as a FrameworkName; a
    counted one (a TransformerEncoder's `encoder_layer`, `norm`) as its parameter count, when
    it is a layer built right there in the call (one made earlier may have changed since)."""
    spec, values = site.spec, site.values
    weightless = [name for name in spec.module_args if (
        isinstance(values.get(name), LayerV) and values[name].spec.formula is None) or
        isinstance(values.get(name), FunctionRef) or
        isinstance(values.get(name), Opaque) and values[name].text == "lambda"]
    read: dict[str, Value] = dict.fromkeys(weightless, Q.const(FrameworkName("a function")))
    written = [*site.node.args, *(kw.value for kw in site.node.keywords)]
    for name in spec.counted_args:
        value = values.get(name)
        if isinstance(value, LayerV):
            inline = any(value.site.node is arg for arg in written)
            read[name] = _layer_total(value.site) if inline else \
                Q.unknown(f"the parameters of {name}")
        elif isinstance(value, Q):  # None holds nothing; anything else the checks refuse
            read[name] = value.unary(lambda v: 0 if v is None else v, name)
        else:
            read[name] = Q.unknown(f"the parameters of {name}")
    return {**values, **read} if read else values


def _layer_total(site: LayerSite) -> Q:
    """The parameter count of the layer built at `site`; unknown where the framework refuses
    it (then the call holding it never runs)."""
    in_ch = site_in_channels(site)
    tensors, total = count(site.spec, Args(_with_modules_read(site), in_ch, site.spec.ndim)) \
        if site.spec.formula is not None else ([], Q.const(0))
    refused, if_defaults = _refusals(site, in_ch, tensors)
    if refused or if_defaults or site.class_assumption:
        return Q.unknown("the parameters of a layer the framework may refuse")
    return total


def finish_site(site: LayerSite, index: LineIndex) -> tuple[LayerResult, list[Diagnostic]]:
    spec = site.spec
    if spec.formula is None:
        result = _parameterless(site, index)
        held = [name for name, value in _with_modules_read(site).items()
                if name in spec.module_args and not (isinstance(value, Q) and value.known and
                                                     weightless_argument(value.exact))]
        if held:  # `distance_function=nn.Bilinear(4, 4, 1)`: a submodule that may own weights
            result = dataclasses.replace(result, params=None, params_default=None, formula="",
                                         unknowns=(f"{held[0]} may be a module with weights",))
        refused, _ = _refusals(site, Q.unknown("in_channels"), [])
        if refused:
            result = dataclasses.replace(result, params=None, params_default=None,
                                         formula="", invalid=refused,
                                         unknowns=(f"cannot be built: {refused}",))
            return result, [_refused_diagnostic(site, result.span, refused)]
        if site.mismatch:
            return result, [Diagnostic(result.span, "error", "merge-mismatch", site.mismatch)]
        return result, []
    in_ch = site_in_channels(site)
    args = Args(_with_modules_read(site), in_ch, spec.ndim)
    tensors, total = count(spec, args)
    refused, refused_if_defaults = _refusals(site, in_ch, tensors)
    certain = not site.class_assumption
    params = _as_count(total.exact) if certain else None
    params_default = _as_count(total.default)
    if (params is not None and params < 0) or (params_default is not None and params_default < 0):
        params = params_default = None  # a size below zero: something was misread; say nothing
    formula = total.text()
    assumptions = [a for a in (site.class_assumption, total.assumption) if a]
    unknowns: list[str] = []
    if params_default is None:
        unknowns = [f"depends on {name}" for name in _symbols(total.term)]
        if site.why:
            unknowns = [site.why]
    shapes = tuple(_tensor_shape(t.name, t.shape, t.present) for t in tensors
                   if not (t.present.known and not t.present.exact))
    out_q = spec.flow(args) if spec.flow else None
    output_shape, mult_adds = _output(site, args, params)
    span = _span(site.node, index)
    diagnostics: list[Diagnostic] = []
    if site.mismatch:
        diagnostics.append(Diagnostic(span, "error", "channel-mismatch", site.mismatch,
                                      _channels_fix(site, span)))
    groups_problem = _groups_problem(site, in_ch)
    if groups_problem:
        diagnostics.append(Diagnostic(span, "error", "groups-divisibility", groups_problem))
    elif refused:
        # (a build refused where the layer is first called: the error is on that call)
        at = _span(site.call_refused[0], index) \
            if site.call_refused is not None and refused == site.build_refused else span
        diagnostics.append(_refused_diagnostic(site, at, refused))
    invalid = groups_problem or refused
    if site.call_refused is not None and not invalid:
        call, why, _scope = site.call_refused
        diagnostics.append(Diagnostic(_span(call, index), "error", "refused-call",
                                      f"Keras refuses this call of {spec.short}: {why}"))
    if not invalid and refused_if_defaults and params_default is not None:
        # Under the stated defaults the framework would refuse: no count under them either.
        params_default = None
        unknowns = [f"under its assumptions, {spec.framework} refuses it: {refused_if_defaults}"]
    if invalid:
        # The framework refuses to build this layer: any count would be made up.
        params = params_default = None
        unknowns = [f"cannot be built: {invalid}"]
        shapes = tuple(_tensor_shape(t.name, tuple(Q.unknown(d.text()) if d.known else d
                                                   for d in t.shape), t.present)
                       for t in tensors if not (t.present.known and not t.present.exact))
        output_shape, mult_adds = None, None
    result = LayerResult(
        span=span,
        name_span=_name_span(site.node, index),
        layer=spec.name,
        framework=spec.framework,
        family=spec.family,
        params=params,
        params_default=params_default,
        formula=formula,
        tensors=shapes,
        in_channels=_as_int(in_ch.exact),
        in_channels_default=_as_int(in_ch.default),
        in_channels_text=in_ch.text() if not in_ch.known else str(in_ch.exact),
        in_channels_from=_in_from(site, in_ch),
        assumptions=tuple(assumptions),
        unknowns=tuple(unknowns),
        out_channels=_as_int(out_q.exact) if out_q is not None else None,
        output_shape=output_shape,
        mult_adds=mult_adds,
        scope=site.scope,
        invalid=invalid,
    )
    return result, diagnostics


def _channels_fix(site: LayerSite, span: Span) -> Fix | None:
    """The in-channels the previous layer gives, as a number: it is fixed where the flow proves
    a mismatch, so the same number is right in every context that reaches the call."""
    spec, flowing = site.spec, site.flowing_channels
    if spec.in_arg is None or not isinstance(flowing, int) or isinstance(flowing, bool):
        return None
    names = [p.name for p in spec.signature]
    return Fix(f"Set {spec.in_arg}={flowing} (what the previous layer gives)", "set-argument",
               span, spec.in_arg, str(flowing), names.index(spec.in_arg))


def _refusals(site: LayerSite, in_ch: Q, tensors: list[Tensor]) -> tuple[str | None, str | None]:
    """Why the framework refuses this call: for certain (the values the file fixes), and under
    the stated defaults. A class that itself rests on an assumption refuses only under it."""
    spec = site.spec
    node = site.node
    hidden = any(isinstance(a, ast.Starred) for a in node.args) or \
        any(kw.arg is None for kw in node.keywords)
    positional = sum(1 for a in node.args if not isinstance(a, ast.Starred))
    keywords = [kw.arg for kw in node.keywords if kw.arg is not None]
    given = {k for k in site.values if k not in site.unknown_args}
    by_call = call_refusal(spec, positional, keywords, hidden or bool(site.unknown_args), given) \
        or site.build_refused or None
    shape = site.values.get("__input_shape__")  # Keras, once the input is known
    found: list[str | None] = []
    for exact in (True, False):
        values = {k: _plain(v, exact) for k, v in site.values.items() if not k.startswith("__")}
        full = (None, *_plain(shape, exact)) if isinstance(shape, TupleV) else UNKNOWN
        given_values = Given(values, in_ch.exact if exact else in_ch.default, full)
        found.append(by_call or value_refusal(spec, given_values) or
                     tensor_refusal(spec, tensors, exact))
    certain, if_defaults = found
    if site.class_assumption:
        return None, certain or if_defaults
    return certain, if_defaults


def _plain(value: Value, exact: bool) -> object:
    """An argument as the framework would receive it, UNKNOWN where the file does not fix it."""
    if isinstance(value, Q):
        return value.exact if exact else value.default
    if isinstance(value, TupleV):
        if not value.complete:
            return UNKNOWN
        items = tuple(_plain(v, exact) for v in value.items)
        return list(items) if value.is_list else items
    return UNKNOWN


def _refused_diagnostic(site: LayerSite, span: Span, reason: str) -> Diagnostic:
    framework = "torch" if site.spec.framework == "torch" else "Keras"
    message = reason if reason.startswith("Python") else \
        f"{framework} refuses to build {site.spec.short}: {reason}"
    return Diagnostic(span, "error", "refused-arguments", message)


def _parameterless(site: LayerSite, index: LineIndex) -> LayerResult:
    """Pooling, activations, merges: recognised, and owning no parameters whatever the input."""
    spec = site.spec
    return LayerResult(span=_span(site.node, index), name_span=_name_span(site.node, index),
                       layer=spec.name, framework=spec.framework, family=spec.family, params=0,
                       params_default=0, formula="0", tensors=(), in_channels=None,
                       in_channels_default=None, in_channels_text="", in_channels_from="not needed",
                       scope=site.scope)


def _in_from(site: LayerSite, in_ch: Q) -> str:
    if not _uses_in_channels(site):
        return "not needed"
    if in_ch.known and in_ch.origin in ("literal", ""):
        return "literal"
    if in_ch.origin:
        return in_ch.origin
    if in_ch.known_default:
        return in_ch.assumption or "defaults"
    return f"unknown: depends on {in_ch.text()}"


def _uses_in_channels(site: LayerSite) -> bool:
    spec = site.spec
    return spec.in_arg is not None or spec.framework == "keras" or spec.short.startswith("Lazy")


def _as_count(value: object) -> int | None:
    """A total: a size the framework took as a bool (`Embedding(1, True)`) counts as its int."""
    return _as_int(int(value) if isinstance(value, bool) else value)


def _as_int(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    return value


def _symbols(term: tuple) -> list[str]:
    found: list[str] = []

    def visit(t: tuple) -> None:
        kind = t[0]
        if kind == "sym":
            text = symbol_text(t[1])
            if text not in found:
                found.append(text)
        elif kind in ("mul", "add"):
            for sub in t[1]:
                visit(sub)
        elif kind in ("sub", "div"):
            visit(t[1])
            visit(t[2])
        elif kind == "cond":
            if t[1] not in found:
                found.append(t[1])
            visit(t[2])
        elif kind == "op":
            visit(t[2])
            visit(t[3])
        elif kind == "call":
            for sub in t[2]:
                visit(sub)

    visit(term)
    return found


def _tensor_shape(name: str, dims: tuple[Q, ...], present: Q) -> TensorShape:
    ints = [_as_int(d.exact) for d in dims]
    shape = tuple(i for i in ints if i is not None) if all(i is not None for i in ints) else None
    text = "(" + ", ".join(render(d.term) if not d.known else str(d.exact) for d in dims) + \
        ("," if len(dims) == 1 else "") + ")"
    n = math.prod(shape) if shape is not None else None
    defaults = [_as_int(d.default) for d in dims]
    default_shape = tuple(i for i in defaults if i is not None) \
        if all(i is not None for i in defaults) else None
    default_present = present.default if isinstance(present.default, bool) else None
    return TensorShape(name, shape, text, n, present.exact if present.known else None,
                       default_shape, default_present)


def _output(site: LayerSite, args: Args, params: int | None) -> tuple[tuple[int, ...] | None,
                                                                      int | None]:
    if site.input is None or site.input.shape is None or not site.spec.is_conv:
        return None, None
    spatial = channels.conv_output_spatial(site, args, site.input.shape)
    out = site.spec.flow(args) if site.spec.flow else None
    if spatial is None or out is None or not _is_size(out.exact) or \
            not all(_is_size(d.exact) for d in spatial):
        return None, None  # (a size the framework refuses has no output shape either)
    dims = tuple(int(d.exact) for d in spatial)
    mult_adds = params * math.prod(dims) if params is not None else None
    return (*dims, int(out.exact)), mult_adds


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _groups_problem(site: LayerSite, in_ch: Q) -> str | None:
    spec = site.spec
    if spec.family != "conv" or spec.short.startswith("Lazy"):
        return None  # (torch's Lazy* are built with 0 channels and never check groups again)
    groups = site.values.get("groups")
    out = site.values.get("out_channels" if spec.framework == "torch" else "filters")
    if not (isinstance(groups, Q) and groups.known and isinstance(groups.exact, int)) or \
            groups.exact <= 1:
        return None
    for label, q in (("input channels", in_ch), ("output channels", out)):
        if isinstance(q, Q) and q.known and isinstance(q.exact, int) and q.exact % groups.exact:
            return f"groups={groups.exact} does not divide the {q.exact} {label}"
    return None


# totals --------------------------------------------------------------------------------------------
_MODULE_BASES = ("torch.nn.Module", "keras.layers.Model", "keras.layers.Layer")


def _model_totals(facts: ModuleFacts, walks: list[WalkResult], finished: dict[int, LayerResult],
                  index: LineIndex, statements: list[ast.stmt]) -> list[ModelTotal]:
    totals: list[ModelTotal] = []
    # (a layer whose weights quantize() or enable_lora() changed: unknown in any model)
    changed = {id(site.node) for w in walks for site in w.sites if site.reweighed}
    changed_spans = {(r.span.line, r.span.column) for key, r in finished.items()
                     if key in changed}
    refused = [site.call_refused for w in walks for site in w.sites
               if site.call_refused is not None]

    def total(name: str, kind: str, span: Span, layers: list[LayerResult], extra: int
              ) -> ModelTotal:
        kept = [r for r in layers if (r.span.line, r.span.column) not in changed_spans]
        return _total(name, kind, span, kept, extra + len(layers) - len(kept))

    for key, info in facts.classes.items():
        kind = next((b for b in info.bases if b in _MODULE_BASES), None)
        if kind is None or _made_otherwise(info.node):
            continue
        inside = [r for r in finished.values() if r.scope.startswith(f"{key}.")]
        # Each call to the file's own functions or classes from inside may build more layers,
        # and so may any other call the walk does not follow (a class of another module,
        # nn.Parameter, weight_norm) or a weight the class adds itself (Keras' add_weight)
        extra = sum(1 for w in walks for c in w.calls if c.scope.startswith(f"{key}."))
        if not extra and (any(scope.startswith(f"{key}.") for w in walks
                              for scope in w.unfollowed) or _adds_weights(info.node) or
                          _keeps_arguments(info.node)):
            extra = 1
        # A layer built in a loop, a branch or another method may be built any number of times,
        # none included (the file's own walk does not run __init__: the evaluation does)
        once = _built_once(info.node, index)
        counted = [r for r in inside if (r.span.line, r.span.column) in once]
        totals.append(total(info.node.name, "nn.Module" if kind.startswith("torch") else
                             "keras.Model", _span(info.node, index), counted,
                             extra + len(inside) - len(counted)))
    for walk in walks:
        for seq, _scope in walk.sequentials:
            if seq.node is None:
                continue
            results, unknown = _sequential_members(seq, finished)
            totals.append(total("Sequential", "Sequential", _span(seq.node, index), results,
                                unknown))
        for node, scope in walk.models:
            inside = [r for r in finished.values() if r.scope == scope and r.framework == "keras"]
            # what a call the walk does not follow builds may be in its graph: not counted
            found = total("Model", "Model", _span(node, index), inside,
                          int(scope in walk.unfollowed))
            body = statements if scope == "<module>" else \
                facts.functions[scope].node.body if scope in facts.functions else None
            raised = _refused_before(node, scope, body, refused, index)
            if raised is not None:
                found = dataclasses.replace(found, unknown_layers=found.unknown_layers + 1,
                                            params_default=None, raised=raised)
            totals.append(found)
    return sorted(totals, key=lambda t: (t.span.line, t.span.column))


_STRAIGHT = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_MAYBE = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.IfExp,
          ast.BoolOp)


def _built_once(node: ast.ClassDef, index: LineIndex) -> set[tuple[int, int]]:
    """Where the calls are that the class's own __init__ makes exactly once each time it runs."""
    init = next((stmt for stmt in node.body
                 if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__"), None)
    return set(_straight_calls(init.body if init is not None else [], index))


def _straight_calls(body: list[ast.stmt], index: LineIndex, returned: bool = False
                    ) -> dict[tuple[int, int], int]:
    """The calls that `body` makes exactly once each time it runs, by where they are, with the
    index of their statement: in statements of the body itself (not in a loop, a branch, a `try`,
    a comprehension or a conditional expression), up to the first statement that may return or
    raise; with `returned`, a `return` there too (what it returns is made when it runs)."""
    found: dict[tuple[int, int], int] = {}
    for number, stmt in enumerate(body):
        if returned and isinstance(stmt, ast.Return):
            found.update(dict.fromkeys(_straight_calls([ast.Expr(stmt.value)], index)
                                       if stmt.value is not None else (), number))
            break
        if not isinstance(stmt, _STRAIGHT):
            # (a def or a class statement only binds a name: a `return` in it is the function's)
            if not isinstance(stmt, _DEFINITIONS) and \
                    any(isinstance(n, (ast.Return, ast.Raise)) for n in ast.walk(stmt)):
                break
            continue
        stack: list[ast.AST] = [stmt]
        while stack:
            item = stack.pop()
            if isinstance(item, _MAYBE):
                continue
            if isinstance(item, ast.Call):
                span = _span(item, index)
                found[(span.line, span.column)] = number
            stack.extend(ast.iter_child_nodes(item))
    return found


def _refused_before(model: ast.Call, scope: str, body: list[ast.stmt] | None,
                    refused: list[tuple[ast.Call, str, str]], index: LineIndex) -> str | None:
    """Where a call Keras refuses runs, for certain, before `model` in the body of `scope`: then
    Python never reaches the model."""
    if body is None:
        return None
    straight = _straight_calls(body, index, returned=True)
    at = _span(model, index)
    here = straight.get((at.line, at.column))
    if here is None:
        return None
    for call, _why, call_scope in refused:
        span = _span(call, index)
        number = straight.get((span.line, span.column))
        if call_scope == scope and number is not None and (
                number < here or (number == here and span.line <= model.lineno)):
            return f"Keras refuses the call on line {span.line}"
    return None


def _adds_weights(node: ast.ClassDef) -> bool:
    """A Keras layer that makes weights of its own (`self.add_weight(...)`, in __init__ or in
    build), which no layer call in its code shows."""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and
               n.func.attr in ("add_weight", "add_variable") for n in ast.walk(node))


_DATA_TYPES = frozenset({"int", "float", "bool", "str", "bytes", "complex", "tuple", "list",
                         "Tuple", "List", "Sequence", "Optional", "Union"})


def _keeps_arguments(node: ast.ClassDef) -> bool:
    """`self.backbone = backbone`, `self.norm = norm_layer(dim)`: __init__ keeps what it is
    given (or what a callable it is given makes), and the class runs it as a module, which may
    have weights. An argument whose default is a literal, or that is annotated as data, is
    taken as data."""
    init = next((stmt for stmt in node.body
                 if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__"), None)
    if init is None:
        return False
    args = init.args
    positional = args.posonlyargs + args.args
    defaults = dict(zip([a.arg for a in positional][len(positional) - len(args.defaults):],
                        args.defaults, strict=True))
    defaults.update((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                    if d is not None)
    given = {a.arg: a for a in [*positional[1:], *args.kwonlyargs]}
    maybe = {name for name, arg in given.items() if not _data_argument(arg, defaults.get(name))}
    maybe |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    receiver = positional[0].arg if positional else None

    def holds(expr: ast.AST) -> bool:
        if isinstance(expr, ast.Name):
            return expr.id in maybe
        if isinstance(expr, ast.Call):
            return holds(expr.func) if isinstance(expr.func, ast.Name) and \
                expr.func.id in maybe else any(holds(a) for a in [*expr.args, *(
                    k.value for k in expr.keywords)]) and _container_call(expr)
        if isinstance(expr, ast.IfExp):
            return holds(expr.body) or holds(expr.orelse)
        if isinstance(expr, ast.BoolOp):
            return any(holds(v) for v in expr.values)
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return any(holds(e) for e in expr.elts)
        if isinstance(expr, ast.Dict):
            return any(holds(v) for v in expr.values)
        if isinstance(expr, ast.Starred):
            return holds(expr.value)
        return False

    kept = set()
    for stmt in ast.walk(init):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else \
            [stmt.target] if isinstance(stmt, ast.AnnAssign) and stmt.value is not None else []
        for t in targets:
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and \
                    t.value.id == receiver and holds(stmt.value):  # type: ignore[union-attr]
                kept.add(t.attr)
    return bool(kept) and _run_as_modules(node, kept)


def _run_as_modules(node: ast.ClassDef, attrs: set[str]) -> bool:
    """Whether a method calls one of these attributes (`self.backbone(x)`), an item of one
    (`self.heads[0](x)`), or loops over one: what it holds is used as a module (a config kept
    as `self.config` is read, never run)."""
    def named(expr: ast.AST) -> bool:
        while isinstance(expr, ast.Subscript):
            expr = expr.value
        return isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and \
            expr.attr in attrs
    for item in ast.walk(node):
        if isinstance(item, ast.Call) and named(item.func) or \
                isinstance(item, (ast.For, ast.comprehension)) and named(item.iter):
            return True
    return False


def _data_argument(arg: ast.arg, default: ast.expr | None) -> bool:
    """Annotated as data (`int`, `tuple[float, ...]`, `Optional[bool]`), or given a literal
    default (`256`, `(0.485, 0.456)`) that is not None."""
    annotation = arg.annotation
    if annotation is not None and all(
            isinstance(n, (ast.Name, ast.Subscript, ast.Tuple, ast.Constant, ast.BinOp, ast.Load,
                           ast.BitOr)) and (not isinstance(n, ast.Name) or n.id in _DATA_TYPES)
            and (not isinstance(n, ast.Constant) or n.value in (None, Ellipsis))
            for n in ast.walk(annotation)):
        return True
    try:
        return default is not None and ast.literal_eval(default) is not None
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def _container_call(call: ast.Call) -> bool:
    """A call that holds what it is given: torch's containers, a list or a dict."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else \
        func.id if isinstance(func, ast.Name) else ""
    return name in ("Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
                    "list", "tuple", "dict", "OrderedDict")


def _made_otherwise(node: ast.ClassDef) -> bool:
    """A class whose call may return another object than its __init__ builds: it defines
    `__new__`, or names a metaclass (whose __call__ may do anything)."""
    return any(kw.arg == "metaclass" for kw in node.keywords) or any(
        isinstance(stmt, ast.FunctionDef) and stmt.name == "__new__" for stmt in node.body)


def _sequential_members(seq: SequentialV, finished: dict[int, LayerResult]) -> tuple[
        list[LayerResult], int]:
    results: list[LayerResult] = []
    unknown = 0 if seq.complete else 1
    seen: set[int] = set()
    for member in seq.members:
        if isinstance(member, LayerV):
            if id(member.site.node) in seen:
                continue  # one object used twice owns its parameters once
            seen.add(id(member.site.node))
            result = finished.get(id(member.site.node))
            if result is not None:
                results.append(result)
        elif isinstance(member, SequentialV):
            inner, inner_unknown = _sequential_members(member, finished)
            results += inner
            unknown += inner_unknown
        elif not isinstance(member, Q):
            unknown += 1
    return results, unknown


def _total(name: str, kind: str, span: Span, layers: list[LayerResult], extra_unknown: int
           ) -> ModelTotal:
    known = [r.params for r in layers if r.params is not None]
    unknown = sum(1 for r in layers if r.params is None) + extra_unknown
    defaults = [r.params_default for r in layers]
    with_defaults = sum(d for d in defaults if d is not None) \
        if extra_unknown == 0 and all(d is not None for d in defaults) else None
    return ModelTotal(name, kind, span, sum(known), unknown, tuple(r.span.line for r in layers),
                      with_defaults)
