"""Every layer class we know: its names, its argument signature and how it counts parameters.

One `LayerSpec` per class. A signature is written the way the framework's `__init__` spells it.
A formula is plain arithmetic over `Q` values and returns the tensors the layer owns, so the same
line gives the exact count, the count under defaults and the formula in the code's own terms.

Layers without parameters are here too when they pass channels on (`ReLU`) or change them
(`Flatten`, `Concatenate`): the channel flow in channels.py reads `flow` from these entries.

Each entry also says what the framework refuses to build (`checks`, see "refusals" below): the
static analysis and the evaluator both ask `call_refusal`, `value_refusal` and `tensor_refusal`
before giving a count, and tests/test_refusals_against_frameworks.py holds every entry to what
torch and Keras themselves do.
"""

from __future__ import annotations

import ast
import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from paramlens.engine.quantity import UNKNOWN, Q, choose, product
from paramlens.engine.values import TupleV


@dataclass(frozen=True)
class Param:
    name: str
    default: Any = None
    required: bool = False
    keyword_only: bool = False  # after `*` in the framework's signature


@dataclass(frozen=True)
class FrameworkName:
    """A default that is a name of the framework's, not a literal (`activation=F.relu`)."""
    qualname: str


@dataclass(frozen=True)
class Tensor:
    name: str
    shape: tuple[Q, ...]
    present: Q = Q.const(True)
    trainable: bool = True  # False: a statistic the framework keeps as a weight (Keras)


class Args:
    """The bound arguments of one call, with the input channels once they are known."""

    def __init__(self, values: dict[str, Any], in_channels: Q | None, ndim: int):
        self.values = values
        self.in_ch = in_channels if in_channels is not None else Q.unknown("in_channels")
        self.ndim = ndim

    def q(self, name: str) -> Q:
        value = self.values.get(name)
        if isinstance(value, Q):
            return value
        return Q.unknown(name)

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def dims(self, name: str) -> tuple[Q, ...]:
        """An `int or tuple` argument spread over the layer's spatial dimensions."""
        value = self.values.get(name)
        if isinstance(value, TupleV) and len(value.items) == self.ndim:
            return tuple(v if isinstance(v, Q) else Q.unknown(name) for v in value.items)
        if isinstance(value, TupleV) and len(value.items) == 1 and self.ndim == 1:
            item = value.items[0]
            return (item if isinstance(item, Q) else Q.unknown(name),)
        if isinstance(value, Q):
            if value.known and isinstance(value.exact, (tuple, list)):
                return tuple(Q.const(v) for v in value.exact)
            return (value,) * self.ndim
        return tuple(Q.unknown(f"{name}[{i}]") for i in range(self.ndim))

    def as_given(self, name: str) -> tuple[Q, ...]:
        """A torch `int or tuple` argument as torch keeps it: an int spread over the spatial
        dimensions, a tuple as it is, whatever its length (`Conv2d(3, 8, (3, 3, 3))` builds)."""
        value = self.values.get(name)
        if isinstance(value, TupleV) and value.complete:
            return tuple(v if isinstance(v, Q) else Q.unknown(name) for v in value.items)
        return self.dims(name)

    def is_none(self, name: str) -> Q:
        value = self.values.get(name)
        if value is None and name not in self.values:
            return Q.const(True)
        q = self.q(name)
        return q.unary(lambda v: v is None, "is_none")


Formula = Callable[[Args], list[Tensor]]
Flow = Callable[[Args], Q | None]

# Keras layer methods that add or replace a layer's weights (LoRA kernels, quantized kernels and
# scales): what the layer or a model holding it has afterwards is not what its entry counts.
KERAS_REWEIGHING = frozenset({"enable_lora", "quantize"})
# Why Keras' attentions refuse a value and a key of other lengths (LayerSpec.checks_inputs_in_build
# says where): the file reading and the evaluator say it alike.
KEY_VALUE_LENGTHS_REFUSED = "the value and the key must agree in every axis but the last"


@dataclass(frozen=True)
class LayerSpec:
    names: tuple[str, ...]  # canonical: torch.nn.X or keras.layers.X (first is the report name)
    framework: str  # "torch" | "keras"
    signature: tuple[Param, ...]
    family: str  # "conv", "linear", "norm", "embedding", "attention", "rnn", "activation", ...
    formula: Formula | None = None  # None: the layer owns no parameters
    # The argument that states the input channels (torch); None when they come from the flow.
    in_arg: str | None = None
    # Output channels given the arguments and the input channels; None means "unknown".
    flow: Flow | None = None
    ndim: int = 0  # spatial dimensions, for convolutions and pooling
    transposed: bool = False
    # The framework's own argument checks, in the order its __init__ (or build) runs them.
    checks: tuple[Check, ...] = ()
    # True when `signature` is not the whole of what the class accepts (Keras' **kwargs, or
    # parameters left out): an unexpected keyword or a surplus positional is then not refused.
    open_call: bool = False
    # A Lazy* class: the class that takes the input size as its first argument and builds the
    # same weights from the same remaining arguments (`torch.nn.Conv2d` for `LazyConv2d`).
    eager: str | None = None
    # Arguments the class keeps as a submodule when it is handed a module (a Transformer layer's
    # `activation`): its count is certain only where each is a string, a function or a module
    # that owns no parameters.
    module_args: tuple[str, ...] = ()
    # Modules the class holds (copies of one, or the very module): the formula reads each as
    # that module's parameter count, where the code fixes it (TransformerEncoder's
    # `encoder_layer` and `norm`).
    counted_args: tuple[str, ...] = ()
    # The method the class's __init__ calls on self once its weights exist (torch's Linear,
    # convolutions, norms, RNNs: `self.reset_parameters()`): a subclass's override runs there, and
    # what it adds or removes is the layer's. `hook_unless`: an argument that, given, keeps
    # __init__ from calling it (Embedding's `_weight`).
    init_hook: str | None = None
    hook_unless: str | None = None
    # How the class keeps an argument as the attribute of the same name, where not as given
    # (`conv.stride` is (2, 2) for stride=2): (argument, form), the forms in STORED_FORMS.
    stored: tuple[tuple[str, str], ...] = ()
    # An attention whose build checks the value and the key before it makes any weight
    # (MultiHeadAttention: of other lengths, it is never built); without it, the weights are
    # made and the call's output shape is what refuses them (GroupQueryAttention).
    checks_inputs_in_build: bool = False

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[1]

    @property
    def is_conv(self) -> bool:
        return "Conv" in self.short and self.family != "conv_rnn"  # (ConvLSTM2D: a recurrent one)

    @property
    def channels_first_axis(self) -> int | None:
        """For a Keras layer whose channel axis follows `data_format` by its spatial dimensions
        (convolutions, poolings and other shape layers, preprocessing, ConvLSTM): where its
        input holds the channels under channels_first, counted after the batch axis (0; a
        ConvLSTM's 1, after time). None for any other layer."""
        if self.framework != "keras" or not self.ndim or \
                self.family not in ("conv", "shape", "preprocessing", "conv_rnn"):
            return None
        return 1 if self.family == "conv_rnn" else 0

    @property
    def channel_axis(self) -> str:
        """Where a torch layer reads and writes its channels: "first" (dim 1: convolutions,
        batch, instance and group norms, pooling, padding, PReLU), "last" (the last axis:
        Linear, LayerNorm, RMSNorm, embeddings, attention, transformers, RNNs), or "" where it
        keeps the axis it is given (activations, dropout) or reads none."""
        if self.framework != "torch":
            return ""
        if self.family in ("linear", "embedding", "attention", "transformer", "rnn") or \
                self.short in ("LayerNorm", "RMSNorm"):
            return "last"
        if self.family in ("conv", "norm") or self.ndim or self.short == "PReLU":
            return "first"
        return ""


def signature(text: str) -> tuple[Param, ...]:
    """Parse `"a, b, c=1, d=True"` into a signature, as Python itself would read it."""
    func = ast.parse(f"def f({text}): pass").body[0]
    assert isinstance(func, ast.FunctionDef)
    args = func.args.args
    defaults = func.args.defaults
    first_default = len(args) - len(defaults)
    params = []
    for i, arg in enumerate(args):
        if i >= first_default:
            params.append(Param(arg.arg, _default(defaults[i - first_default])))
        else:
            params.append(Param(arg.arg, required=True))
    for arg, default in zip(func.args.kwonlyargs, func.args.kw_defaults, strict=True):
        if default is None:
            params.append(Param(arg.arg, required=True, keyword_only=True))
        else:
            params.append(Param(arg.arg, _default(default), keyword_only=True))
    return tuple(params)


def _default(node: ast.expr) -> Any:
    """A literal as Python reads it; a dotted name (`torch.nn.functional.relu`) as that name."""
    if isinstance(node, ast.Attribute):
        return FrameworkName(ast.unparse(node))
    return ast.literal_eval(node)


# flows --------------------------------------------------------------------------------------
def keeps(a: Args) -> Q:
    return a.in_ch


def arg_flow(name: str) -> Flow:
    return lambda a: a.q(name)


