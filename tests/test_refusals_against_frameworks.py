"""Every catalogue class, drawn with random arguments, valid and invalid, built by torch or by Keras
(backend torch), against ours.

For each drawn call: the framework refuses it ⇔ paramlens gives no count and reports a
`refused-arguments` error (or `groups-divisibility`, its older name for that one refusal); the
framework builds it ⇒ our count is the framework's. The static analysis and the evaluator are
both held to this. The expected outcome always comes from the framework, never from paramlens.

The classes come from the catalogue itself, so a new entry is drawn without touching this file;
an argument this file has no domain for keeps its default, and the test says so if a required
one has none.
"""

from __future__ import annotations

import ast
import os
import random
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from paramlens.engine.analysis import analyze_source
from paramlens.engine.catalogue import BY_NAME, CATALOGUE, FrameworkName, LayerSpec
from paramlens.engine.in_context import apply_evaluation, evaluate_texts
from paramlens.engine.parse import compiler_refusal
from paramlens.engine.results import FileReport, LayerResult

os.environ.setdefault("KERAS_BACKEND", "torch")
torch = pytest.importorskip("torch")
nn = torch.nn

SEED = 20261126
CASES_WITH_PARAMS = 30  # per class that owns parameters
CASES_WITHOUT = 10  # per parameterless class
REFUSAL_CODES = {"refused-arguments", "groups-divisibility"}

Draw = Callable[[random.Random, dict[str, Any]], Any]

# Sizes: channels, features, units... Valid draws are small and positive; the odd ones are what
# people get wrong (zero, negative, float, bool, None, a string).
_SIZE_ARGS = {"in_channels", "out_channels", "in_features", "out_features", "in1_features",
              "in2_features", "num_features", "num_channels", "num_embeddings", "embedding_dim",
              "hidden_size", "input_size", "embed_dim", "num_parameters", "filters", "units",
              "input_dim", "output_dim", "key_dim", "d_model", "dim_feedforward"}
_ODD_SIZES = [0, -1, -3, 2.5, 3.0, True, None, "4"]
_FLAGS = {"bias", "use_bias", "affine", "elementwise_affine", "center", "scale", "add_bias_kv",
          "bidirectional", "batch_first", "reset_after", "add_zero_attn"}


def _size(rng: random.Random, ctx: dict[str, Any]) -> int:
    return rng.randint(1, 6)


def _grouped(name: str) -> Draw:
    """A size that the drawn groups (or heads) divide."""
    return lambda rng, ctx: ctx.get("groups_drawn", 1) * rng.randint(1, 4)


def _kernel(rng: random.Random, ctx: dict[str, Any]) -> Any:
    ndim = ctx["ndim"] or 1
    return rng.randint(1, 3) if rng.random() < 0.5 else tuple(rng.randint(1, 3)
                                                            for _ in range(ndim))


def _odd_kernel(rng: random.Random, ctx: dict[str, Any]) -> Any:
    ndim = ctx["ndim"] or 1
    return rng.choice([0, -1, 2.0, True, tuple([-1] + [3] * (ndim - 1)),
                       tuple([3] * (ndim + 1)), tuple([3] * (ndim - 1) + [2.0])])


@dataclass
class Domain:
    valid: Draw
    odd: Draw | None = None  # a value the framework may refuse


def _pick(*values: Any) -> Draw:
    return lambda rng, ctx: rng.choice(values)


class _Source(str):
    """An argument drawn as source text (a module built in the call), rendered as it is."""

    def __repr__(self) -> str:
        return str(self)


def _built_layer(kind: str) -> Draw:
    def draw(rng: random.Random, ctx: dict[str, Any]) -> Any:
        heads = rng.choice([1, 2])
        return rng.choice([_Source(f"nn.{kind}({heads * rng.randint(1, 3)}, {heads}, "
                                   f"{rng.randint(1, 6)})"), _Source("nn.Identity()"), None])
    return draw


# EinsumDense's equations for an input of rank 3, with output shapes and bias axes for each
_EINSUMS: dict[str, list[Any]] = {
    "abc,cd->abd": [(None, 4), (3, 2), [None, 5]],
    "...b,bc->...c": [4, (2,)],
    "abc,cde->abde": [(None, 2, 3), (3, 1, 4)],
    "abc,cd->ad": [(4,), 2],
    "ab...,bc->ac...": [(3, None), (5, None)],
}
_EINSUM_BIAS = {"abc,cd->abd": ("d", "bd"), "...b,bc->...c": ("c",), "abc,cde->abde": ("e", "de"),
                "abc,cd->ad": ("d",), "ab...,bc->ac...": ("c",)}