# formulas: PyTorch ----------------------------------------------------------------------------
def torch_conv(a: Args) -> list[Tensor]:
    out, groups = a.q("out_channels"), a.q("groups")
    kernel = a.as_given("kernel_size")
    return [Tensor("weight", (out, a.in_ch // groups, *kernel)),
            Tensor("bias", (out,), a.q("bias"))]


def torch_conv_transpose(a: Args) -> list[Tensor]:
    out, groups = a.q("out_channels"), a.q("groups")
    kernel = a.as_given("kernel_size")
    return [Tensor("weight", (a.in_ch, out // groups, *kernel)),
            Tensor("bias", (out,), a.q("bias"))]


def torch_linear(a: Args) -> list[Tensor]:
    out = a.q("out_features")
    return [Tensor("weight", (out, a.in_ch)), Tensor("bias", (out,), a.q("bias"))]


def torch_bilinear(a: Args) -> list[Tensor]:
    out = a.q("out_features")
    return [Tensor("weight", (out, a.q("in1_features"), a.q("in2_features"))),
            Tensor("bias", (out,), a.q("bias"))]


def torch_embedding(a: Args) -> list[Tensor]:
    return [Tensor("weight", (a.q("num_embeddings"), a.q("embedding_dim")))]


def torch_batchnorm(a: Args) -> list[Tensor]:
    # torch 2.13's keyword-only `bias=False` keeps the affine weight and drops its bias.
    affine = a.q("affine")
    return [Tensor("weight", (a.in_ch,), affine),
            Tensor("bias", (a.in_ch,), _and(affine, a.q("bias")))]


torch_groupnorm = torch_batchnorm


def _shape_of(value: Any, name: str) -> tuple[Q, ...]:
    if isinstance(value, TupleV):
        return tuple(v if isinstance(v, Q) else Q.unknown(name) for v in value.items)
    if isinstance(value, Q):
        return (value,)
    return (Q.unknown(name),)


def torch_layernorm(a: Args) -> list[Tensor]:
    shape = _shape_of(a.raw("normalized_shape"), "normalized_shape")
    affine = a.q("elementwise_affine")
    bias = _and(affine, a.q("bias"))
    return [Tensor("weight", shape, affine), Tensor("bias", shape, bias)]


def torch_rmsnorm(a: Args) -> list[Tensor]:
    shape = _shape_of(a.raw("normalized_shape"), "normalized_shape")
    return [Tensor("weight", shape, a.q("elementwise_affine"))]


def torch_prelu(a: Args) -> list[Tensor]:
    return [Tensor("weight", (a.q("num_parameters"),))]


def _or(x: Q, y: Q) -> Q:
    return x.binary(y, lambda p, q: bool(p) or bool(q), "or")


def _and(x: Q, y: Q) -> Q:
    return x.binary(y, lambda p, q: bool(p and q), "and")


def torch_mha(a: Args) -> list[Tensor]:
    embed, bias = a.q("embed_dim"), a.q("bias")
    kdim = choose(a.is_none("kdim"), embed, a.q("kdim"))
    vdim = choose(a.is_none("vdim"), embed, a.q("vdim"))
    same = _and(kdim.binary(embed, lambda p, q: p == q, "=="),
                vdim.binary(embed, lambda p, q: p == q, "=="))
    not_same = same.unary(lambda v: not v, "not")
    kv = a.q("add_bias_kv")
    return [
        Tensor("in_proj_weight", (3 * embed, embed), same),
        Tensor("q_proj_weight", (embed, embed), not_same),
        Tensor("k_proj_weight", (embed, kdim), not_same),
        Tensor("v_proj_weight", (embed, vdim), not_same),
        Tensor("in_proj_bias", (3 * embed,), bias),
        Tensor("out_proj.weight", (embed, embed)),
        Tensor("out_proj.bias", (embed,), bias),
        Tensor("bias_k", (Q.const(1), Q.const(1), embed), kv),
        Tensor("bias_v", (Q.const(1), Q.const(1), embed), kv),
    ]


def _transformer_layer_tensors(a: Args, decoder: bool, prefix: str = "",
                               copies: Q | None = None) -> list[Tensor]:
    """One TransformerEncoderLayer (or DecoderLayer), as its __init__ builds it: self-attention
    (and a decoder's attention over the memory), two feed-forward Linears and two (three)
    LayerNorms, all with `bias`. `prefix` leads each name; `copies` stacks the layer's copies
    (the last axis, as a count: it is no size torch gives a tensor)."""
    d, ff, bias = a.q("d_model"), a.q("dim_feedforward"), a.q("bias")
    name = (lambda n: f"{prefix}.*.{n}") if prefix else (lambda n: n)

    def tensor(n: str, shape: tuple[Q, ...], present: Q | None = None) -> Tensor:
        return Tensor(name(n), (*shape, copies) if copies is not None else shape,
                      Q.const(True) if present is None else present)

    tensors = []
    for attn in ("self_attn", "multihead_attn")[:2 if decoder else 1]:
        tensors += [tensor(f"{attn}.in_proj_weight", (3 * d, d)),
                    tensor(f"{attn}.in_proj_bias", (3 * d,), bias),
                    tensor(f"{attn}.out_proj.weight", (d, d)),
                    tensor(f"{attn}.out_proj.bias", (d,), bias)]
    tensors += [tensor("linear1.weight", (ff, d)), tensor("linear1.bias", (ff,), bias),
                tensor("linear2.weight", (d, ff)), tensor("linear2.bias", (d,), bias)]
    for norm in ("norm1", "norm2", "norm3")[:3 if decoder else 2]:
        tensors += [tensor(f"{norm}.weight", (d,)), tensor(f"{norm}.bias", (d,), bias)]
    return tensors


def torch_transformer_layer(decoder: bool) -> Formula:
    return lambda a: _transformer_layer_tensors(a, decoder)


def torch_transformer(a: Args) -> list[Tensor]:
    """nn.Transformer: num_encoder_layers copies of an encoder layer and a LayerNorm, then
    num_decoder_layers copies of a decoder layer and a LayerNorm; a custom encoder (decoder)
    given instead is a module of its own, not counted here."""
    d, bias = a.q("d_model"), a.q("bias")
    tensors: list[Tensor] = []
    for part, decoder in (("encoder", False), ("decoder", True)):
        built = a.is_none(f"custom_{part}")
        given = built.unary(lambda v: not v, "not")
        copies = as_layer_count(a.values.get(f"num_{part}_layers"))
        tensors += [Tensor(t.name, t.shape, _also(built, t.present)) for t in
                    _transformer_layer_tensors(a, decoder, f"{part}.layers", copies)]
        tensors += [Tensor(f"{part}.norm.weight", (d,), built),
                    Tensor(f"{part}.norm.bias", (d,), _also(built, bias)),
                    Tensor(f"custom_{part}", (Q.unknown(f"the parameters of custom_{part}"),),
                           given)]
    return tensors


def torch_layer_stack(layer_arg: str) -> Formula:
    """TransformerEncoder / TransformerDecoder: `num_layers` deep copies of the layer given (in
    its ModuleList `layers`), then the `norm` given, itself. Each module argument is read as its
    parameter count (LayerSpec.counted_args; None, which ModuleList takes too, as 0)."""
    def formula(a: Args) -> list[Tensor]:
        copies = as_layer_count(a.values.get("num_layers"))
        return [Tensor("layers", (a.q(layer_arg), copies)), Tensor("norm", (a.q("norm"),))]
    return formula


def _also(flag: Q, present: Q) -> Q:
    """`flag and present`, written as `flag` where `present` always holds."""
    return flag if present.known and present.exact is True else _and(flag, present)


def as_layer_count(value: Any) -> Q:
    """How many copies `range(n)` makes: none for n below one."""
    if not isinstance(value, Q):
        return Q.unknown("layers")
    return value.unary(lambda n: max(int(n), 0) if isinstance(n, int) else n, "copies")


def torch_rnn(gates: int, proj: bool = False) -> Formula:
    def formula(a: Args) -> list[Tensor]:
        hidden, bias = a.q("hidden_size"), a.q("bias")
        layers, bidir = a.q("num_layers"), a.q("bidirectional")
        if not (layers.known and bidir.known):
            return [Tensor("weights", (Q.unknown("num_layers × directions × per-layer weights"),))]
        dirs = 2 if bidir.exact else 1
        proj_size = a.q("proj_size") if proj else Q.const(0)
        rows = hidden if gates == 1 else gates * hidden  # RNNBase: gate_size = hidden_size
        h_out = choose(proj_size.binary(Q.const(0), lambda p, q: p > q, ">"), proj_size, hidden)
        tensors: list[Tensor] = []
        for layer in range(int(layers.exact)):
            in_size = a.in_ch if layer == 0 else h_out * dirs
            for d in range(dirs):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                tensors += [Tensor("weight_ih" + sfx, (rows, in_size)),
                            Tensor("weight_hh" + sfx, (rows, h_out)),
                            Tensor("bias_ih" + sfx, (rows,), bias),
                            Tensor("bias_hh" + sfx, (rows,), bias)]
                if proj:
                    tensors.append(Tensor("weight_hr" + sfx, (proj_size, hidden),
                                          proj_size.binary(Q.const(0), lambda p, q: p > q, ">")))
        return tensors

    return formula


def torch_rnn_cell(gates: int) -> Formula:
    def formula(a: Args) -> list[Tensor]:
        hidden, bias = a.q("hidden_size"), a.q("bias")
        return [Tensor("weight_ih", (gates * hidden, a.in_ch)),
                Tensor("weight_hh", (gates * hidden, hidden)),
                Tensor("bias_ih", (gates * hidden,), bias),
                Tensor("bias_hh", (gates * hidden,), bias)]

    return formula


def rnn_out(a: Args) -> Q:
    hidden = a.q("hidden_size")
    proj = a.q("proj_size") if "proj_size" in a.values else Q.const(0)
    h_out = choose(proj.binary(Q.const(0), lambda p, q: p > q, ">"), proj, hidden)
    return choose(a.q("bidirectional"), h_out * 2, h_out)


def torch_adaptive_softmax(a: Args) -> list[Tensor]:
    """AdaptiveLogSoftmaxWithLoss: a head Linear to the shortlist and one logit per cluster,
    then per cluster two bias-free Linears through `in_features // div_value ** (i + 1)`."""
    n_in, n_classes, div = (_plain_q(a.raw(name)) for name in ("in_features", "n_classes",
                                                               "div_value"))
    cutoffs = _plain_q(a.raw("cutoffs"))
    if any(v is UNKNOWN for v in (n_in, n_classes, div, cutoffs)) or \
            not isinstance(cutoffs, (tuple, list)):
        return [Tensor("weights", (Q.unknown("the sizes the cutoffs give"),))]
    try:
        head, tails = adaptive_softmax_sizes(n_in, n_classes, cutoffs, div)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return [Tensor("weights", (Q.unknown("the sizes the cutoffs give"),))]  # (refused)
    tensors = [Tensor("head.weight", (Q.const(head), a.in_ch)),
               Tensor("head.bias", (Q.const(head),), a.q("head_bias"))]
    for i, (hidden, out) in enumerate(tails):
        tensors += [Tensor(f"tail.{i}.0.weight", (Q.const(hidden), a.in_ch)),
                    Tensor(f"tail.{i}.1.weight", (Q.const(out), Q.const(hidden)))]
    return tensors


def adaptive_softmax_sizes(n_in: Any, n_classes: Any, cutoffs: Any, div: Any
                           ) -> tuple[Any, list[tuple[Any, Any]]]:
    """AdaptiveLogSoftmaxWithLoss's head size, and each cluster's (hidden, output) sizes, as
    its __init__ works them out (raising where it does)."""
    bounds = [*cutoffs, n_classes]
    tails = [(int(n_in // (div ** (i + 1))), bounds[i + 1] - bounds[i])
             for i in range(len(bounds) - 1)]
    return bounds[0] + len(bounds) - 1, tails


# formulas: Keras ------------------------------------------------------------------------------
def keras_conv(a: Args) -> list[Tensor]:
    filters, groups = a.q("filters"), a.q("groups")
    kernel = a.dims("kernel_size")
    return [Tensor("kernel", (*kernel, a.in_ch // groups, filters)),
            Tensor("bias", (filters,), a.q("use_bias"))]


def keras_conv_transpose(a: Args) -> list[Tensor]:
    filters = a.q("filters")
    kernel = a.dims("kernel_size")
    return [Tensor("kernel", (*kernel, filters, a.in_ch)),
            Tensor("bias", (filters,), a.q("use_bias"))]


def keras_separable(a: Args) -> list[Tensor]:
    filters, dm = a.q("filters"), a.q("depth_multiplier")
    kernel = a.dims("kernel_size")
    ones = tuple(Q.const(1) for _ in kernel)
    return [Tensor("depthwise_kernel", (*kernel, a.in_ch, dm)),
            Tensor("pointwise_kernel", (*ones, a.in_ch * dm, filters)),
            Tensor("bias", (filters,), a.q("use_bias"))]


def keras_depthwise(a: Args) -> list[Tensor]:
    dm = a.q("depth_multiplier")
    kernel = a.dims("kernel_size")
    return [Tensor("kernel", (*kernel, a.in_ch, dm)),
            Tensor("bias", (a.in_ch * dm,), a.q("use_bias"))]


def keras_dense(a: Args) -> list[Tensor]:
    units = a.q("units")
    return [Tensor("kernel", (a.in_ch, units)), Tensor("bias", (units,), a.q("use_bias"))]


def keras_embedding(a: Args) -> list[Tensor]:
    return [Tensor("embeddings", (a.q("input_dim"), a.q("output_dim")))]


def _keras_axis_size(a: Args) -> Q:
    """The size of the axis (or axes) a Keras normalization normalizes: `axis=-1` is the
    channels; another axis is read from the input shape (batch axis 0)."""
    axis = a.raw("axis")
    shape = a.raw("__input_shape__")
    if isinstance(axis, Q) and (not axis.known or axis.exact == -1):
        # An axis the file does not fix is taken as the channels' own, as it was before axes
        # were read: Keras' applications pick it with the data format (`bn_axis = 3 if
        # channels_last else 1`), and either way it is the axis the channels lie on.
        return a.in_ch
    if isinstance(shape, TupleV) and isinstance(axis, Q) and isinstance(axis.exact, int) and \
            axis.exact % (len(shape.items) + 1) == len(shape.items):
        return a.in_ch  # the last axis, written as a number
    axes: list[Any] = []
    if isinstance(axis, Q) and axis.known and isinstance(axis.exact, int):
        axes = [axis.exact]
    elif isinstance(axis, TupleV) and all(isinstance(x, Q) and x.known for x in axis.items):
        axes = [x.exact for x in axis.items]  # type: ignore[union-attr]
    if not axes or not isinstance(shape, TupleV) or \
            not all(isinstance(x, int) and not isinstance(x, bool) for x in axes):
        return Q.unknown("the size along axis")
    rank = len(shape.items) + 1
    sizes = []
    for x in axes:
        if not -rank <= x < rank:
            return Q.unknown("the size along axis")  # (refused: keras_axis_in_range)
        if x % rank == 0:
            sizes.append(Q.const(None))  # the batch axis: Keras cannot make a weight of it
            continue
        item = shape.items[x % rank - 1]
        sizes.append(item if isinstance(item, Q) else Q.unknown("the size along axis"))
    return product(sizes)


def keras_batchnorm(a: Args) -> list[Tensor]:
    # count_params() counts the moving statistics too: they are (non-trainable) weights in Keras.
    c = _keras_axis_size(a)
    renorm = a.q("renorm")  # batch renormalisation keeps three more statistics
    return [Tensor("gamma", (c,), a.q("scale")), Tensor("beta", (c,), a.q("center")),
            Tensor("moving_mean", (c,), trainable=False),
            Tensor("moving_variance", (c,), trainable=False),
            Tensor("moving_stddev", (c,), renorm, False), Tensor("renorm_mean", (c,), renorm, False),
            Tensor("renorm_stddev", (c,), renorm, False)]


def keras_normalization(a: Args) -> list[Tensor]:
    """keras.layers.Normalization: given no `mean`, build makes a mean and a variance of the
    sizes along `axis` (None: one value each) and a scalar count, non-trainable weights that
    count_params() counts; given a mean and a variance, it keeps them as constants."""
    axis = a.raw("axis")
    size = Q.const(1) if isinstance(axis, Q) and axis.known and axis.exact is None else \
        _keras_axis_size(a)
    # (a mean written as a list or a tuple is given: not None)
    adapted = Q.const(False) if isinstance(a.raw("mean"), TupleV) else a.is_none("mean")
    return [Tensor("mean", (size,), adapted, False), Tensor("variance", (size,), adapted, False),
            Tensor("count", (), adapted, False)]


def keras_layernorm(a: Args) -> list[Tensor]:
    c = _keras_axis_size(a)
    # LayerNormalization(rms_scaling=True) (a keyword its **kwargs take) builds gamma only,
    # whatever `scale` and `center` say
    rms = a.q("rms_scaling") if "rms_scaling" in a.values else Q.const(False)
    return [Tensor("gamma", (c,), _or(a.q("scale"), rms)),
            Tensor("beta", (c,), _and(a.q("center"), rms.unary(lambda v: not v, "not")))]


def keras_rmsnorm(a: Args) -> list[Tensor]:
    return [Tensor("scale", (_keras_axis_size(a),))]


def keras_rnn(gates: int) -> Formula:
    def formula(a: Args) -> list[Tensor]:
        units = a.q("units")
        return [Tensor("kernel", (a.in_ch, gates * units)),
                Tensor("recurrent_kernel", (units, gates * units)),
                Tensor("bias", (gates * units,), a.q("use_bias"))]

    return formula


def keras_gru(a: Args) -> list[Tensor]:
    units = a.q("units")
    bias_rows = choose(a.q("reset_after"), Q.const(2), Q.const(1))
    return [Tensor("kernel", (a.in_ch, 3 * units)),
            Tensor("recurrent_kernel", (units, 3 * units)),
            Tensor("bias", (bias_rows, 3 * units), a.q("use_bias"))]


def keras_conv_lstm(a: Args) -> list[Tensor]:
    """ConvLSTM1D/2D/3D: its cell's input and recurrent kernels (each four gates of `filters`)
    and the bias, as ConvLSTMCell.build makes them."""
    filters = a.q("filters")
    kernel = a.dims("kernel_size")
    return [Tensor("kernel", (*kernel, a.in_ch, 4 * filters)),
            Tensor("recurrent_kernel", (*kernel, filters, 4 * filters)),
            Tensor("bias", (4 * filters,), a.q("use_bias"))]


def einsum_dense_shapes(equation: str, bias_axes: str | None, input_shape: tuple,
                        output_shape: Any) -> tuple[list, list | None, list]:
    """EinsumDense's kernel shape, bias shape (None without one) and full output shape, as
    Keras' _analyze_einsum_string works them out from the equation, the input shape (batch
    axis included) and the partial `output_shape`; a ValueError where Keras raises one."""
    text = re.sub(r"\.\.\.", "0", equation)
    left = False
    split = re.match("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", text)
    if not split:
        split = re.match("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", text)
        left = bool(split)
    if not split:
        split = re.match("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", text)
    if not split:
        raise ValueError(f"invalid einsum equation {equation!r}")
    input_spec, weight_spec, output_spec = split.group(1), split.group(2), split.group(3)
    elided = len(input_shape) - len(input_spec)
    output = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    output.insert(0, input_shape[0])
    if elided > 0 and left:
        for i in range(1, elided):
            output.insert(1, input_shape[i])
    elif elided > 0:
        for i in range(len(input_shape) - elided, len(input_shape)):
            output.append(input_shape[i])
    if left:
        input_at = {dim: i + elided - len(input_shape) for i, dim in enumerate(input_spec)}
        output_at = {dim: i + elided for i, dim in enumerate(output_spec)}
    else:
        input_at = {dim: i for i, dim in enumerate(input_spec)}
        output_at = {dim: i for i, dim in enumerate(output_spec)}
    for dim in input_spec:
        if dim in output_at and output[output_at[dim]] is not None and \
                output[output_at[dim]] != input_shape[input_at[dim]]:
            raise ValueError(f"the input and output shapes differ at the shared axis {dim!r}")
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError(f"the output axis {dim!r} is in neither the input nor the weight")
    kernel = []
    for dim in weight_spec:
        if dim in output_at:
            kernel.append(output[output_at[dim]])
        elif dim in input_at:
            kernel.append(input_shape[input_at[dim]])
        else:
            raise ValueError(f"the weight axis {dim!r} is in neither the input nor the output")
    bias = None
    if bias_axes is not None:
        shift = elided if left else 0
        sizes = {char: output[i + shift] for i, char in enumerate(output_spec)}
        for char in bias_axes:
            if char not in output_spec:
                raise ValueError(f"the bias axis {char!r} is not in the output {output_spec!r}")
        first = min(output_spec.find(char) for char in bias_axes)
        bias = [sizes[char] if char in bias_axes else 1 for char in output_spec[first:]]
        if not left:
            bias += [1] * elided
    return kernel, bias, output


def _einsum_plan(a: Args) -> tuple[list, list | None, list] | None:
    """einsum_dense_shapes on the call's arguments and its input, where the code fixes them
    all (None otherwise, and where Keras refuses them: keras_einsum_checks says why)."""
    values = [_plain_q(a.raw(name)) for name in ("equation", "bias_axes", "output_shape")]
    shape = a.raw("__input_shape__")
    dims = _plain_q(shape) if isinstance(shape, TupleV) else UNKNOWN
    if any(v is UNKNOWN for v in (*values, dims)):
        return None
    equation, bias_axes, output_shape = values
    try:
        return einsum_dense_shapes(equation, bias_axes, (None, *dims), output_shape)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        return None


def _plain_q(value: Any) -> Any:
    """An argument as a plain Python value, UNKNOWN where the code does not fix it."""
    if isinstance(value, Q):
        return value.exact if value.known else UNKNOWN
    if isinstance(value, TupleV) and value.complete:
        items = tuple(_plain_q(v) for v in value.items)
        return UNKNOWN if UNKNOWN in items else items
    return UNKNOWN


def keras_einsum_dense(a: Args) -> list[Tensor]:
    plan = _einsum_plan(a)
    if plan is None:
        return [Tensor("kernel", (Q.unknown("the sizes the equation gives"),))]
    kernel, bias, _ = plan
    return [Tensor("kernel", tuple(Q.const(d) for d in kernel)),
            Tensor("bias", tuple(Q.const(d) for d in bias or ()), Q.const(bias is not None))]


def einsum_out(a: Args) -> Q | None:
    plan = _einsum_plan(a)
    return Q.const(plan[2][-1]) if plan is not None and plan[2] else None


def keras_attention(a: Args) -> list[Tensor]:
    """keras.layers.Attention: a scalar `scale` where use_scale, a scalar `concat_score_weight`
    where score_mode is "concat"."""
    truthy = a.q("use_scale").unary(bool, "bool")
    concat = a.q("score_mode").unary(lambda v: v == "concat", "==")
    return [Tensor("scale", (), truthy), Tensor("concat_score_weight", (), concat)]


def keras_additive_attention(a: Args) -> list[Tensor]:
    """keras.layers.AdditiveAttention: a `scale` over the query's last axis, where use_scale."""
    return [Tensor("scale", (a.in_ch,), a.q("use_scale").unary(bool, "bool"))]


def keras_mha(a: Args) -> list[Tensor]:
    # Called as mha(query, value[, key]): the key defaults to the value (interpreter binds both).
    heads, key_dim = a.q("num_heads"), a.q("key_dim")
    value_dim = choose(a.is_none("value_dim"), key_dim, a.q("value_dim"))
    q_dim = a.in_ch
    v_dim = a.q("__value_channels__")
    k_dim = a.q("__key_channels__")
    out_dim = choose(a.is_none("output_shape"), q_dim, a.q("output_shape"))
    bias = a.q("use_bias")
    return [Tensor("query/kernel", (q_dim, heads, key_dim)),
            Tensor("query/bias", (heads, key_dim), bias),
            Tensor("key/kernel", (k_dim, heads, key_dim)),
            Tensor("key/bias", (heads, key_dim), bias),
            Tensor("value/kernel", (v_dim, heads, value_dim)),
            Tensor("value/bias", (heads, value_dim), bias),
            Tensor("attention_output/kernel", (heads, value_dim, out_dim)),
            Tensor("attention_output/bias", (out_dim,), bias)]


def keras_gqa(a: Args) -> list[Tensor]:
    """GroupQueryAttention, called as gqa(query, value[, key]): query, key and value
    projections (the key and value ones to the fewer key/value heads), a gate like the query's
    where use_gate, and the output back to the query's size."""
    hd, nq, nkv = a.q("head_dim"), a.q("num_query_heads"), a.q("num_key_value_heads")
    q_dim, v_dim, k_dim = a.in_ch, a.q("__value_channels__"), a.q("__key_channels__")
    bias, gate = a.q("use_bias"), a.q("use_gate") if "use_gate" in a.values else Q.const(False)
    return [Tensor("query/kernel", (q_dim, nq, hd)), Tensor("query/bias", (nq, hd), bias),
            Tensor("key/kernel", (k_dim, nkv, hd)), Tensor("key/bias", (nkv, hd), bias),
            Tensor("gate/kernel", (q_dim, nq, hd), gate),
            Tensor("gate/bias", (nq, hd), _and(gate, bias)),
            Tensor("value/kernel", (v_dim, nkv, hd)), Tensor("value/bias", (nkv, hd), bias),
            Tensor("attention_output/kernel", (nq, hd, q_dim)),
            Tensor("attention_output/bias", (q_dim,), bias)]


def keras_prelu(a: Args) -> list[Tensor]:
    # alpha has the input's shape (batch axis dropped), with each shared axis collapsed to 1.
    shape = a.raw("__input_shape__")
    shared = a.raw("shared_axes")
    if not isinstance(shape, TupleV):
        return [Tensor("alpha", (Q.unknown("input shape"),))]
    axes: set[int] = set()
    if isinstance(shared, Q) and shared.known and isinstance(shared.exact, int):
        axes = {shared.exact}
    elif isinstance(shared, TupleV) and all(isinstance(x, Q) and x.known for x in shared.items):
        axes = {int(x.exact) for x in shared.items}  # type: ignore[union-attr]
    elif not (isinstance(shared, Q) and shared.known and shared.exact is None):
        return [Tensor("alpha", (Q.unknown("shared_axes"),))]
    dims = list(shape.items)
    for axis in axes:  # Keras: param_shape[i - 1] = 1, Python's indexing (axis 0 is the last)
        if not -len(dims) <= axis - 1 < len(dims):
            return [Tensor("alpha", (Q.unknown("shared_axes"),))]  # refused: keras_prelu_axes
        dims[axis - 1] = Q.const(1)
    return [Tensor("alpha", tuple(dims))]  # type: ignore[arg-type]


def separable_out(a: Args) -> Q:
    return a.q("filters")


def depthwise_out(a: Args) -> Q:
    return a.in_ch * a.q("depth_multiplier")


# refusals -------------------------------------------------------------------------------------
# What the frameworks refuse to build, written once and read by both the static analysis and the
# evaluator. Rules see plain Python values (UNKNOWN where the code does not fix one) and say
# nothing about what they cannot see: an unknown argument never makes a refusal.
class Given:
    """A call's arguments as plain values, and the input channels where the layer is built."""

    def __init__(self, values: dict[str, Any], in_channels: Any = UNKNOWN,
                 shape: Any = UNKNOWN) -> None:
        self.values = values
        self.in_ch = in_channels
        # the input's shape, batch axis (None) included: Keras, once the input is known
        self.shape = shape
        self.rank = len(shape) if isinstance(shape, tuple) else UNKNOWN

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name, UNKNOWN)

    def known(self, *names: str) -> bool:
        return all(is_known(self[n]) for n in names)


Check = Callable[[Given], "str | None"]


def is_known(value: Any) -> bool:
    if value is UNKNOWN:
        return False
    if isinstance(value, (tuple, list)):
        return all(is_known(v) for v in value)
    return True


def _whole(value: Any) -> bool:
    """An int as the framework's `isinstance(x, int)` sees it (bool included, as in Python)."""
    return isinstance(value, int)


def _safely(check: Check) -> Check:
    """A rule that repeats the framework's own arithmetic fails where the framework does: a value
    Python cannot compare or divide is refused by the framework as well."""
    def run(g: Given) -> str | None:
        try:
            return check(g)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError,
                LookupError) as error:
            return f"the framework cannot use these arguments ({error})"
    return run


def _spread(value: Any, ndim: int) -> tuple | None:
    """torch's _ntuple: a sequence as it is, anything else repeated over the dimensions."""
    if not is_known(value) or value is None or isinstance(value, str):
        return None
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) * ndim


# torch ----------------------------------------------------------------------------------------
_TORCH_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def torch_conv_checks(ndim: int, lazy: bool, transposed: bool) -> tuple[Check, ...]:
    """_ConvNd.__init__: groups, divisibility, padding strings, padding_mode. A Lazy* class is
    built with 0 channels: only the input channels are checked, when its weights are made."""
    def groups(g: Given) -> str | None:
        n = g["groups"]
        if is_known(n) and n <= 0:
            return "groups must be a positive integer"
        return None

    def divisible(g: Given) -> str | None:
        n = g["groups"]
        sizes = [("in_channels", g.in_ch)] if lazy else \
            [("in_channels", g["in_channels"]), ("out_channels", g["out_channels"])]
        for arg, value in sizes:
            if is_known(n) and is_known(value) and value % n != 0:
                return f"{arg} must be divisible by groups ({arg}={value!r}, groups={n!r})"
        return None

    def padding(g: Given) -> str | None:
        pad, mode = g["padding"], g["padding_mode"]
        if isinstance(pad, str) and not transposed:  # _ConvTransposeNd takes any string
            if pad not in ("valid", "same"):
                return f"invalid padding string {pad!r}, should be 'valid' or 'same'"
            stride = _spread(g["stride"], ndim)
            if pad == "same" and stride is not None and is_known(stride) and \
                    any(s != 1 for s in stride):
                return "padding='same' is not supported for strided convolutions"
        if is_known(mode) and mode not in _TORCH_PADDING_MODES:
            return f"padding_mode must be one of {', '.join(_TORCH_PADDING_MODES)}, not {mode!r}"
        if transposed and is_known(mode) and mode != "zeros":
            return "only 'zeros' padding mode is supported for transposed convolutions"
        return None

    return tuple(_safely(c) for c in (groups, divisible, padding))


def _torch_group_norm(g: Given) -> str | None:
    groups, channels = g["num_groups"], g["num_channels"]
    if is_known(groups) and is_known(channels) and channels % groups != 0:
        return f"num_channels ({channels!r}) must be divisible by num_groups ({groups!r})"
    return None


def _torch_normalized_shape(g: Given) -> str | None:
    shape = g["normalized_shape"]
    if is_known(shape) and not isinstance(shape, (int, tuple, list)):
        return f"normalized_shape must be an int or a sequence of ints, not {shape!r}"
    return None


def _torch_embedding(g: Given) -> str | None:
    # __init__ asserts -n ≤ padding_idx < n for a non-zero index; reset_parameters() then zeroes
    # that row, which fails for padding_idx=0 of an empty table.
    pad, n = g["padding_idx"], g["num_embeddings"]
    if is_known(pad) and is_known(n) and pad is not None and not -n <= pad < n:
        return f"padding_idx={pad!r} must be within num_embeddings ({n!r})"
    return None


def _torch_bilinear(g: Given) -> str | None:
    # reset_parameters() draws from ±1/sqrt(in1_features)
    n = g["in1_features"]
    if is_known(n) and n <= 0:
        return f"in1_features must be > 0, but got in1_features={n!r}"
    return None


def _torch_mha(embed_name: str = "embed_dim", heads_name: str = "num_heads") -> Check:
    """MultiheadAttention.__init__ (a Transformer layer passes it d_model and nhead)."""
    def check(g: Given) -> str | None:
        embed, heads = g[embed_name], g[heads_name]
        if not (is_known(embed) and is_known(heads)):
            return None
        if embed <= 0 or heads <= 0:
            return f"{embed_name} and {heads_name} must be greater than 0 ({embed_name}=" \
                   f"{embed!r}, {heads_name}={heads!r})"
        if (embed // heads) * heads != embed:
            return f"{embed_name} ({embed!r}) must be divisible by {heads_name} ({heads!r})"
        return None
    return _safely(check)


def _unless_custom(check: Check) -> Check:
    """nn.Transformer builds its own encoder and decoder layers only where no custom one is
    given: their checks hold unless both are (an unknown one may be None)."""
    def run(g: Given) -> str | None:
        if g["custom_encoder"] is None or g["custom_decoder"] is None:
            return check(g)
        return None
    return run


def _torch_activation_name(g: Given) -> str | None:
    """A Transformer layer's `activation` given as a string: _get_activation_fn."""
    activation = g["activation"]
    if isinstance(activation, str) and activation not in ("relu", "gelu"):
        return f"activation should be relu/gelu, not {activation}"
    return None


def _torch_ranges(*names: str) -> Check:
    """`range(n)`, as _get_clones calls it: n must be an int."""
    def check(g: Given) -> str | None:
        for name in names:
            value = g[name]
            if is_known(value) and not isinstance(value, int):
                return f"{name} must be an int for range(), not {value!r}"
        return None
    return check


def _torch_clonable(layer_arg: str) -> Check:
    """_get_clones: a ModuleList of copies of the layer, which refuses what is not a module
    (None it takes)."""
    def check(g: Given) -> str | None:
        layer, copies = g[layer_arg], g["num_layers"]
        if is_known(layer) and layer is not None and isinstance(copies, int) and copies >= 1:
            return f"ModuleList cannot hold {layer_arg}={layer!r}: it is not a Module"
        return None
    return check


def _torch_positive(name: str, loss: str) -> Check:
    def check(g: Given) -> str | None:
        value = g[name]
        if is_known(value) and value <= 0:
            return f"{loss}: expected {name} to be greater than 0, got {value!r} instead"
        return None
    return _safely(check)


def _torch_margin_p(g: Given) -> str | None:
    p = g["p"]
    if is_known(p) and p != 1 and p != 2:
        return "only p == 1 and p == 2 supported"
    return None


def _torch_huber_delta(g: Given) -> str | None:
    delta = g["delta"]
    if is_known(delta) and not isinstance(delta, (float, int)):
        return f"delta must be a float or int, got: {type(delta)}"
    return None


def _torch_unflattened(g: Given) -> str | None:
    """Unflatten._require_tuple_int."""
    size = g["unflattened_size"]
    if not is_known(size):
        return None
    if not isinstance(size, (tuple, list)):
        return f"unflattened_size must be a tuple of ints, but found type {type(size).__name__}"
    for i, item in enumerate(size):
        if not isinstance(item, int):
            return f"unflattened_size must be tuple of ints, but found element of type " \
                   f"{type(item).__name__} at pos {i}"
    return None


def torch_rnn_checks(mode: str) -> tuple[Check, ...]:
    """RNNBase.__init__, in its order."""
    def check(g: Given) -> str | None:
        dropout = g["dropout"]
        if is_known(dropout) and (not isinstance(dropout, (int, float)) or
                                  isinstance(dropout, bool) or not 0 <= dropout <= 1):
            return f"dropout must be a number in [0, 1], not {dropout!r}"
        for arg in ("bias", "batch_first"):
            if is_known(g[arg]) and not isinstance(g[arg], bool):
                return f"{arg} must be True or False, not {g[arg]!r}"
        for arg in ("input_size", "hidden_size"):
            value = g[arg]
            if is_known(value) and not _whole(value):
                return f"{arg} must be an int, not {value!r}"
            if is_known(value) and value <= 0:
                return f"{arg} must be greater than zero, not {value!r}"
        layers = g["num_layers"]
        if is_known(layers) and layers <= 0:
            return f"num_layers must be greater than zero, not {layers!r}"
        proj, hidden = g["proj_size"], g["hidden_size"]
        if is_known(proj) and proj < 0:
            return f"proj_size must be zero or a positive integer, not {proj!r}"
        if is_known(proj) and is_known(hidden) and proj >= hidden:
            return f"proj_size ({proj!r}) must be smaller than hidden_size ({hidden!r})"
        if mode != "LSTM" and is_known(proj) and proj != 0:
            return "proj_size is only supported for LSTM, not RNN or GRU"
        if mode == "RNN" and is_known(g["nonlinearity"]) and g["nonlinearity"] not in ("tanh",
                                                                                      "relu"):
            return f"unknown nonlinearity {g['nonlinearity']!r}: choose 'tanh' or 'relu'"
        if is_known(layers) and not _whole(layers):
            return f"num_layers must be an int, not {layers!r}"
        return None

    return (_safely(check),)


def _torch_running_stats(g: Given) -> str | None:
    # The running mean and variance are made with torch.zeros(num_features) whether or not the
    # layer is affine.
    n, track = g["num_features"], g["track_running_stats"]
    if is_known(track) and track and is_known(n) and (
            isinstance(n, bool) or not isinstance(n, int) or n < 0):
        return f"the running statistics cannot have num_features={n!r} entries"
    return None


# Arguments torch puts straight into a tensor's shape (or multiplies first): a value that is not
# a number (None, a string) makes the tensor factory raise. (Not num_features: InstanceNorm
# without affine weights or running statistics never reads it.)
_TORCH_SIZES = {"in_channels", "out_channels", "in_features", "out_features", "in1_features",
                "in2_features", "num_channels", "num_embeddings",
                "embedding_dim", "hidden_size", "input_size", "embed_dim", "num_parameters"}


def _torch_cutoffs(g: Given) -> str | None:
    """AdaptiveLogSoftmaxWithLoss's __init__: unique, positive whole cutoffs, sorted, each
    below n_classes - 1, at least one."""
    cutoffs, n_classes = g["cutoffs"], g["n_classes"]
    if not is_known(cutoffs):
        return None
    cutoffs = list(cutoffs)
    if not cutoffs:
        return "cutoffs should be a sequence of length larger than 0"
    if cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or len(set(cutoffs)) != len(cutoffs) \
            or any(int(c) != c for c in cutoffs) or \
            is_known(n_classes) and max(cutoffs) > n_classes - 1:
        return "cutoffs should be unique positive integers, sorted, each from 1 to n_classes - 1"
    if g.known("in_features", "n_classes", "div_value"):
        adaptive_softmax_sizes(g["in_features"], n_classes, cutoffs, g["div_value"])
    return None


def _torch_numbers(names: tuple[str, ...]) -> Check:
    def check(g: Given) -> str | None:
        for name in names:
            value = g[name]
            if is_known(value) and not isinstance(value, (int, float)):
                return f"{name} must be an int, not {value!r}"
        return None
    return check


def _dropout_p(name: str) -> Check:
    def check(g: Given) -> str | None:
        p = g[name]
        if is_known(p) and (p < 0 or p > 1):
            return f"dropout probability has to be between 0 and 1, but got {p!r}"
        return None
    return _safely(check)


# Keras ----------------------------------------------------------------------------------------
def _k_tuple(g: Given, name: str, ndim: int, allow_zero: bool = False) -> str | None:
    """standardize_tuple: an int, or an iterable of `ndim` values int() accepts, all > 0."""
    value = g[name]
    if not is_known(value) or value is None:
        return None
    bad = f"`{name}` must be a tuple of {ndim} integers, not {value!r}"
    if isinstance(value, int):
        items: tuple = (value,) * ndim
    elif isinstance(value, (tuple, list)):
        items = tuple(value)
        if len(items) != ndim:
            return bad
        for item in items:
            try:
                int(item)
            except (TypeError, ValueError):
                return bad
    else:
        return bad
    if any(v < 0 or (v == 0 and not allow_zero) for v in items):
        return bad + (" (values must be ≥ 0)" if allow_zero else " (values must be > 0)")
    return None


def keras_conv_checks(ndim: int, kind: str) -> tuple[Check, ...]:
    """BaseConv (kind "conv"), BaseConvTranspose ("transpose"), BaseSeparableConv ("separable"),
    BaseDepthwiseConv ("depthwise"): __init__, then build()."""
    def tuples(g: Given) -> str | None:
        for name in ("kernel_size", "strides", "dilation_rate"):
            found = _k_tuple(g, name, ndim)
            if found:
                return found
        if kind == "transpose":
            found = _k_tuple(g, "output_padding", ndim, allow_zero=True)
            if found:
                return found
        pad = g["padding"]
        if is_known(pad) and not isinstance(pad, (tuple, list)):
            allowed = ("valid", "same", "causal") if ndim == 1 and kind == "conv" else \
                ("valid", "same")
            if pad.lower() not in allowed:
                return f"`padding` must be one of {', '.join(allowed)}, not {pad!r}"
        return None

    def sizes(g: Given) -> str | None:
        dm = g["depth_multiplier"]
        if kind in ("separable", "depthwise") and is_known(dm) and dm is not None and dm <= 0:
            return f"depth_multiplier must be strictly positive, not {dm!r}"
        filters = g["filters"]
        if kind != "depthwise" and is_known(filters) and filters is not None and filters <= 0:
            return f"filters must be strictly positive, not {filters!r}"
        groups = g["groups"]
        if kind == "conv" and is_known(groups):
            if groups <= 0:
                return f"the number of groups must be a positive integer, not {groups!r}"
            if is_known(filters) and filters is not None and filters % groups != 0:
                return f"filters ({filters!r}) must be divisible by groups ({groups!r})"
        strides, dilation = _spread(g["strides"], ndim), _spread(g["dilation_rate"], ndim)
        if kind == "transpose" and is_known(g["output_padding"]) and \
                g["output_padding"] is not None and strides is not None and is_known(strides):
            out_pad = _spread(g["output_padding"], ndim) or ()
            if any(p >= s for p, s in zip(out_pad, strides, strict=False)):
                return "output_padding must be strictly less than strides in every dimension"
        if kind in ("conv", "transpose") and strides and dilation and is_known(strides) and \
                is_known(dilation) and \
                max(strides) > 1 and max(dilation) > 1:
            return "strides > 1 is not supported together with dilation_rate > 1"
        return None

    def build(g: Given) -> str | None:
        groups = g["groups"]
        if kind == "conv" and is_known(groups) and is_known(g.in_ch) and g.in_ch % groups != 0:
            return f"the input channels ({g.in_ch!r}) must be divisible by groups ({groups!r})"
        return None

    def output_size(g: Given) -> str | None:
        # build() computes the output shape: with 'valid' padding, a kernel (dilated) wider
        # than the input leaves no output, and Keras refuses.
        pad, fmt, shape = g["padding"], g["data_format"], g.shape
        kernel, dilation = _spread(g["kernel_size"], ndim), _spread(g["dilation_rate"], ndim)
        if kind == "transpose" or not isinstance(pad, str) or pad.lower() != "valid" or \
                not is_known(fmt) or not isinstance(shape, tuple) or len(shape) != ndim + 2 or \
                kernel is None or dilation is None or not is_known(kernel + dilation):
            return None
        first = fmt is not None and str(fmt).lower() == "channels_first"
        spatial = shape[2:] if first else shape[1:-1]
        for size, k, d in zip(spatial, kernel, dilation, strict=False):
            if isinstance(size, int) and size < d * (k - 1) + 1:
                return f"the output size would be zero or negative (an input of {size} along " \
                       f"an axis, a kernel of {k} with dilation {d}, padding 'valid')"
        return None

    return tuple(_safely(c) for c in (tuples, sizes, build, output_size))


def keras_conv_lstm_checks(ndim: int) -> tuple[Check, ...]:
    """ConvLSTMCell's __init__ (strides may be 0 there), then RNN.build, which computes the
    output of a step (`(batch, *spatial, channels)`, the time axis taken out) as a convolution
    does."""
    def arguments(g: Given) -> str | None:
        for name, zero in (("kernel_size", False), ("strides", True), ("dilation_rate", False)):
            found = _k_tuple(g, name, ndim, allow_zero=zero)
            if found:
                return found
        pad = g["padding"]
        if is_known(pad) and pad.lower() not in ("valid", "same"):
            return f"`padding` must be 'valid' or 'same', not {pad!r}"
        strides, dilation = _spread(g["strides"], ndim), _spread(g["dilation_rate"], ndim)
        if strides and dilation and is_known(strides) and is_known(dilation) and \
                max(strides) > 1 and max(dilation) > 1:
            return "strides > 1 is not supported together with dilation_rate > 1"
        return None

    def filters(g: Given) -> str | None:  # (build multiplies it by 4)
        value = g["filters"]
        if is_known(value) and (value is None or isinstance(value, str)):
            return f"`filters` must be a number, not {value!r}"
        return None

    # (build makes the weights whatever the output's size: that is checked where it is called)
    return (_safely(arguments), filters, _k_lstm_bias("filters"))


def _k_einsum(g: Given) -> str | None:
    """EinsumDense: `tuple(output_shape)` in __init__; at build, what the equation, the input
    and the output shape must agree on (einsum_dense_shapes)."""
    output_shape = g["output_shape"]
    if is_known(output_shape) and not isinstance(output_shape, (int, tuple, list, str)):
        return f"`output_shape` must be an int or a sequence of them, not {output_shape!r}"
    if not isinstance(g.shape, tuple) or not g.known("equation", "bias_axes", "output_shape"):
        return None
    try:
        einsum_dense_shapes(g["equation"], g["bias_axes"], g.shape, output_shape)
    except ValueError as error:
        return str(error)
    return None


def _k_gqa(g: Given) -> str | None:
    """GroupQueryAttention's __init__: the key/value heads divide the query heads, a sliding
    window is a positive int, float(head_dim), and no dropout with flash attention asked for."""
    nq, nkv = g["num_query_heads"], g["num_key_value_heads"]
    if is_known(nq) and is_known(nkv) and nq % nkv != 0:
        return f"num_query_heads ({nq!r}) must be divisible by num_key_value_heads ({nkv!r})"
    window = g["sliding_window"]
    if is_known(window) and window is not None and (not isinstance(window, int) or window <= 0):
        return f"`sliding_window` must be None or a positive int, not {window!r}"
    if is_known(g["head_dim"]):
        1.0 / math.sqrt(float(g["head_dim"]))  # noqa: B018 - (what Python refuses, Keras does)
    flash, dropout = g["flash_attention"], g["dropout"]
    if is_known(flash) and flash and is_known(dropout) and dropout > 0.0:
        return "dropout is not supported with flash attention"
    return None


def _k_positive_int(name: str, bool_ok: bool = True) -> Check:
    def check(g: Given) -> str | None:
        value = g[name]
        if is_known(value) and (not isinstance(value, int) or value <= 0 or
                                (isinstance(value, bool) and not bool_ok)):
            return f"`{name}` must be a positive integer, not {value!r}"
        return None
    return _safely(check)


def _k_callable(name: str) -> Check:
    """Lambda reads its function's signature (inspect.getfullargspec), which refuses a number, a
    string or None with a TypeError."""
    def check(g: Given) -> str | None:
        value = g[name]
        if is_known(value) and (value is None or isinstance(value, (int, float, str, tuple,
                                                                    list))):
            return f"`{name}` must be a function, not {value!r}"
        return None
    return check


def _k_rnn_units(g: Given) -> str | None:
    units = g["units"]
    if is_known(units) and units <= 0:
        return f"`units` must be a positive integer, not {units!r}"
    return None


def _k_lstm_bias(name: str) -> Check:
    # unit_forget_bias builds the bias from torch.zeros((units,)) pieces: a bool size is refused
    # there (and only there: without that bias, LSTM(True) builds).
    def check(g: Given) -> str | None:
        units, bias = g[name], g["use_bias"]
        forget = g.values.get("unit_forget_bias", True)  # absent: not passed, its default holds
        if isinstance(units, bool) and is_known(bias) and bias and is_known(forget) and forget:
            return f"`{name}` must be an int for the unit forget bias, not {units!r}"
        return None
    return check


def _nested_shape(value: Any) -> tuple[int, ...] | None:
    """numpy's shape of a number or of nested lists of numbers; None where it has none (ragged,
    or not fixed by the code)."""
    if isinstance(value, (int, float)):
        return ()
    if not isinstance(value, (list, tuple)):
        return None
    inner = {_nested_shape(item) for item in value}
    if len(inner) > 1 or None in inner:
        return None
    return (len(value), *(inner.pop() if inner else ()))


def _k_normalization(g: Given) -> str | None:
    """What Normalization refuses: a mean without a variance (or the other way round), the two of
    different shapes or of more axes than `axis` names (__init__); then, at build, an axis out of
    range or the batch axis, and a mean that does not fit the sizes along the axes kept."""
    mean, variance, axis = g["mean"], g["variance"], g["axis"]
    if is_known(mean) and is_known(variance) and (mean is None) != (variance is None):
        return "`mean` and `variance` must both be set, or neither"
    given = None if mean is None or not (is_known(mean) and is_known(variance)) else \
        (_nested_shape(mean), _nested_shape(variance))
    if given is not None and None not in given and given[0] != given[1]:
        return f"`mean` has the shape {given[0]} and `variance` {given[1]}: they must agree"
    if not is_known(axis):
        return None
    axes = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
    if any(not isinstance(x, int) for x in axes):
        return f"`axis` must be an int, a list of ints or None, not {axis!r}"
    mean_shape = given[0] if given is not None else None
    if mean_shape is not None and len(mean_shape) > len(axes):
        return f"`mean` of the shape {mean_shape} has more axes than `axis` ({axis!r}) names"
    shape = g.shape
    if not isinstance(shape, tuple):
        return None
    rank = len(shape)
    if any(not -rank <= x < rank for x in axes):
        return f"axis {axis!r} is out of range for an input of rank {rank}"
    kept = sorted(x % rank for x in axes)
    if any(shape[x] is None for x in kept):
        return f"axis {axis!r} names an axis of no fixed size (the batch axis)"
    if mean is None and len(set(kept)) < len(kept):  # (its weights are made, then reshaped)
        return f"axis {axis!r} names one axis twice"
    for i in range(1, len(mean_shape or ()) + 1):
        size, along = mean_shape[-i], shape[kept[-i]]  # type: ignore[index]
        if is_known(along) and size not in (1, along):
            return f"`mean` of the shape {mean_shape} does not fit the input's sizes {shape}"
    return None


def _k_group_norm(g: Given) -> str | None:
    groups, dim, axis = g["groups"], g.in_ch, g["axis"]
    if is_known(axis) and axis != -1:
        # build() reads the size along `axis` (an axis out of range raises there too)
        dim = g.shape[axis] if isinstance(g.shape, tuple) else UNKNOWN
    if is_known(groups) and (not isinstance(groups, int) or (groups <= 0 and groups != -1)):
        return f"`groups` must be a positive integer (or -1), not {groups!r}"
    if not (is_known(groups) and is_known(dim)):
        return None
    if groups == -1:
        return None
    if dim < groups:
        return f"the number of groups ({groups!r}) cannot be more than the channels ({dim!r})"
    if dim % groups != 0:
        return f"the number of groups ({groups!r}) must divide the channels ({dim!r})"
    return None


def _k_rate(name: str) -> Check:
    def check(g: Given) -> str | None:
        rate = g[name]
        if is_known(rate) and (not isinstance(rate, (int, float)) or not 0 <= rate <= 1):
            return f"`{name}` must be a number between 0 and 1, not {rate!r}"
        return None
    return _safely(check)


def _k_pool_checks(ndim: int) -> tuple[Check, ...]:
    # BasePooling: strides may be 0 (allow_zero), and default to pool_size.
    return (_k_window("pool_size", ndim),
            _safely(lambda g: _k_tuple(g, "strides", ndim, allow_zero=True)))


def _k_number(name: str) -> Check:
    """An argument Keras clamps with min()/max(): any number goes, anything else raises."""
    def check(g: Given) -> str | None:
        value = g[name]
        if is_known(value) and not isinstance(value, (int, float)):
            return f"`{name}` must be a number, not {value!r}"
        return None
    return check


def keras_axis_in_range(g: Given) -> str | None:
    """BatchNormalization, LayerNormalization, ... index the input shape with `axis`."""
    axis, rank = g["axis"], g.rank
    if not (is_known(axis) and is_known(rank)):
        return None
    axes = list(axis) if isinstance(axis, (tuple, list)) else [axis]
    for x in axes:
        if isinstance(x, int) and not -rank <= x < rank:
            return f"axis {x} is out of range for an input of rank {rank}"
    return None


def keras_prelu_axes(g: Given) -> str | None:
    axes, rank = g["shared_axes"], g.rank
    if not (is_known(axes) and is_known(rank)) or axes is None:
        return None
    for axis in axes if isinstance(axes, (tuple, list)) else [axes]:
        if isinstance(axis, int) and not -(rank - 1) <= axis - 1 < rank - 1:
            return f"shared axis {axis} is out of range for an input of rank {rank}"
    return None


# Keras' image preprocessing layers (keras.src.layers.preprocessing.image_preprocessing): what
# their __init__ refuses. A factor is checked by BaseImagePreprocessingLayer._set_factor (after
# `factor or 0.0`) against the class's bounds, or by RandomZoom's and RandomTranslation's own.
_K_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_K_INTERPOLATIONS = ("nearest", "bilinear")


def _k_factor(name: str, outside: Callable[[Any], bool], *, optional: bool = False) -> Check:
    """RandomZoom's and RandomTranslation's _set_factor: a number, or a list or tuple of two,
    each inside the bounds (`outside` says which are not); any other value is refused.
    `optional`: None is let through (RandomZoom's width_factor)."""
    def check(g: Given) -> str | None:
        factor = g[name]
        if not is_known(factor) or optional and factor is None:
            return None
        refused = f"`{name}` must be a number or a pair of numbers in Keras' range, not {factor!r}"
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or outside(factor[0]) or outside(factor[1]):
                return refused
            sorted(factor)  # (Keras sorts the pair: items it cannot order raise)
        elif isinstance(factor, (int, float)):
            if outside(factor):
                return refused
        else:
            return refused
        return None
    return _safely(check)


def _k_base_factor(low: float, high: float, *, or_zero: bool = True) -> Check:
    """BaseImagePreprocessingLayer._set_factor: a pair is refused where its first item is above
    the bounds or its second below them (as Keras compares them, before sorting). `or_zero`:
    given through the base's __init__, which reads a false factor as 0.0 (RandomContrast calls
    _set_factor itself, on the factor as given)."""
    def check(g: Given) -> str | None:
        factor = g["factor"]
        if not is_known(factor):
            return None
        if or_zero:
            factor = factor or 0.0
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > high or factor[1] < low:
                return f"`factor` must be a pair in [{low}, {high}], not {factor!r}"
            sorted(factor)
            return None
        if isinstance(factor, (int, float)):
            return None if low <= factor <= high else \
                f"`factor` must be in [{low}, {high}], not {factor!r}"
        return f"`factor` must be a number or a pair of numbers, not {factor!r}"
    return _safely(check)


def _k_takes_no_factor(g: Given) -> str | None:
    """A class whose base takes no factor (_USE_BASE_FACTOR False) refuses one given by keyword."""
    factor = g["factor"]
    return None if not is_known(factor) or factor is None else \
        f"this layer takes no `factor`, not {factor!r}"


def _k_one_of(name: str, allowed: tuple[str | None, ...]) -> Check:
    def check(g: Given) -> str | None:
        value = g[name]
        return None if not is_known(value) or value in allowed else \
            f"`{name}` must be one of {', '.join(map(repr, allowed))}, not {value!r}"
    return check


def _k_value_range(g: Given) -> str | None:
    value = g["value_range"]
    if not is_known(value):
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return f"`value_range` must be a list of two numbers, not {value!r}"
    sorted(value)
    return None


def keras_time_distributed(a: Args) -> list[Tensor]:
    """TimeDistributed owns no weights of its own: it counts its layer's, built on each time
    step of its input, which only the evaluated program follows."""
    return [Tensor("layer", (Q.unknown("its weights"),))]


def keras_bidirectional(a: Args) -> list[Tensor]:
    """Bidirectional counts two copies of its layer (one each way), built on its input."""
    return [Tensor(name, (Q.unknown("its weights"),)) for name in ("forward_layer",
                                                                   "backward_layer")]


def keras_rnn_layer(a: Args) -> list[Tensor]:
    """RNN owns no weights of its own: it counts its cell's (or its cells', a list of them
    stacked), built on each step of its input, which only the evaluated program follows."""
    return [Tensor("cell", (Q.unknown("its weights"),))]


def keras_spectral_normalization(a: Args) -> list[Tensor]:
    """SpectralNormalization counts its layer, built on its input, and a non-trainable
    `vector_u` as wide as the last axis of that layer's kernel (or embeddings)."""
    return [Tensor("layer", (Q.unknown("its weights"),))]


def _k_power_iterations(g: Given) -> str | None:
    value = g["power_iterations"]
    if is_known(value) and value <= 0:
        return f"`power_iterations` should be greater than zero, not {value!r}"
    return None


def _k_layer(name: str, optional: bool = False) -> Check:
    """A wrapper's __init__ refuses anything but a Keras layer (`isinstance(layer, Layer)`): a
    number, a string, None or a list is never one."""
    def check(g: Given) -> str | None:
        value = g[name]
        if optional and value is None or not is_known(value):
            return None  # (a layer object is no plain value)
        return f"`{name}` must be a Keras layer, not {value!r}"
    return check


def _k_dropout_compared(g: Given) -> str | None:
    """Attention's __init__ compares its dropout with 0 (`if self.dropout > 0`)."""
    value = g["dropout"]
    if is_known(value):
        value > 0  # noqa: B015 - (what Python cannot compare, Keras cannot either)
    return None


def _k_repeat(g: Given) -> str | None:
    n = g["n"]
    if not is_known(n):
        return None
    if not isinstance(n, int) or isinstance(n, bool):
        return f"`n` must be an int, not {n!r}"
    return None if n > 0 else f"`n` must be a positive integer, not {n!r}"


def _k_permutation(g: Given) -> str | None:
    dims = g["dims"]
    if is_known(dims) and sorted(dims) != list(range(1, len(dims) + 1)):
        return f"`dims` must be a permutation of 1..{len(dims)}, not {dims!r}"
    return None


# keras.activations.get(): None, a callable, or one of these names (case as written).
_KERAS_ACTIVATION_NAMES = frozenset((
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish",
    "relu", "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus",
    "softsign", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh",
    "tanh_shrink", "threshold"))


# keras.initializers.get(), .regularizers.get(), .constraints.get(): a name (exactly as
# written) of one of these, or an object (tests/test_catalogue_names.py checks them against
# Keras). ("l1_l2": tf.keras' own name, let through.)
KERAS_IDENTIFIERS = {
    "initializer": frozenset((
        "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity",
        "IdentityInitializer", "Initializer", "LecunNormal", "LecunUniform", "Ones", "Orthogonal",
        "OrthogonalInitializer", "RandomNormal", "RandomUniform", "STFT", "STFTInitializer",
        "TruncatedNormal", "VarianceScaling", "Zeros", "constant", "glorot_normal",
        "glorot_uniform", "he_normal", "he_uniform", "identity", "initializer", "lecun_normal",
        "lecun_uniform", "normal", "one", "ones", "orthogonal", "random_normal", "random_uniform",
        "stft", "truncated_normal", "uniform", "variance_scaling", "zero", "zeros")),
    "regularizer": frozenset((
        "L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "l1", "l1l2", "l2",
        "orthogonal_regularizer", "regularizer", "l1_l2")),
    "constraint": frozenset((
        "Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "constraint", "max_norm",
        "min_max_norm", "non_neg", "unit_norm")),
}


def keras_identifier_refusal(name: str, value: object) -> str | None:
    """Why Keras refuses `value` given as the argument `name` (`kernel_initializer="nope"`): a
    string that names no initializer, regularizer or constraint. (A name with ">" may be one the
    program registers as a custom object.)"""
    kind = name.rpartition("_")[2]
    known = KERAS_IDENTIFIERS.get(kind)
    if known is None or not isinstance(value, str) or value in known or ">" in value:
        return None
    return f"could not interpret the {kind} {value!r} given as `{name}`"


def _k_identifiers(g: Given) -> str | None:
    for name, value in g.values.items():
        found = keras_identifier_refusal(name, value)
        if found:
            return found
    return None


def _k_activations(names: tuple[str, ...]) -> Check:
    def check(g: Given) -> str | None:
        for name in names:
            value = g[name]
            if isinstance(value, str) and value not in _KERAS_ACTIVATION_NAMES:
                return f"could not interpret the activation {value!r} given as `{name}`"
        return None
    return check


def _k_float(name: str) -> Check:
    """An argument Keras passes through float()."""
    def check(g: Given) -> str | None:
        value = g[name]
        if is_known(value):
            try:
                float(value)
            except (TypeError, ValueError):
                return f"`{name}` must be a number, not {value!r}"
        return None
    return check


def _k_relu(g: Given) -> str | None:
    """keras.layers.ReLU and LeakyReLU: no None or negative slope, threshold or max_value."""
    for name in ("negative_slope", "threshold"):
        value = g[name]
        if is_known(value) and (value is None or value < 0):
            return f"`{name}` of a ReLU layer cannot be None or negative, not {value!r}"
    value = g["max_value"]
    if is_known(value) and value is not None and value < 0:
        return f"`max_value` of a ReLU layer cannot be negative, not {value!r}"
    return None


def _torch_hardtanh(g: Given) -> str | None:
    low = g["min_value"] if g["min_value"] is not None else g["min_val"]
    high = g["max_value"] if g["max_value"] is not None else g["max_val"]
    if is_known(low) and is_known(high) and high <= low:
        return f"max_val ({high!r}) must be greater than min_val ({low!r})"
    return None


def _k_data_format(g: Given) -> str | None:
    """backend.standardize_data_format: None, or either name in any case."""
    fmt = g["data_format"]
    if is_known(fmt) and fmt is not None and str(fmt).lower() not in ("channels_first",
                                                                        "channels_last"):
        return f"`data_format` must be 'channels_first' or 'channels_last', not {fmt!r}"
    return None


def _k_adaptive_size(ndim: int) -> Check:
    """Keras' adaptive pooling takes an int, or a tuple or a list of `ndim` items (what they are
    is checked where the layer is called: `_k_adaptive_items`)."""
    def check(g: Given) -> str | None:
        size = g["output_size"]
        if not is_known(size) or isinstance(size, int) or \
                isinstance(size, (tuple, list)) and len(size) == ndim:
            return None
        return f"`output_size` must be an int or a tuple of {ndim}, not {size!r}"
    return check


def _k_adaptive_items(g: Given) -> str | None:
    """Called, an adaptive pooling's output shape holds its `output_size`: each must be a size
    Keras can make a shape of (an int, not below zero, or None)."""
    size = g["output_size"]
    if not isinstance(g.shape, tuple) or not is_known(size):
        return None
    for item in size if isinstance(size, (tuple, list)) else (size,):
        if item is not None and not isinstance(item, int) or isinstance(item, int) and item < 0:
            return f"`output_size` {size!r} is not a shape Keras can make"
    return None


def _k_unit_axis(g: Given) -> str | None:
    """UnitNormalization takes an int or a list of them (__init__); called, each axis must lie
    within the input's rank, the batch axis included."""
    axis = g["axis"]
    if not is_known(axis):
        return None
    if not isinstance(axis, (int, list, tuple)):
        return f"`axis` must be an int or a list of ints, not {axis!r}"
    if not isinstance(g.shape, tuple):
        return None
    rank = len(g.shape)
    for x in axis if isinstance(axis, (list, tuple)) else (axis,):
        if not -rank <= x < rank:
            return f"axis {x!r} is out of range for an input of rank {rank}"
    return None


def _k_window(name: str, ndim: int) -> Check:
    return _safely(lambda g: _k_tuple(g, name, ndim))


# the call itself ------------------------------------------------------------------------------
def call_refusal(spec: LayerSpec, positional: int, keywords: list[str], hidden: bool,
                 given: set[str]) -> str | None:
    """What Python refuses before the framework runs: a keyword given twice, too many
    positionals, a keyword the class does not take, one argument given twice, a required one
    missing. `hidden`: *args or **kwargs whose contents are not known (then only what is seen
    is checked); `given` names every argument known to be passed."""
    found = _call_problem(spec, positional, keywords, hidden, given)
    return f"Python refuses the call: {found}" if found else None


def _call_problem(spec: LayerSpec, positional: int, keywords: list[str], hidden: bool,
                  given: set[str]) -> str | None:
    seen: set[str] = set()
    for name in keywords:
        if name in seen:
            return f"keyword argument repeated: {name}"
        seen.add(name)
    params = spec.signature
    slots = [p.name for p in params if not p.keyword_only]
    if not spec.open_call and not hidden:
        if positional > len(slots):
            return f"{spec.short}() takes {len(slots)} positional arguments but {positional} " \
                   "were given"
        names = {p.name for p in params}
        for name in keywords:
            if name not in names:
                return f"{spec.short}() got an unexpected keyword argument {name!r}"
    for name in keywords:
        if name in slots[:positional]:
            return f"{spec.short}() got multiple values for argument {name!r}"
    if not hidden:
        for p in params:
            if p.required and p.name not in given:
                return f"{spec.short}() missing a required argument: {p.name!r}"
    return None


def value_refusal(spec: LayerSpec, given: Given) -> str | None:
    """The first of the framework's own argument checks that these values fail."""
    for check in spec.checks:
        found = check(given)
        if found:
            return found
    return None


def tensor_refusal(spec: LayerSpec, tensors: list[Tensor], exact: bool = True) -> str | None:
    """What the framework's tensor factory refuses: a size that is not a whole number, one below
    zero, and (torch's argument parser) a bool as the first size. `exact` picks the certain
    values, else those under the stated defaults."""
    for tensor in tensors:
        present = tensor.present.exact if exact else tensor.present.default
        if not is_known(present) or not present:
            continue
        dims = [d.exact if exact else d.default for d in tensor.shape]
        if not all(is_known(d) for d in dims):
            continue
        for i, d in enumerate(dims):
            shape = "(" + ", ".join(repr(x) for x in dims) + ")"
            if isinstance(d, bool) and i == 0 and spec.framework == "torch":
                return f"{tensor.name} would have the shape {shape}: a size must be an int, " \
                       "not a bool"
            if not isinstance(d, int):
                return f"{tensor.name} would have the shape {shape}: every size must be a " \
                       "whole number"
            if d < 0:
                return f"{tensor.name} would have the shape {shape}: a size cannot be negative"
    return None


# the entries --------------------------------------------------------------------------------
_TORCH_CONV = ("in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, "
               "groups=1, bias=True, padding_mode='zeros', device=None, dtype=None")
_TORCH_CONVT = ("in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, "
                "groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None")
_TORCH_LAZY_CONV = ("out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, "
                    "bias=True, padding_mode='zeros', device=None, dtype=None")
_TORCH_LAZY_CONVT = ("out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, "
                     "bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None")
_TORCH_BN = ("num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, "
             "device=None, dtype=None, *, bias=True")
_TORCH_IN = ("num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False, "
             "device=None, dtype=None, *, bias=True")
_TORCH_TRANSFORMER_LAYER = ("d_model, nhead, dim_feedforward=2048, dropout=0.1, "
                            "activation=torch.nn.functional.relu, layer_norm_eps=1e-05, "
                            "batch_first=False, norm_first=False, bias=True, device=None, "
                            "dtype=None")
# TransformerEncoderLayer.__init__, in its order: MultiheadAttention, the Linears (a size torch
# cannot make is refused with the tensors), Dropout, then a string activation's name.
_TORCH_TRANSFORMER_CHECKS = (_torch_mha("d_model", "nhead"), _dropout_p("dropout"),
                             _torch_activation_name)
_TORCH_LSTM = ("input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, "
               "bidirectional=False, proj_size=0, device=None, dtype=None")
# GRU and RNN pass their arguments on to RNNBase, which also takes proj_size (and refuses it).
_TORCH_GRU = ("input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, "
              "bidirectional=False, proj_size=0, device=None, dtype=None")
_TORCH_RNN = ("input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, "
              "batch_first=False, dropout=0.0, bidirectional=False, proj_size=0, device=None, "
              "dtype=None")

_K_CONV = ("filters, kernel_size, strides=1, padding='valid', data_format=None, dilation_rate=1, "
           "groups=1, activation=None, use_bias=True")
_K_CONVT = ("filters, kernel_size, strides=1, padding='valid', output_padding=None, data_format=None, "
            "dilation_rate=1, activation=None, use_bias=True")
_K_CONV3T = ("filters, kernel_size, strides=1, padding='valid', data_format=None, output_padding=None, "
             "dilation_rate=1, activation=None, use_bias=True")
_K_SEP = ("filters, kernel_size, strides=1, padding='valid', data_format=None, dilation_rate=1, "
          "depth_multiplier=1, activation=None, use_bias=True")
_K_DW = ("kernel_size, strides=1, padding='valid', depth_multiplier=1, data_format=None, "
         "dilation_rate=1, activation=None, use_bias=True")
_K_POOL = "pool_size=2, strides=None, padding='valid', data_format=None"


def _torch(short: str, sig: str, family: str, formula: Formula | None, *,
           in_arg: str | None = None, flow: Flow | None = None, ndim: int = 0,
           transposed: bool = False, checks: tuple[Check, ...] = (),
           open_call: bool = False, module_args: tuple[str, ...] = (),
           counted_args: tuple[str, ...] = ()) -> LayerSpec:
    params = signature(sig)
    sizes = tuple(p.name for p in params if p.name in _TORCH_SIZES)
    if sizes:
        checks = (_torch_numbers(sizes), *checks)
    # Each Lazy class takes its eager class's arguments but the first (the input size).
    eager = f"torch.nn.{short[4:]}" if short.startswith("Lazy") else None
    hook = _torch_init_hook(short[4:] if eager else short)
    return LayerSpec((f"torch.nn.{short}",), "torch", params, family, formula, in_arg,
                     flow, ndim, transposed, checks, open_call, eager, module_args,
                     counted_args, hook,
                     "_weight" if short in ("Embedding", "EmbeddingBag") else None,
                     _torch_stored(short[4:] if eager else short))


# The forms in which torch keeps an argument (LayerSpec.stored), as its __init__ writes them:
# - "spread": `_ntuple(ndim)`, an iterable as the tuple of its items (a string too), anything
#   else repeated once per spatial dimension;
# - "spread_unless_str": the same, but a string as given (a convolution's padding='same');
# - "spread_twice": `_ntuple(2 * ndim)` (the padding layers: both sides of each dimension);
# - "index": a negative index counted from `num_embeddings` (Embedding's padding_idx);
# - "shape": an int as a 1-tuple, an iterable as a tuple (normalized_shape);
# - "scale": a falsy value as None, a number as a float, a tuple as floats (Upsample);
# and Keras':
# - "lower": a string in lower case (`padding="SAME"`, `data_format`);
# - "pairs": a (before, after) pair per spatial dimension (ZeroPadding, Cropping);
# - "clamp": a rate clamped to [0, 1] (an RNN's dropout);
# - "opaque": a form the evaluator does not follow (PReLU's shared_axes: a list).
STORED_FORMS = ("spread", "spread_unless_str", "spread_twice", "index", "shape", "scale",
                "lower", "pairs", "clamp", "opaque")
_SPREAD_ALL = (("kernel_size", "spread"), ("stride", "spread"), ("padding", "spread"))


def _torch_stored(short: str) -> tuple[tuple[str, str], ...]:
    if re.fullmatch(r"Conv[123]d", short):
        return (("kernel_size", "spread"), ("stride", "spread"),
                ("padding", "spread_unless_str"), ("dilation", "spread"))
    if re.fullmatch(r"ConvTranspose[123]d", short):
        return (*_SPREAD_ALL, ("dilation", "spread"), ("output_padding", "spread"))
    if re.fullmatch(r"AvgPool1d|MaxUnpool[123]d", short):
        return _SPREAD_ALL
    if re.fullmatch(r"(Reflection|Replication|Zero|Constant|Circular)Pad[123]d", short):
        return (("padding", "spread_twice"),)
    if short in ("Embedding", "EmbeddingBag"):
        return (("padding_idx", "index"),)
    if short in ("LayerNorm", "RMSNorm"):
        return (("normalized_shape", "shape"),)
    if short.startswith("Upsampl"):
        return (("scale_factor", "scale"),)
    if short == "AdaptiveLogSoftmaxWithLoss":  # (kept with n_classes appended)
        return (("cutoffs", "opaque"),)
    return ()


# The torch classes whose __init__ ends by calling `self.reset_parameters()` (a Lazy class
# calls it through its eager class's __init__); MultiheadAttention and Transformer call
# `self._reset_parameters()`.
_TORCH_RESETS = re.compile(r"(Conv|ConvTranspose|BatchNorm|InstanceNorm)[123]d|Linear|Bilinear|"
                           r"Embedding|EmbeddingBag|LayerNorm|RMSNorm|GroupNorm|PReLU|"
                           r"SyncBatchNorm|LSTM|GRU|RNN|LSTMCell|GRUCell|RNNCell")


def _torch_init_hook(short: str) -> str | None:
    if short in ("MultiheadAttention", "Transformer"):
        return "_reset_parameters"
    return "reset_parameters" if _TORCH_RESETS.fullmatch(short) else None


def _keras(shorts: tuple[str, ...] | str, sig: str, family: str, formula: Formula | None, *,
           flow: Flow | None = None, ndim: int = 0, transposed: bool = False,
           checks: tuple[Check, ...] = ()) -> LayerSpec:
    # Keras layers take **kwargs (name, dtype, ...) and our signatures list only the leading
    # parameters: the call is open.
    names = (shorts,) if isinstance(shorts, str) else shorts
    params = signature(sig)
    activations = tuple(p.name for p in params if p.name in ("activation",
                                                             "recurrent_activation"))
    if activations:
        checks = (_k_activations(activations), *checks)
    if any(p.name == "data_format" for p in params):
        checks = (_k_data_format, *checks)
    checks = (_k_identifiers, *checks)
    return LayerSpec(tuple(f"keras.layers.{n}" for n in names), "keras", params, family,
                     formula, None, flow, ndim, transposed, checks, open_call=True,
                     stored=_keras_stored(names[0], params))


def _keras_stored(short: str, params: tuple[Param, ...]) -> tuple[tuple[str, str], ...]:
    """What a Keras layer makes of its arguments (LayerSpec.stored). Any other string it was
    given is taken as kept in another form (an `activation` becomes a function)."""
    names = {p.name for p in params}
    forms: dict[str, str] = {"data_format": "lower"}
    if re.match(r"(Conv|SeparableConv|DepthwiseConv)", short):
        forms.update(kernel_size="spread", strides="spread", dilation_rate="spread",
                     output_padding="spread", padding="lower")
    elif re.match(r"(MaxPooling|AveragePooling)", short):  # (their padding as given)
        forms.update(pool_size="spread", strides="spread")
    elif re.match(r"(ZeroPadding|Cropping)", short):
        forms.update(padding="pairs", cropping="pairs")
    elif short.startswith("Adaptive"):  # (kept as a tuple, from an int or a list)
        forms.update(output_size="spread")
    elif re.fullmatch(r"UpSampling[23]D", short):
        forms.update(size="spread")
    elif short in ("LSTM", "GRU", "SimpleRNN"):
        forms.update(dropout="clamp", recurrent_dropout="clamp")
    elif short == "PReLU":
        forms.update(shared_axes="opaque")
    elif short == "Permute":  # (`tuple(dims)`: a list given is kept as a tuple)
        forms.update(dims="shape")
    elif short in ("RandomRotation", "RandomContrast", "RandomBrightness"):
        # (the base class keeps its factor as the (lower, upper) pair, the value_range sorted)
        forms.update(factor="opaque", value_range="opaque")
    forms.setdefault("axis", "opaque")  # (a normalization's: a list once it is built)
    return tuple((name, form) for name, form in forms.items() if name in names)


# torch's parameterless classes with their signatures as their __init__ spells them.
_TORCH_POOLS = {
    "MaxPool": "kernel_size, stride=None, padding=0, dilation=1, return_indices=False, "
               "ceil_mode=False",
    "AvgPool": "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True",
    "AdaptiveAvgPool": "output_size",
    "AdaptiveMaxPool": "output_size, return_indices=False",
    "LPPool": "norm_type, kernel_size, stride=None, ceil_mode=False",
    "ReflectionPad": "padding",
    "ReplicationPad": "padding",
    "ZeroPad": "padding",
    "ConstantPad": "padding, value",
    "CircularPad": "padding",
    "MaxUnpool": "kernel_size, stride=None, padding=0",
    "Dropout": "p=0.5, inplace=False",
}
_TORCH_ACTIVATIONS = {
    "ReLU": "inplace=False", "ReLU6": "inplace=False",
    "LeakyReLU": "negative_slope=0.01, inplace=False", "ELU": "alpha=1.0, inplace=False",
    "SELU": "inplace=False", "GELU": "approximate='none'", "SiLU": "inplace=False",
    "Mish": "inplace=False", "Sigmoid": "", "Tanh": "", "Hardswish": "inplace=False",
    "Hardsigmoid": "inplace=False",
    "Hardtanh": "min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None",
    "Softmax": "dim=None", "LogSoftmax": "dim=None", "Identity": "", "Dropout": "p=0.5, "
    "inplace=False", "AlphaDropout": "p=0.5, inplace=False", "ChannelShuffle": "groups",
    "Upsample": "size=None, scale_factor=None, mode='nearest', align_corners=None, "
                "recompute_scale_factor=None",
    "UpsamplingNearest2d": "size=None, scale_factor=None",
    "UpsamplingBilinear2d": "size=None, scale_factor=None",
    "Softplus": "beta=1.0, threshold=20.0", "Threshold": "threshold, value, inplace=False",
    "Tanhshrink": "", "CELU": "alpha=1.0, inplace=False", "Hardshrink": "lambd=0.5",
    "Softshrink": "lambd=0.5", "Softsign": "", "LogSigmoid": "", "Softmin": "dim=None",
    "Softmax2d": "", "RReLU": "lower=0.125, upper=0.3333333333333333, inplace=False",
    "FeatureAlphaDropout": "p=0.5, inplace=False",
    "LocalResponseNorm": "size, alpha=0.0001, beta=0.75, k=1.0",
    "CrossMapLRN2d": "size, alpha=0.0001, beta=0.75, k=1",
}
# torch's parameterless classes whose output channels are not their input's (or that end a
# model: the losses a module keeps to call in its forward). `weight=` tensors are buffers.
_TORCH_RESHAPERS = {
    "GLU": "dim=-1", "PixelShuffle": "upscale_factor", "PixelUnshuffle": "downscale_factor",
    "Fold": "output_size, kernel_size, dilation=1, padding=0, stride=1",
    "Unfold": "kernel_size, dilation=1, padding=0, stride=1",
    "Unflatten": "dim, unflattened_size", "CosineSimilarity": "dim=1, eps=1e-08",
    "PairwiseDistance": "p=2.0, eps=1e-06, keepdim=False",
}
_LEGACY = "size_average=None, reduce=None, reduction='mean'"
_TORCH_LOSSES = {
    "L1Loss": _LEGACY, "MSELoss": _LEGACY, "SoftMarginLoss": _LEGACY,
    "MultiLabelMarginLoss": _LEGACY,
    "KLDivLoss": f"{_LEGACY}, log_target=False", "SmoothL1Loss": f"{_LEGACY}, beta=1.0",
    "HuberLoss": "reduction='mean', delta=1.0",
    "BCELoss": f"weight=None, {_LEGACY}", "MultiLabelSoftMarginLoss": f"weight=None, {_LEGACY}",
    "BCEWithLogitsLoss": f"weight=None, {_LEGACY}, pos_weight=None",
    "CrossEntropyLoss": "weight=None, size_average=None, ignore_index=-100, reduce=None, "
                        "reduction='mean', label_smoothing=0.0",
    "NLLLoss": "weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'",
    "NLLLoss2d": "weight=None, size_average=None, ignore_index=-100, reduce=None, "
                 "reduction='mean'",
    "CTCLoss": "blank=0, reduction='mean', zero_infinity=False",
    "MarginRankingLoss": f"margin=0.0, {_LEGACY}", "CosineEmbeddingLoss": f"margin=0.0, {_LEGACY}",
    "HingeEmbeddingLoss": f"margin=1.0, {_LEGACY}",
    "PoissonNLLLoss": "log_input=True, full=False, size_average=None, eps=1e-08, reduce=None, "
                      "reduction='mean'",
    "GaussianNLLLoss": "*, full=False, eps=1e-06, reduction='mean'",
    "MultiMarginLoss": f"p=1, margin=1.0, weight=None, {_LEGACY}",
    "TripletMarginLoss": f"margin=1.0, p=2.0, eps=1e-06, swap=False, {_LEGACY}",
    "TripletMarginWithDistanceLoss": "*, distance_function=None, margin=1.0, swap=False, "
                                     "reduction='mean'",
}
_TORCH_LOSS_CHECKS: dict[str, tuple[Check, ...]] = {
    "HuberLoss": (_torch_huber_delta,), "MultiMarginLoss": (_safely(_torch_margin_p),),
    "TripletMarginLoss": (_torch_positive("margin", "TripletMarginLoss"),),
    "TripletMarginWithDistanceLoss": (_torch_positive("margin",
                                                      "TripletMarginWithDistanceLoss"),),
}
# Keras' parameterless classes: their leading parameters (required ones included).
_KERAS_ACTIVATIONS = {
    "Activation": "activation", "ReLU": "max_value=None, negative_slope=0.0, threshold=0.0",
    "LeakyReLU": "negative_slope=0.3", "ELU": "alpha=1.0", "Softmax": "axis=-1",
    "Dropout": "rate, noise_shape=None, seed=None", "GaussianNoise": "stddev, seed=None",
    "GaussianDropout": "rate, seed=None", "AlphaDropout": "rate, noise_shape=None, seed=None",
    "ActivityRegularization": "l1=0.0, l2=0.0", "Rescaling": "scale, offset=0.0",
    "Masking": "mask_value=0.0", "Identity": "",
}


def _build() -> list[LayerSpec]:
    specs: list[LayerSpec] = []
    for n in (1, 2, 3):
        specs += [
            _torch(f"Conv{n}d", _TORCH_CONV, "conv", torch_conv, in_arg="in_channels",
                   flow=arg_flow("out_channels"), ndim=n,
                   checks=torch_conv_checks(n, lazy=False, transposed=False)),
            _torch(f"ConvTranspose{n}d", _TORCH_CONVT, "conv", torch_conv_transpose,
                   in_arg="in_channels", flow=arg_flow("out_channels"), ndim=n, transposed=True,
                   checks=torch_conv_checks(n, lazy=False, transposed=True)),
            _torch(f"LazyConv{n}d", _TORCH_LAZY_CONV, "conv", torch_conv,
                   flow=arg_flow("out_channels"), ndim=n,
                   checks=torch_conv_checks(n, lazy=True, transposed=False)),
            _torch(f"LazyConvTranspose{n}d", _TORCH_LAZY_CONVT, "conv", torch_conv_transpose,
                   flow=arg_flow("out_channels"), ndim=n, transposed=True,
                   checks=torch_conv_checks(n, lazy=True, transposed=True)),
            _torch(f"BatchNorm{n}d", _TORCH_BN, "norm", torch_batchnorm, in_arg="num_features",
                   flow=keeps, checks=(_torch_running_stats,)),
            _torch(f"LazyBatchNorm{n}d", "eps=1e-05, momentum=0.1, affine=True, "
                   "track_running_stats=True, device=None, dtype=None, *, bias=True", "norm",
                   torch_batchnorm, flow=keeps),
            _torch(f"InstanceNorm{n}d", _TORCH_IN, "norm", torch_batchnorm, in_arg="num_features",
                   flow=keeps, checks=(_torch_running_stats,)),
            # (unlike InstanceNorm{n}d, affine and running statistics by default)
            _torch(f"LazyInstanceNorm{n}d", "eps=1e-05, momentum=0.1, affine=True, "
                   "track_running_stats=True, device=None, dtype=None, *, bias=True", "norm",
                   torch_batchnorm, flow=keeps),
        ]
        for pool, sig in _TORCH_POOLS.items():
            if pool == "AvgPool" and n > 1:
                sig += ", divisor_override=None"  # AvgPool1d has none
            specs.append(_torch(f"{pool}{n}d", sig, "shape", None, flow=keeps, ndim=n,
                                checks=(_dropout_p("p"),) if pool == "Dropout" else ()))
        specs += [
            _keras((f"Conv{n}D", f"Convolution{n}D"), _K_CONV, "conv", keras_conv,
                   flow=arg_flow("filters"), ndim=n, checks=keras_conv_checks(n, "conv")),
            _keras((f"Conv{n}DTranspose", f"Convolution{n}DTranspose"),
                   _K_CONV3T if n == 3 else _K_CONVT, "conv", keras_conv_transpose,
                   flow=arg_flow("filters"), ndim=n, transposed=True,
                   checks=keras_conv_checks(n, "transpose")),
        ]
        for pool, alias, sig in (("MaxPooling", "MaxPool", _K_POOL),
                                 ("AveragePooling", "AvgPool", "pool_size, " + _K_POOL[13:])):
            specs.append(_keras((f"{pool}{n}D", f"{alias}{n}D"), sig, "shape", None,
                                flow=keeps, ndim=n, checks=_k_pool_checks(n)))
        for pad, sig, checks in (
                ("ZeroPadding", "padding=1, data_format=None", ()),
                # (UpSampling1D and Cropping1D take no data_format)
                ("UpSampling", "size=2" + (", data_format=None" if n > 1 else ""),
                 (_k_window("size", n),)),
                ("Cropping", f"cropping={0 if n == 2 else 1}" + (", data_format=None" if n > 1
                                                                 else ""), ()),
                ("SpatialDropout", "rate", (_k_rate("rate"),))):
            specs.append(_keras(f"{pad}{n}D", sig, "shape", None, flow=keeps, ndim=n,
                                checks=checks))
    for n in (1, 2):
        specs += [
            _keras((f"SeparableConv{n}D", f"SeparableConvolution{n}D"), _K_SEP, "conv",
                   keras_separable, flow=separable_out, ndim=n,
                   checks=keras_conv_checks(n, "separable")),
            _keras(f"DepthwiseConv{n}D", _K_DW, "conv", keras_depthwise, flow=depthwise_out,
                   ndim=n, checks=keras_conv_checks(n, "depthwise")),
        ]
    specs += [
        _torch("Linear", "in_features, out_features, bias=True, device=None, dtype=None", "linear",
               torch_linear, in_arg="in_features", flow=arg_flow("out_features")),
        _torch("LazyLinear", "out_features, bias=True, device=None, dtype=None", "linear",
               torch_linear, flow=arg_flow("out_features")),
        _torch("AdaptiveLogSoftmaxWithLoss", "in_features, n_classes, cutoffs, div_value=4.0, "
               "head_bias=False, device=None, dtype=None", "linear", torch_adaptive_softmax,
               in_arg="in_features", checks=(_safely(_torch_cutoffs),)),
        _torch("Bilinear", "in1_features, in2_features, out_features, bias=True, device=None, "
               "dtype=None", "linear", torch_bilinear, flow=arg_flow("out_features"),
               checks=(_safely(_torch_bilinear),)),
        _torch("Embedding", "num_embeddings, embedding_dim, padding_idx=None, max_norm=None, "
               "norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, "
               "_freeze=False, device=None, dtype=None", "embedding", torch_embedding,
               flow=arg_flow("embedding_dim"), checks=(_safely(_torch_embedding),)),
        _torch("EmbeddingBag", "num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, "
               "scale_grad_by_freq=False, mode='mean', sparse=False, _weight=None, "
               "include_last_offset=False, padding_idx=None, device=None, dtype=None",
               "embedding", torch_embedding, flow=arg_flow("embedding_dim"),
               checks=(_safely(_torch_embedding),)),
        _torch("LayerNorm", "normalized_shape, eps=1e-05, elementwise_affine=True, bias=True, "
               "device=None, dtype=None", "norm", torch_layernorm, flow=keeps,
               checks=(_torch_normalized_shape,)),
        _torch("RMSNorm", "normalized_shape, eps=None, elementwise_affine=True, device=None, "
               "dtype=None", "norm", torch_rmsnorm, flow=keeps,
               checks=(_torch_normalized_shape,)),
        _torch("GroupNorm", "num_groups, num_channels, eps=1e-05, affine=True, device=None, "
               "dtype=None, *, bias=True", "norm", torch_groupnorm, in_arg="num_channels",
               flow=keeps, checks=(_safely(_torch_group_norm),)),
        _torch("PReLU", "num_parameters=1, init=0.25, device=None, dtype=None", "activation",
               torch_prelu, flow=keeps),
        _torch("MultiheadAttention", "embed_dim, num_heads, dropout=0.0, bias=True, "
               "add_bias_kv=False, add_zero_attn=False, kdim=None, vdim=None, batch_first=False, "
               "device=None, dtype=None", "attention", torch_mha, flow=arg_flow("embed_dim"),
               checks=(_torch_mha(),)),
        _torch("TransformerEncoderLayer", _TORCH_TRANSFORMER_LAYER, "transformer",
               torch_transformer_layer(decoder=False), flow=arg_flow("d_model"),
               checks=_TORCH_TRANSFORMER_CHECKS, module_args=("activation",)),
        _torch("TransformerDecoderLayer", _TORCH_TRANSFORMER_LAYER, "transformer",
               torch_transformer_layer(decoder=True), flow=arg_flow("d_model"),
               checks=_TORCH_TRANSFORMER_CHECKS, module_args=("activation",)),
        _torch("Transformer", "d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, "
               "dim_feedforward=2048, dropout=0.1, activation=torch.nn.functional.relu, "
               "custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-05, "
               "batch_first=False, norm_first=False, bias=True, device=None, dtype=None",
               "transformer", torch_transformer, flow=arg_flow("d_model"),
               checks=tuple(_unless_custom(c) for c in (
                   *_TORCH_TRANSFORMER_CHECKS,
                   _torch_ranges("num_encoder_layers", "num_decoder_layers"))),
               module_args=("activation",)),
        _torch("TransformerEncoder", "encoder_layer, num_layers, norm=None, "
               "enable_nested_tensor=True, mask_check=True", "transformer",
               torch_layer_stack("encoder_layer"),
               checks=(_torch_ranges("num_layers"), _torch_clonable("encoder_layer")),
               counted_args=("encoder_layer", "norm")),
        _torch("TransformerDecoder", "decoder_layer, num_layers, norm=None", "transformer",
               torch_layer_stack("decoder_layer"),
               checks=(_torch_ranges("num_layers"), _torch_clonable("decoder_layer")),
               counted_args=("decoder_layer", "norm")),
        _torch("SyncBatchNorm", "num_features, eps=1e-05, momentum=0.1, affine=True, "
               "track_running_stats=True, process_group=None, device=None, dtype=None, *, "
               "bias=True", "norm", torch_batchnorm, in_arg="num_features", flow=keeps,
               checks=(_torch_running_stats,)),
        _torch("LSTM", _TORCH_LSTM, "rnn", torch_rnn(4, proj=True), in_arg="input_size",
               flow=rnn_out, checks=torch_rnn_checks("LSTM")),
        _torch("GRU", _TORCH_GRU, "rnn", torch_rnn(3), in_arg="input_size", flow=rnn_out,
               checks=torch_rnn_checks("GRU")),
        _torch("RNN", _TORCH_RNN, "rnn", torch_rnn(1), in_arg="input_size", flow=rnn_out,
               checks=torch_rnn_checks("RNN")),
        _torch("LSTMCell", "input_size, hidden_size, bias=True, device=None, dtype=None", "rnn",
               torch_rnn_cell(4), in_arg="input_size", flow=arg_flow("hidden_size")),
        _torch("GRUCell", "input_size, hidden_size, bias=True, device=None, dtype=None", "rnn",
               torch_rnn_cell(3), in_arg="input_size", flow=arg_flow("hidden_size")),
        _torch("RNNCell", "input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, "
               "dtype=None", "rnn", torch_rnn_cell(1), in_arg="input_size",
               flow=arg_flow("hidden_size")),
        _keras("Dense", "units, activation=None, use_bias=True", "linear", keras_dense,
               flow=arg_flow("units"), checks=(_k_positive_int("units"),)),
        _keras("Embedding", "input_dim, output_dim", "embedding", keras_embedding,
               flow=arg_flow("output_dim"),
               checks=(_k_positive_int("input_dim", bool_ok=False),
                       _k_positive_int("output_dim", bool_ok=False))),
        _keras("BatchNormalization", "axis=-1, momentum=0.99, epsilon=0.001, center=True, "
               "scale=True, beta_initializer='zeros', gamma_initializer='ones', "
               "moving_mean_initializer='zeros', moving_variance_initializer='ones', "
               "beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, "
               "gamma_constraint=None, renorm=False", "norm", keras_batchnorm, flow=keeps,
               checks=(_k_float("momentum"), _k_float("epsilon"), keras_axis_in_range)),
        _keras("LayerNormalization", "axis=-1, epsilon=0.001, center=True, scale=True", "norm",
               keras_layernorm, flow=keeps,
               checks=(keras_axis_in_range,)),
        _keras("GroupNormalization", "groups=32, axis=-1, epsilon=0.001, center=True, scale=True",
               "norm", keras_layernorm, flow=keeps,
               checks=(keras_axis_in_range, _safely(_k_group_norm))),
        _keras("Normalization", "axis=-1, mean=None, variance=None, invert=False", "norm",
               keras_normalization, flow=keeps, checks=(_safely(_k_normalization),)),
        _keras("RMSNormalization", "axis=-1, epsilon=1e-06", "norm", keras_rmsnorm, flow=keeps,
               checks=(keras_axis_in_range,)),
        _keras("LSTM", "units, activation='tanh', recurrent_activation='sigmoid', use_bias=True",
               "rnn", keras_rnn(4), flow=arg_flow("units"),
               checks=(_safely(_k_rnn_units), _k_lstm_bias("units"))),
        _keras("GRU", "units, activation='tanh', recurrent_activation='sigmoid', use_bias=True, "
               "kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal', "
               "bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None, "
               "bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, "
               "recurrent_constraint=None, bias_constraint=None, dropout=0.0, "
               "recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, "
               "go_backwards=False, stateful=False, unroll=False, reset_after=True", "rnn",
               keras_gru, flow=arg_flow("units"),
               checks=(_safely(_k_rnn_units), _k_number("dropout"),
                       _k_number("recurrent_dropout"))),
        _keras("SimpleRNN", "units, activation='tanh', use_bias=True", "rnn", keras_rnn(1),
               flow=arg_flow("units"), checks=(_safely(_k_rnn_units),)),
        # the cells an RNN layer steps through its sequences (each is also what the layer
        # above makes for itself)
        _keras("LSTMCell", "units, activation='tanh', recurrent_activation='sigmoid', "
               "use_bias=True", "rnn_cell", keras_rnn(4), flow=arg_flow("units"),
               checks=(_safely(_k_rnn_units), _k_lstm_bias("units"))),
        _keras("GRUCell", "units, activation='tanh', recurrent_activation='sigmoid', "
               "use_bias=True, kernel_initializer='glorot_uniform', "
               "recurrent_initializer='orthogonal', bias_initializer='zeros', "
               "kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, "
               "kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, "
               "dropout=0.0, recurrent_dropout=0.0, reset_after=True", "rnn_cell", keras_gru,
               flow=arg_flow("units"),
               checks=(_safely(_k_rnn_units), _k_number("dropout"),
                       _k_number("recurrent_dropout"))),
        _keras("SimpleRNNCell", "units, activation='tanh', use_bias=True", "rnn_cell",
               keras_rnn(1), flow=arg_flow("units"), checks=(_safely(_k_rnn_units),)),
        *(_keras(f"ConvLSTM{n}D", "filters, kernel_size, strides=1, padding='valid', "
                 "data_format=None, dilation_rate=1, activation='tanh', "
                 "recurrent_activation='sigmoid', use_bias=True", "conv_rnn", keras_conv_lstm,
                 flow=arg_flow("filters"), ndim=n, checks=keras_conv_lstm_checks(n))
          for n in (1, 2, 3)),
        _keras("EinsumDense", "equation, output_shape, activation=None, bias_axes=None",
               "einsum", keras_einsum_dense, flow=einsum_out, checks=(_safely(_k_einsum),)),
        dataclasses.replace(
            _keras("MultiHeadAttention", "num_heads, key_dim, value_dim=None, dropout=0.0, "
                   "use_bias=True, output_shape=None", "attention", keras_mha,
                   flow=lambda a: choose(a.is_none("output_shape"), a.in_ch,
                                         a.q("output_shape")),
                   checks=(_k_positive_int("num_heads"), _k_positive_int("key_dim"),
                           _k_rate("dropout"))),
            checks_inputs_in_build=True),
        _keras("GroupQueryAttention", "head_dim, num_query_heads, num_key_value_heads, "
               "dropout=0.0, use_bias=True, sliding_window=None, flash_attention=None",
               "attention", keras_gqa, flow=keeps,
               checks=(_safely(_k_gqa), _k_rate("dropout"))),
        _keras("PReLU", "alpha_initializer='Zeros', alpha_regularizer=None, alpha_constraint=None, "
               "shared_axes=None", "activation", keras_prelu, flow=keeps,
               checks=(_safely(keras_prelu_axes),)),
    ]
    # Parameterless layers that pass channels on unchanged.
    for short, sig in _TORCH_ACTIVATIONS.items():
        # nn.Identity takes and ignores any arguments
        checks: tuple[Check, ...] = (_dropout_p("p"),) if "Dropout" in short else \
            (_safely(_torch_hardtanh),) if short == "Hardtanh" else ()
        specs.append(_torch(short, sig, "activation", None, flow=keeps,
                            open_call=short == "Identity", checks=checks))
    for short, sig in _TORCH_RESHAPERS.items():
        specs.append(_torch(short, sig, "shape", None, checks=(_torch_unflattened,)
                            if short == "Unflatten" else ()))
    for short, sig in _TORCH_LOSSES.items():
        specs.append(_torch(short, sig, "loss", None, checks=_TORCH_LOSS_CHECKS.get(short, ()),
                            module_args=("distance_function",)
                            if short == "TripletMarginWithDistanceLoss" else ()))
    for short, sig in _KERAS_ACTIVATIONS.items():
        checks = (_k_rate("rate"),) if short in ("Dropout", "GaussianDropout",
                                                  "AlphaDropout") else \
            (_safely(_k_relu),) if short in ("ReLU", "LeakyReLU") else ()
        specs.append(_keras(short, sig, "activation", None, flow=keeps, checks=checks))
    # Keras' image preprocessing: no weights (count_params() 0; the seed a random one keeps is no
    # weight). These keep the shape of the batch of images they are given (rank 4)...
    _zoom = _k_factor("height_factor", lambda f: f > 1.0 or f <= -1.0)
    _zoom_width = _k_factor("width_factor", lambda f: f > 1.0 or f <= -1.0, optional=True)
    _shift = _k_factor("height_factor", lambda f: not -1.0 <= f <= 1.0)
    _shift_width = _k_factor("width_factor", lambda f: not -1.0 <= f <= 1.0)
    _fill = (_k_one_of("fill_mode", _K_FILL_MODES), _k_one_of("interpolation", _K_INTERPOLATIONS))
    _place = "fill_mode='reflect', interpolation='bilinear', seed=None, fill_value=0.0, " \
        "data_format=None"
    specs.append(_keras("UnitNormalization", "axis=-1", "activation", None, flow=keeps,
                        checks=(_safely(_k_unit_axis),)))
    for short, sig, image_checks in (
            ("RandomFlip", "mode='horizontal_and_vertical', seed=None, data_format=None",
             (_k_takes_no_factor,)),
            ("RandomRotation", f"factor, {_place}", (_k_base_factor(-1, 1), *_fill)),
            ("RandomZoom", f"height_factor, width_factor=None, {_place}",
             (_k_takes_no_factor, _zoom, _zoom_width, *_fill)),
            ("RandomTranslation", f"height_factor, width_factor, {_place}",
             (_k_takes_no_factor, _shift, _shift_width, *_fill)),
            ("RandomContrast", "factor, value_range=(0, 255), seed=None",
             (_k_base_factor(0, 1, or_zero=False),)),
            ("RandomBrightness", "factor, value_range=(0, 255), seed=None",
             (_k_base_factor(-1, 1), _safely(_k_value_range)))):
        specs.append(_keras(short, sig, "preprocessing", None, flow=keeps, ndim=2,
                            checks=image_checks))
    # ... and these make it `height` × `width`.
    for short, sig in (
            ("Resizing", "height, width, interpolation='bilinear', crop_to_aspect_ratio=False, "
                         "pad_to_aspect_ratio=False, fill_mode='constant', fill_value=0.0, "
                         "antialias=False, data_format=None"),
            ("CenterCrop", "height, width, data_format=None"),
            ("RandomCrop", "height, width, seed=None, data_format=None")):
        specs.append(_keras(short, sig, "preprocessing", None, flow=keeps, ndim=2,
                            checks=(_k_takes_no_factor,)))
    specs += [
        _keras("TimeDistributed", "layer", "wrapper", keras_time_distributed, checks=(_k_layer("layer"),)),
        _keras("SpectralNormalization", "layer, power_iterations=1", "wrapper",
               keras_spectral_normalization,
               checks=(_k_layer("layer"), _safely(_k_power_iterations))),
        _keras("RNN", "cell, return_sequences=False, return_state=False, go_backwards=False, "
               "stateful=False, unroll=False, zero_output_for_mask=False", "wrapper",
               keras_rnn_layer, checks=(_k_layer("cell"),)),
        _keras("Bidirectional", "layer, merge_mode='concat', weights=None, backward_layer=None",
               "wrapper", keras_bidirectional,
               checks=(_k_layer("layer"), _k_layer("backward_layer", optional=True),
                       _k_one_of("merge_mode", ("sum", "mul", "ave", "concat", None)))),
    ]
    specs.append(_keras("Add", "", "merge", None))
    specs.append(_keras("Concatenate", "axis=-1", "merge", None))
    for short in ("Multiply", "Average", "Maximum", "Minimum", "Subtract"):
        specs.append(_keras(short, "", "merge", None))
    specs += [
        _keras("Flatten", "data_format=None", "shape", None),
        _keras("Reshape", "target_shape", "shape", None),
        # Keras tracks no weight its function makes: count_params() gives 0; but a layer or a
        # model given as the function is kept (Layer.__setattr__ tracks it), weights and all
        dataclasses.replace(
            _keras("Lambda", "function, output_shape=None, mask=None, arguments=None", "shape",
                   None, checks=(_k_callable("function"),)), module_args=("function",)),
        _keras(("GlobalAveragePooling2D", "GlobalAvgPool2D"), "data_format=None, keepdims=False",
               "pool", None, flow=keeps),
        _keras(("GlobalMaxPooling2D", "GlobalMaxPool2D"), "data_format=None, keepdims=False",
               "pool", None, flow=keeps),
        _keras(("GlobalAveragePooling1D", "GlobalAvgPool1D"), "data_format=None, keepdims=False",
               "pool", None, flow=keeps),
        _keras(("GlobalMaxPooling1D", "GlobalMaxPool1D"), "data_format=None, keepdims=False",
               "pool", None, flow=keeps),
        _keras(("GlobalAveragePooling3D", "GlobalAvgPool3D"), "data_format=None, keepdims=False",
               "pool", None, flow=keeps),
        _keras(("GlobalMaxPooling3D", "GlobalMaxPool3D"), "data_format=None, keepdims=False",
               "pool", None, flow=keeps),
        *(_keras(f"Adaptive{kind}Pooling{n}D", "output_size, data_format=None", "shape", None,
                 flow=keeps, ndim=n,
                 # (this __init__ checks the name as it is given: no other case)
                 checks=(_k_adaptive_size(n), _k_one_of("data_format", (
                     "channels_first", "channels_last", None)), _k_adaptive_items))
          for kind in ("Average", "Max") for n in (1, 2, 3)),
        _keras("RepeatVector", "n", "shape", None, flow=keeps, checks=(_safely(_k_repeat),)),
        _keras("Permute", "dims", "shape", None, checks=(_safely(_k_permutation),)),
        _keras("Attention", "use_scale=False, score_mode='dot', dropout=0.0, seed=None", "scores",
               keras_attention, flow=keeps,
               checks=(_k_one_of("score_mode", ("dot", "concat")),
                       _safely(_k_dropout_compared))),
        _keras("AdditiveAttention", "use_scale=True, dropout=0.0", "scores",
               keras_additive_attention, flow=keeps,
               checks=(_k_one_of("score_mode", ("dot", "concat")),
                       _safely(_k_dropout_compared))),
        _torch("Flatten", "start_dim=1, end_dim=-1", "shape", None),
    ]
    return specs


CATALOGUE: tuple[LayerSpec, ...] = tuple(_build())
BY_NAME: dict[str, LayerSpec] = {name: spec for spec in CATALOGUE for name in spec.names}


def lookup(canonical: str) -> LayerSpec | None:
    return BY_NAME.get(canonical)


# torch classes that own no parameters whatever they are given, and that the catalogue does not
# describe as layers (a user reads no count of theirs): quantization stubs and a buffer. A model
# holding one adds nothing; any other class the evaluator does not model may hold weights.
# Each is built and checked against torch (tests/test_against_frameworks.py).
WEIGHTLESS_TORCH = frozenset({
    "torch.ao.quantization.QuantStub", "torch.ao.quantization.DeQuantStub",
    "torch.ao.quantization.stubs.QuantStub", "torch.ao.quantization.stubs.DeQuantStub",
    "torch.quantization.QuantStub", "torch.quantization.DeQuantStub",
    "torch.ao.nn.quantized.FloatFunctional", "torch.nn.quantized.FloatFunctional",
    "torch.nn.Buffer", "torch.nn.parameter.Buffer",
})


def _keras_reweighed(a: Args) -> str:
    """Why a Keras layer holds weights its formula does not count: LoRA kernels (`lora_rank=`),
    or a quantized dtype policy (`dtype="int8_from_float32"`); "" otherwise. (A dtype the code
    does not fix is taken to be a float one.)"""
    lora = a.values.get("lora_rank")
    if lora is not None and not (isinstance(lora, Q) and lora.known and lora.exact is None):
        return "LoRA kernels (lora_rank)"
    dtype = a.values.get("dtype")
    name = dtype.exact if isinstance(dtype, Q) and dtype.known else None
    if isinstance(name, str) and any(kind in name for kind in ("int8", "int4", "float8", "gptq")):
        return f"the weights of the quantized dtype {name!r}"
    return ""


def weightless_argument(value: Any) -> bool:
    """A module argument that adds no parameter: none, a name (`"gelu"`), or a function or a
    parameterless module, which the evaluator passes as their FrameworkName."""
    return value is None or isinstance(value, (str, FrameworkName))


def count(spec: LayerSpec, args: Args) -> tuple[list[Tensor], Q]:
    """The layer's tensors and its total parameter count."""
    assert spec.formula is not None
    extra = _keras_reweighed(args) if spec.framework == "keras" else ""
    tensors = spec.formula(args) if not extra else [Tensor("weights", (Q.unknown(extra),))]
    for name in spec.module_args:
        value = args.values.get(name)
        holds = value.unary(lambda v: not weightless_argument(v), "owns_parameters") \
            if isinstance(value, Q) else Q.unknown(f"owns_parameters({name})")
        tensors.append(Tensor(name, (Q.unknown(f"the parameters of the module {name}"),), holds))
    parts = [choose(t.present, product(list(t.shape)), 0) for t in tensors]
    total = None
    for p in parts:
        if p.known and p.exact == 0:
            continue
        total = p if total is None else total + p
    return tensors, total if total is not None else Q.const(0)