# (class short name or "", argument) → its domain; "" applies to every class.
DOMAINS: dict[tuple[str, str], Domain] = {
    ("", "kernel_size"): Domain(_kernel, _odd_kernel),
    ("", "stride"): Domain(_pick(1, 1, 2), _pick(0, -1, 1.5)),
    ("", "strides"): Domain(_pick(1, 1, 2), _pick(0, -1, 1.5)),
    ("", "dilation"): Domain(_pick(1, 2), _pick(0, -1)),
    ("", "dilation_rate"): Domain(_pick(1, 1, 2), _pick(0, -1)),
    ("", "groups"): Domain(lambda rng, ctx: ctx["groups_drawn"], _pick(0, -2, 2.0, True, 5)),
    ("", "padding_mode"): Domain(_pick("zeros", "zeros", "reflect", "circular"),
                                 _pick("bogus", "Zeros")),
    ("", "num_layers"): Domain(_pick(1, 2, 3), _pick(0, -1, 2.0, True)),
    ("", "dropout"): Domain(_pick(0.0, 0.0, 0.5), _pick(2.0, -0.5, True, "0.1")),
    ("", "p"): Domain(_pick(0.1, 0.5, 0.9), _pick(1.5, -0.1, True)),
    ("", "rate"): Domain(_pick(0.1, 0.5), _pick(1.5, -0.1, "0.2")),
    ("", "normalized_shape"): Domain(
        lambda rng, ctx: rng.choice([rng.randint(1, 6), (rng.randint(1, 6),),
                                     (rng.randint(1, 3), rng.randint(1, 6))]),
        _pick(4.0, -1, (3, -2), True, 0, ())),
    ("", "padding_idx"): Domain(_pick(None, 0, -1, 1), _pick(99, -99)),
    ("", "nonlinearity"): Domain(_pick("tanh", "relu"), _pick("bogus")),
    ("", "depth_multiplier"): Domain(_pick(1, 2, 3), _pick(0, -1, 2.0)),
    ("", "kdim"): Domain(lambda rng, ctx: rng.choice([None, rng.randint(1, 6)]), _pick(0, -1, 3.0)),
    ("", "vdim"): Domain(lambda rng, ctx: rng.choice([None, rng.randint(1, 6)]), _pick(0, -1)),
    ("", "value_dim"): Domain(lambda rng, ctx: rng.choice([None, rng.randint(1, 4)])),
    ("", "output_shape"): Domain(lambda rng, ctx: rng.choice([None, rng.randint(1, 4)])),
    ("", "num_heads"): Domain(lambda rng, ctx: ctx["groups_drawn"], _pick(0, -2, 2.0, 3)),
    ("", "nhead"): Domain(lambda rng, ctx: ctx["groups_drawn"], _pick(0, -2, 2.0, 3)),
    ("", "num_encoder_layers"): Domain(_pick(0, 1, 2), _pick(2.0, -1, True, None)),
    ("", "num_decoder_layers"): Domain(_pick(0, 1, 2), _pick(2.0, -1, True, None)),
    ("", "upscale_factor"): Domain(_pick(1, 2, 3), _pick(0, -1, 2.0)),
    ("", "downscale_factor"): Domain(_pick(1, 2, 3), _pick(0, -1, 2.0)),
    ("", "unflattened_size"): Domain(_pick((2, 3), [2, 3], (4,)), _pick((2.0, 3), 6, "x", (2, None))),
    ("", "margin"): Domain(_pick(0.5, 1.0), _pick(0.0, -1.0, "x")),
    ("", "delta"): Domain(_pick(1.0, 2), _pick("x", None)),
    ("MultiMarginLoss", "p"): Domain(_pick(1, 2), _pick(3, 1.5, 0)),
    ("TransformerEncoderLayer", "activation"): Domain(_pick("relu", "gelu"), _pick("tanh", "Gelu")),
    ("TransformerDecoderLayer", "activation"): Domain(_pick("relu", "gelu"), _pick("tanh", "Gelu")),
    ("Transformer", "activation"): Domain(_pick("relu", "gelu"), _pick("tanh", "Gelu")),
    ("TransformerEncoder", "encoder_layer"): Domain(_built_layer("TransformerEncoderLayer"),
                                                    _pick(3, "x")),
    ("TransformerDecoder", "decoder_layer"): Domain(_built_layer("TransformerDecoderLayer"),
                                                    _pick(3, "x")),
    ("", "norm"): Domain(_pick(None, _Source("nn.LayerNorm(4)"), _Source("nn.Identity()"))),
    ("", "num_groups"): Domain(lambda rng, ctx: ctx["groups_drawn"], _pick(0, -2, 2.0, 3)),
    ("", "output_size"): Domain(_pick(1, 2, 3)),
    **{(f"Adaptive{kind}Pooling{n}D", "output_size"): Domain(
        _pick(1, 2, 5, (2,) * n, [3] * n, 0), _pick(2.5, None, (2,) * (n + 1), "2"))
       for kind in ("Average", "Max") for n in (1, 2, 3)},
    # EinsumDense on (batch, 3, channels): an equation, then an output shape and bias axes
    # drawn for it (ctx), or ones Keras refuses
    ("EinsumDense", "equation"): Domain(
        lambda rng, ctx: ctx.setdefault("equation", rng.choice(list(_EINSUMS))),
        _pick("ab,bc", "abc,cd->abz", "ab,bc->ac")),
    ("EinsumDense", "output_shape"): Domain(
        lambda rng, ctx: rng.choice(_EINSUMS.get(ctx.get("equation"), [4])),
        _pick(None, 2.5, (None, 99, 4))),
    ("EinsumDense", "bias_axes"): Domain(
        lambda rng, ctx: rng.choice([None, *_EINSUM_BIAS.get(ctx.get("equation"), ())]),
        _pick("z", "q")),
    ("GroupQueryAttention", "head_dim"): Domain(_size, _pick(0, -1, "4", None)),
    ("GroupQueryAttention", "num_query_heads"): Domain(
        lambda rng, ctx: ctx["groups_drawn"] * rng.randint(1, 2), _pick(0, -2, 7, 2.5)),
    ("GroupQueryAttention", "num_key_value_heads"): Domain(lambda rng, ctx: ctx["groups_drawn"],
                                                           _pick(0, 5, 2.0)),
    ("GroupQueryAttention", "sliding_window"): Domain(_pick(None, 4), _pick(0, -1, 2.5)),
    ("GroupQueryAttention", "flash_attention"): Domain(_pick(None, False)),
    ("AdaptiveLogSoftmaxWithLoss", "n_classes"): Domain(_pick(20, 50, 100), _pick(3, 0, 2.5)),
    ("AdaptiveLogSoftmaxWithLoss", "cutoffs"): Domain(
        _pick([5, 10], (2,), [4, 8, 16], [1, 19]),
        _pick([], [10, 5], [0, 3], [5, 5], [2.5], 10, [5, 200], [3.0, 6])),
    ("AdaptiveLogSoftmaxWithLoss", "div_value"): Domain(_pick(4.0, 2.0, 1.0, 3),
                                                       _pick(0.0, -2.0, "4")),
    ("AdaptiveLogSoftmaxWithLoss", "head_bias"): Domain(_pick(True, False)),
    ("UnitNormalization", "axis"): Domain(_pick(-1, 1, [1, 2], (2,), -3), _pick(None, 1.5, "x")),
    ("", "norm_type"): Domain(_pick(1.0, 2.0)),
    ("", "value"): Domain(_pick(0.0, 1.0)),
    ("", "threshold"): Domain(_pick(0.1, 0.5)),
    ("", "activation"): Domain(_pick("relu", "tanh", None), _pick("Relu", "bogus", "")),
    ("", "recurrent_activation"): Domain(_pick("sigmoid", "hard_sigmoid"), _pick("Sigmoid")),
    ("", "min_val"): Domain(_pick(-1.0, 0.0), _pick(2.0, 1.0)),
    ("", "max_val"): Domain(_pick(1.0, 3.0), _pick(-2.0, 0.0)),
    ("", "approximate"): Domain(_pick("none", "tanh"), _pick("bogus")),
    ("", "negative_slope"): Domain(_pick(0.01, 0.2), _pick(-1.0)),
    ("", "inplace"): Domain(_pick(False, True), _pick(None, "yes")),
    ("", "dim"): Domain(_pick(None, 1, -1), _pick(1.5, "x")),
    ("", "mode"): Domain(_pick("nearest", "bilinear"), _pick("bogus")),
    ("", "scale_factor"): Domain(_pick(None, 2, 2.0), _pick(-1, 0)),
    ("", "start_dim"): Domain(_pick(0, 1), _pick(1.5)),
    ("", "end_dim"): Domain(_pick(-1, 2), _pick("x")),
    ("", "momentum"): Domain(_pick(0.1, None, 0.9), _pick(-1.0, 5)),
    ("", "eps"): Domain(_pick(1e-5, 1e-3), _pick(-1.0, 0)),
    ("", "track_running_stats"): Domain(_pick(True, False), _pick(None, 0)),
    ("", "epsilon"): Domain(_pick(1e-3, 1e-5), _pick(None, "x", "0.1")),
    ("", "data_format"): Domain(_pick(None, "channels_last", "channels_first"),
                                _pick("bogus", "NHWC", "Channels_Last")),
    ("", "keepdims"): Domain(_pick(False, True)),
    ("", "center"): Domain(_pick(True, False), _pick(None, 0, "no")),
    ("", "stddev"): Domain(_pick(0.1, 0.5)),
    ("", "target_shape"): Domain(_pick((-1,))),
    ("Lambda", "function"): Domain(_pick(_Source("lambda x: x"), _Source("lambda x: x * 2")),
                                   _pick(3, "relu", None)),
    ("", "pool_size"): Domain(_pick(1, 2, 3), _pick(0, -1)),
    ("", "size"): Domain(_pick(1, 2), _pick(0, -1)),
    ("", "shared_axes"): Domain(_pick(None, [1], [1, 2], 2), _pick(5, [0], [-1], [3], 0)),
    ("", "output_padding"): Domain(_pick(None, 0), _pick(1, 2, -1)),
    ("", "cropping"): Domain(_pick(0, 1)),
    ("Rescaling", "scale"): Domain(_pick(0.5, 2.0)),
    # inputs of these are (batch, 3, channels): every axis but the batch one
    ("BatchNormalization", "axis"): Domain(_pick(-1, -1, 1, 2, -2), _pick(0, 3, -4, 5)),
    ("LayerNormalization", "axis"): Domain(_pick(-1, 1, 2, -2, [1, 2]), _pick(0, 3, -4)),
    ("RMSNormalization", "axis"): Domain(_pick(-1, 1, 2), _pick(0, 3, -4)),
    ("GroupNormalization", "axis"): Domain(_pick(-1, -1, 1, 2), _pick(0, 3)),
    ("Normalization", "axis"): Domain(_pick(-1, -1, 1, 2, None, (1, 2), [-1], (2, 2)),
                                      _pick(0, 3, -4, (0, 1), 1.0, ("a",))),
    # a mean and a variance given as constants: numbers, or lists the input's sizes must fit
    ("Normalization", "mean"): Domain(_pick(None, None, 0.5, [0.5], [[1.0]]),
                                      _pick([1.0, 2.0], [[1.0, 2.0]] * 2, [1.0] * 7)),
    ("Normalization", "variance"): Domain(_pick(None, None, 2.0, [2.0], [[2.0]]),
                                          _pick([1.0, 2.0], [[1.0, 2.0]] * 2, [1.0] * 7)),
    ("ChannelShuffle", "groups"): Domain(_pick(1, 2, 3)),
    ("GroupNormalization", "groups"): Domain(lambda rng, ctx: ctx["groups_drawn"],
                                             _pick(0, -1, 2.0, 3, 64)),
    # Keras' image preprocessing
    ("", "factor"): Domain(_pick(0.1, 0.5, (0.1, 0.3), [-0.2, 0.2], 0, None, ()),
                           _pick(2, -1.5, 1.5, (0.5,), "x", (0.5, 0.2, 0.1), (2.0, 3.0),
                                 (-3.0, -2.0), ("a", "b"))),
    ("", "height_factor"): Domain(_pick(0.1, 0.2, (-0.2, 0.3), 1.0, -0.5),
                                  _pick(-1.0, 1.5, (0.1,), "x", (0.2, 2.0), None, (-1.0, 0.5))),
    ("", "width_factor"): Domain(_pick(0.1, 0.2, (-0.2, 0.3), 1.0, -0.5),
                                 _pick(-1.0, 1.5, (0.1,), "x", (0.2, 2.0), None, -1.2)),
    ("", "fill_mode"): Domain(_pick("reflect", "constant", "nearest", "wrap"),
                              _pick("bogus", "Reflect", None)),
    ("", "value_range"): Domain(_pick((0, 255), (0, 1), [0, 1], (1, 0)),
                                _pick(3, (0, 1, 2), "x", None, ("a", 1))),
    ("", "seed"): Domain(_pick(None, 1, 42)),
    ("", "height"): Domain(_pick(4, 7, 9)),
    ("", "width"): Domain(_pick(3, 7, 10)),
    ("", "n"): Domain(_pick(1, 2, 3), _pick(0, -1, 2.0, True, "3")),
    ("", "dims"): Domain(_pick((1, 2), (2, 1), [2, 1]), _pick((1, 3), (0, 1), (2, 2), 3, ())),
    ("", "use_scale"): Domain(_pick(True, False), _pick(None, 0, "yes")),
    ("", "score_mode"): Domain(_pick("dot", "concat"), _pick("bogus", "Dot", None)),
    ("RandomFlip", "mode"): Domain(_pick("horizontal", "vertical", "horizontal_and_vertical")),
    **{(short, "interpolation"): Domain(_pick("bilinear", "nearest"), _pick("bogus", "bicubic"))
       for short in ("RandomRotation", "RandomZoom", "RandomTranslation", "Resizing")},
}


def _torch_padding(rng: random.Random, ctx: dict[str, Any]) -> Any:
    return rng.choice([0, 1, "valid", "same"])


def _keras_padding(rng: random.Random, ctx: dict[str, Any]) -> Any:
    return rng.choice(["valid", "same", "SAME"])


def _domain(spec: LayerSpec, name: str) -> Domain | None:
    if name == "padding":
        if spec.is_conv or spec.family == "conv_rnn":
            return Domain(_torch_padding if spec.framework == "torch" else _keras_padding,
                          _pick("bogus", "full"))
        if spec.framework == "keras" and "Pool" in spec.short:
            return Domain(_keras_padding)
        return Domain(_pick(1, 2) if spec.framework == "torch" else _pick(0, 1))
    found = DOMAINS.get((spec.short, name)) or DOMAINS.get(("", name))
    if found is not None:
        return found
    if name in _SIZE_ARGS:
        grouped = spec.family in ("conv", "attention", "transformer") or \
            spec.short == "GroupNorm"
        return Domain(_grouped(name) if grouped else _size,
                      lambda rng, ctx: rng.choice(_ODD_SIZES))
    if name in _FLAGS:
        return Domain(_pick(True, False), _pick(None, 0, 1, "no"))
    return None


@dataclass
class Case:
    spec: LayerSpec
    call: str  # the constructor call as source text
    invalid: bool  # drawn with an odd value or an odd call (the framework decides)
    channels: int = 0  # what reaches the layer, for those that learn it from their input
    truth: int | None = None  # the framework's count; None when it refuses
    why: str = ""  # the framework's reason, when it refuses
    key_length: int = 7  # an attention's key (the value's is 7: Keras refuses another length)


def _render(value: Any) -> str:
    if isinstance(value, FrameworkName):  # a default such as torch.nn.functional.relu
        return value.qualname.replace("torch.nn.", "nn.", 1)
    return repr(value)


def _draw_case(rng: random.Random, spec: LayerSpec, prefix: str) -> Case:
    ndim = spec.ndim
    ctx: dict[str, Any] = {"ndim": ndim, "groups_drawn": rng.choice([1, 1, 2, 3])}
    values: dict[str, Any] = {}
    missing: list[str] = []
    for param in spec.signature:
        domain = _domain(spec, param.name)
        if domain is None:
            if param.required:
                missing.append(param.name)
            continue
        if param.required or rng.random() < 0.5:
            values[param.name] = domain.valid(rng, ctx)
    assert not missing, f"{spec.name}: no domain for the required {missing}"
    odd_value, odd_call = False, ""
    if rng.random() < 0.55:
        oddable = [p.name for p in spec.signature
                   if (d := _domain(spec, p.name)) is not None and d.odd is not None]
        if oddable and rng.random() < 0.7:
            name = rng.choice(oddable)
            values[name] = _domain(spec, name).odd(rng, ctx)  # type: ignore[union-attr]
            odd_value = True
        else:
            # A Keras signature in the catalogue lists only the leading parameters (the class
            # takes **kwargs too): an unknown keyword or a surplus positional is not drawn there.
            odd_call = rng.choice(["missing", "repeated", "twice"] if spec.open_call else
                                  ["missing", "repeated", "unexpected", "surplus", "twice"])
    positional, keywords = _arguments(rng, spec, values, odd_call)
    call = f"{prefix}{spec.short}({', '.join(positional + keywords)})"
    channels = ctx["groups_drawn"] * rng.randint(1, 4)
    key_length = rng.choice([7, 7, 6]) if spec.family == "attention" else 7
    return Case(spec, call, odd_value or bool(odd_call), channels, key_length=key_length)


def _arguments(rng: random.Random, spec: LayerSpec, values: dict[str, Any],
               odd_call: str) -> tuple[list[str], list[str]]:
    """The call's positional and keyword texts; `odd_call` bends the call itself."""
    slots = [p for p in spec.signature if not p.keyword_only]
    required = [p.name for p in spec.signature if p.required]
    if odd_call == "missing" and required:
        dropped = rng.choice(required)
        return [], [f"{k}={_render(v)}" for k, v in values.items() if k != dropped]
    if odd_call == "surplus":
        positional = [_render(values.get(p.name, p.default)) for p in slots] + ["1"]
        return positional, [f"{p.name}={_render(values[p.name])}" for p in spec.signature
                            if p.keyword_only and p.name in values]
    if odd_call == "twice" and slots:
        first = slots[0].name
        text = _render(values.get(first, slots[0].default))
        return [text], [f"{k}={_render(v)}" for k, v in values.items() if k != first] + \
            [f"{first}={text}"]
    positional: list[str] = []
    keywords: list[str] = []
    in_order = rng.random() < 0.6
    for param in spec.signature:
        if param.name not in values:
            continue
        text = _render(values[param.name])
        if in_order and param.required and len(positional) == slots.index(param):
            positional.append(text)
        else:
            keywords.append(f"{param.name}={text}")
    if odd_call == "repeated":
        keywords += [rng.choice(keywords)] if keywords else ["x=1", "x=1"]
    elif odd_call == "unexpected":
        keywords.append("bogus_arg=1")
    return positional, keywords


def _cases(framework: str, rng: random.Random) -> list[Case]:
    prefix = "nn." if framework == "torch" else "layers."
    cases: list[Case] = []
    for spec in CATALOGUE:
        if spec.framework != framework or spec.family == "wrapper":
            # (a wrapper counts its layer as built on the input it passes it, which only the
            # evaluated program knows: test_evaluation_keras draws them whole)
            continue
        n = CASES_WITH_PARAMS if spec.formula is not None else CASES_WITHOUT
        cases += [_draw_case(rng, spec, prefix) for _ in range(n)]
    return cases


# the frameworks ---------------------------------------------------------------------------------
def _is_lazy(spec: LayerSpec) -> bool:
    return spec.short.startswith("Lazy")


def _torch_feeder(case: Case) -> str:
    """For a Lazy* class: the layer before it, fixing the channels it will see."""
    if case.spec.short == "LazyLinear":
        return f"nn.Linear(1, {case.channels})"
    return f"nn.Conv{_lazy_ndim(case.spec)}d(1, {case.channels}, 1)"


def _lazy_ndim(spec: LayerSpec) -> int:
    return spec.ndim or int(spec.short[-2])  # LazyBatchNorm2d


def _torch_truth(case: Case) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer = eval(compile(case.call, "<case>", "eval"), {"nn": nn})  # our generated text
            if _is_lazy(case.spec):
                feeder = eval(_torch_feeder(case), {"nn": nn})
                size = (2, 1) if case.spec.short == "LazyLinear" else \
                    (2, 1, *([6] * _lazy_ndim(case.spec)))
                try:
                    layer(feeder(torch.zeros(size)))
                except Exception:  # noqa: BLE001 - a forward error after the weights exist
                    pass
                if any(isinstance(p, nn.parameter.UninitializedParameter)
                       for p in layer.parameters()):
                    raise ValueError("the lazy weights could not be made")
        case.truth = sum(p.numel() for p in layer.parameters())
    except Exception as error:  # noqa: BLE001 - whatever the framework raises is a refusal
        case.truth, case.why = None, f"{type(error).__name__}: {error}"[:200]


def _keras_shape(case: Case) -> tuple[int, ...]:
    spec = case.spec
    c = case.channels
    digits = [ch for ch in spec.short if ch.isdigit()]
    ndim = spec.ndim or (int(digits[0]) if digits else 0)
    if spec.family == "embedding":
        return (5,)
    if spec.family == "rnn":
        return (4, c)
    if spec.family == "conv_rnn":  # (time, *spatial, channels)
        return (3, *([7] * ndim), c)
    if spec.family == "rnn_cell":  # (one step)
        return (c,)
    if ndim:
        return (*([7] * ndim), c)
    if spec.short in ("Dense", "RepeatVector"):
        return (c,)
    return (3, c)


def _value_size(case: Case) -> int:
    """The last axis of the value an attention layer is called on: GroupQueryAttention takes
    only one of the query's size."""
    return case.channels if case.spec.short == "GroupQueryAttention" else 3


def _keras_truth(case: Case, keras: Any) -> None:
    layer = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer = eval(compile(case.call, "<case>", "eval"),  # our generated text
                         {"layers": keras.layers})
            if case.spec.family == "attention":
                layer(keras.Input(shape=(5, case.channels)),
                      keras.Input(shape=(7, _value_size(case))),
                      keras.Input(shape=(case.key_length, _value_size(case))))
            elif case.spec.family == "scores":
                layer([keras.Input(shape=(5, case.channels)),
                       keras.Input(shape=(7, case.channels))])
            elif case.spec.family != "merge":
                layer.build((None, *_keras_shape(case)))
        case.truth = layer.count_params() if case.spec.family != "merge" else 0
    except Exception as error:  # noqa: BLE001 - whatever the framework raises is a refusal
        if case.spec.family == "attention" and getattr(layer, "built", False):
            # the weights were made and then the call refused (GroupQueryAttention's
            # compute_output_shape): the layer has them, as Keras left it
            case.truth = layer.count_params()
            return
        case.truth, case.why = None, f"{type(error).__name__}: {error}"[:200]


# ours ---------------------------------------------------------------------------------------------
def _statement(case: Case, i: int) -> str:
    spec = case.spec
    if spec.framework == "torch":
        if _is_lazy(spec):
            return f"layer_{i} = nn.Sequential({_torch_feeder(case)}, {case.call})\n"
        return f"layer_{i} = {case.call}\n"
    if spec.family == "merge":
        return f"layer_{i} = {case.call}\n"
    if spec.family == "rnn_cell":  # (what an RNN does with its cell, on each step)
        return f"layer_{i} = {case.call}; layer_{i}.build((None, {case.channels}))\n"
    if spec.family == "attention":
        return (f"layer_{i} = {case.call}(keras.Input(shape=(5, {case.channels})), "
                f"keras.Input(shape=(7, {_value_size(case)})), "
                f"keras.Input(shape=({case.key_length}, {_value_size(case)})))\n")
    if spec.family == "scores":
        return (f"layer_{i} = {case.call}([keras.Input(shape=(5, {case.channels})), "
                f"keras.Input(shape=(7, {case.channels}))])\n")
    shape = _keras_shape(case)
    return f"layer_{i} = keras.Sequential([keras.Input(shape={shape!r}), {case.call}])\n"


def _guarded(statement: str) -> str:
    """A case as the program runs it: the framework raises where it refuses, and the next case
    still runs. Its call is on the second of the four lines."""
    return f"try:\n    {statement}except Exception:\n    pass\n"


LINES_PER_CASE = 4


def _analyse(cases: list[Case], header: str, tmp_path: Any) -> tuple[FileReport, FileReport]:
    """Our results, static and with the evaluated program laid on, each case on its own line."""
    source = header + "".join(_guarded(_statement(c, i)) for i, c in enumerate(cases))
    path = str(tmp_path / "cases.py")
    with open(path, "w") as f:
        f.write(source)
    static = analyze_source(source, path)
    assert static.error is None, static.error
    evaluated = analyze_source(source, path)
    evaluation = evaluate_texts({os.path.abspath(path): source})
    assert evaluation is not None
    apply_evaluation(evaluated, evaluation)
    return static, evaluated


def _result(report: FileReport, case: Case, line: int) -> LayerResult | None:
    for r in report.layers:
        if r.span.line == line and r.layer == case.spec.name:
            return r
    return None


def _disagreements(cases: list[Case], static: FileReport, evaluated: FileReport,
                   first_line: int) -> list[str]:
    problems: list[str] = []
    refusals = {(d.span.line, d.code) for d in static.diagnostics if d.code in REFUSAL_CODES}
    for i, case in enumerate(cases):
        line = first_line + LINES_PER_CASE * i + 1
        ours = _result(static, case, line)
        both = _result(evaluated, case, line)
        if ours is None or both is None:
            problems.append(f"{case.call}: not recognised as {case.spec.name}")
            continue
        flagged = any(found_line == line for found_line, _ in refusals)
        # an evaluated context may leave a count open (None); a number it gives must be right
        contexts = {c.params for c in both.contexts} - {None}
        if case.truth is None:
            if ours.params is not None or both.params is not None or contexts:
                problems.append(f"{case.call}: framework refuses ({case.why}); paramlens counts "
                                f"{ours.params} (static), {both.params} / contexts {contexts}")
            elif not flagged:
                problems.append(f"{case.call}: framework refuses ({case.why}); paramlens gives "
                                f"no count but no refused-arguments error ({ours.unknowns})")
        else:
            if flagged or ours.invalid:
                problems.append(f"{case.call}: framework builds {case.truth}; paramlens refuses "
                                f"({ours.invalid})")
            elif ours.params != case.truth or both.params != case.truth or \
                    contexts - {case.truth}:
                problems.append(f"{case.call}: framework {case.truth}; paramlens "
                                f"{ours.params} (static), {both.params} / contexts {contexts}")
    return problems


def _repeats_a_keyword(case: Case) -> bool:
    return compiler_refusal(ast.parse(f"x = {case.call}").body[0]) is not None


def _whole_file_refusals(cases: list[Case], header: str) -> list[str]:
    """A keyword written twice: Python compiles no such file, so none of it is counted."""
    problems = []
    for case in cases:
        report = analyze_source(header + f"layer = {case.call}\n", "case.py")
        if case.truth is not None or "keyword argument repeated" not in (report.error or ""):
            problems.append(f"{case.call}: framework {case.truth} ({case.why}); paramlens: "
                            f"{report.error or [r.params for r in report.layers]}")
    return problems


def _check(framework: str, cases: list[Case], header: str, tmp_path: Any) -> None:
    repeated = [c for c in cases if _repeats_a_keyword(c)]
    cases = [c for c in cases if not _repeats_a_keyword(c)]
    static, evaluated = _analyse(cases, header, tmp_path)
    problems = _whole_file_refusals(repeated, header)
    problems += _disagreements(cases, static, evaluated, header.count("\n") + 1)
    refused = sum(1 for c in cases if c.truth is None)
    drawn_odd = sum(1 for c in cases if c.invalid)
    print(f"{framework}: {len(cases)} configurations (and {len(repeated)} that repeat a keyword), "
          f"{drawn_odd} drawn invalid, {refused} refused by {framework}, "
          f"{len(problems)} disagreements")
    assert refused >= len(cases) // 5, "too few refusals drawn to test them"
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:40])


def _as_written(default: Any) -> Any:
    """A default that is a function (`activation=F.relu`) as the catalogue names it."""
    if callable(default) and hasattr(default, "__module__"):
        return FrameworkName(f"{default.__module__}.{default.__qualname__}")
    return default


def test_catalogue_signatures_are_torchs() -> None:
    """Each torch entry takes exactly the arguments its class's __init__ takes, so that a call
    refused for its shape (a surplus positional, an unknown keyword) is refused by torch too."""
    import inspect

    problems = []
    for spec in CATALOGUE:
        if spec.framework != "torch" or spec.open_call:
            continue
        cls = getattr(nn, spec.short)
        real = inspect.signature(cls.__init__).parameters
        if any(p.kind is p.VAR_POSITIONAL for p in real.values()):
            continue  # LSTM, Sigmoid...: checked by building them in the random test
        ours = [(p.name, p.default if not p.required else "<required>", p.keyword_only)
                for p in spec.signature]
        theirs = [(name, "<required>" if p.default is p.empty else _as_written(p.default),
                   p.kind is p.KEYWORD_ONLY) for name, p in real.items() if name != "self"]
        if ours != theirs:
            problems.append(f"{spec.name}: ours {ours}\n  torch {theirs}")
    assert not problems, "\n".join(problems)


def test_catalogue_signatures_lead_keras() -> None:
    """Each Keras entry lists the leading parameters of its class, in order, required where Keras
    requires them (the rest goes through **kwargs, which the catalogue leaves open)."""
    import inspect

    keras = pytest.importorskip("keras")
    problems = []
    for spec in CATALOGUE:
        if spec.framework != "keras":
            continue
        for name in spec.names:
            real = [p for n, p in inspect.signature(
                getattr(keras.layers, name.rsplit(".", 1)[1]).__init__).parameters.items()
                if n != "self" and p.kind is p.POSITIONAL_OR_KEYWORD]
            ours = [(p.name, p.required) for p in spec.signature]
            theirs = [(p.name, p.default is p.empty) for p in real][:len(ours)]
            if ours != theirs:
                problems.append(f"{name}: ours {ours}\n  keras {theirs}")
    assert not problems, "\n".join(problems)


def test_every_torch_class_agrees_with_torch(tmp_path: Any) -> None:
    rng = random.Random(SEED)
    cases = _cases("torch", rng)
    for case in cases:
        _torch_truth(case)
    _check("torch", cases, "import torch.nn as nn\n", tmp_path)


def test_every_keras_class_agrees_with_keras(tmp_path: Any) -> None:
    keras = pytest.importorskip("keras")
    rng = random.Random(SEED + 1)
    cases = _cases("keras", rng)
    for case in cases:
        _keras_truth(case, keras)
    _check("keras", cases, "import keras\nfrom keras import layers\n", tmp_path)


BRIEF_CALLS = [
    "nn.Conv2d(3.5, 16, 3)", "nn.GroupNorm(3, 16)", "nn.MultiheadAttention(10, 3)",
    "nn.LSTM(10, 20, num_layers=0)",
    "nn.Conv2d(4, 16, 3, groups=-2)", "nn.Conv2d(3, 16, (-1, 3))", "nn.Linear(-3, 4)",
    "nn.LSTM(10, 20, proj_size=20)", "nn.Conv2d(True, 16, 3)", "nn.Linear(3, 4)",
]


def test_the_cli_reports_each_refusal(tmp_path: Any) -> None:
    """Through `paramlens check --format json` and `--format sarif`: a call torch refuses has
    no count and one refused-arguments error; one it builds has its count and none."""
    import json
    import subprocess
    import sys

    path = tmp_path / "refused.py"
    path.write_text("import torch.nn as nn\n" + "".join(f"layer_{i} = {c}\n"
                                                        for i, c in enumerate(BRIEF_CALLS)))
    run = subprocess.run([sys.executable, "-m", "paramlens", "check", "--format", "json",
                          str(path)], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1, run.stderr  # proven errors
    (report,) = json.loads(run.stdout)["files"]
    layers = {layer["line"]: layer for layer in report["layers"]}
    errors = {d["line"]: d for d in report["diagnostics"] if d["code"] == "refused-arguments"}
    for i, call in enumerate(BRIEF_CALLS):
        case = Case(BY_NAME["torch.nn." + call[3:call.index("(")]], call, False)
        _torch_truth(case)
        line = i + 2
        if case.truth is None:
            assert layers[line]["params"] is None and layers[line]["params_default"] is None, call
            assert errors[line]["severity"] == "error" and errors[line]["message"], call
        else:
            assert layers[line]["params"] == case.truth and line not in errors, call
    sarif = subprocess.run([sys.executable, "-m", "paramlens", "check", "--format", "sarif",
                            str(path)], capture_output=True, text=True, timeout=300, check=False)
    log = json.loads(sarif.stdout)
    rules = {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert "refused-arguments" in rules
    assert sum(1 for r in log["runs"][0]["results"] if r["ruleId"] == "refused-arguments") == \
        len(errors)
    # A keyword written twice: Python compiles none of the file (a SyntaxError, which
    # ast.parse alone lets through), so nothing in it is counted.
    path.write_text("import torch.nn as nn\nok = nn.Linear(3, 4)\n"
                    "layer = nn.Linear(3, 4, bias=True, bias=False)\n")
    with pytest.raises(SyntaxError, match="keyword argument repeated"):
        compile(path.read_text(), str(path), "exec")
    run = subprocess.run([sys.executable, "-m", "paramlens", "check", "--format", "json",
                          str(path)], capture_output=True, text=True, timeout=300, check=False)
    (report,) = json.loads(run.stdout)["files"]
    assert "keyword argument repeated: bias" in report["error"] and report["layers"] == []
