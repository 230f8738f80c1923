"""Every layer class we know: its names, its argument signature and how it counts parameters.

One `LayerSpec` per class. A signature is written the way the framework's `__init__` spells it.
A formula is plain arithmetic over `Q` values and returns the tensors the layer owns, so the same
line gives the exact count, the count under defaults and the formula in the code's own terms.

Layers without parameters are here too when they pass channels on (`ReLU`) or change them
(`Flatten`, `Concatenate`): the channel flow in channels.py reads `flow` from these entries.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from paramlens.engine.quantity import Q, choose, product
from paramlens.engine.values import TupleV


@dataclass(frozen=True)
class Param:
    name: str
    default: Any = None
    required: bool = False


@dataclass(frozen=True)
class Tensor:
    name: str
    shape: tuple[Q, ...]
    present: Q = Q.const(True)


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

    def is_none(self, name: str) -> Q:
        value = self.values.get(name)
        if value is None and name not in self.values:
            return Q.const(True)
        q = self.q(name)
        return q.unary(lambda v: v is None, "is_none")


Formula = Callable[[Args], list[Tensor]]
Flow = Callable[[Args], Q | None]


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

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[1]

    @property
    def is_conv(self) -> bool:
        return "Conv" in self.short


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
            params.append(Param(arg.arg, ast.literal_eval(defaults[i - first_default])))
        else:
            params.append(Param(arg.arg, required=True))
    return tuple(params)


# flows --------------------------------------------------------------------------------------
def keeps(a: Args) -> Q:
    return a.in_ch


def arg_flow(name: str) -> Flow:
    return lambda a: a.q(name)


# formulas: PyTorch ----------------------------------------------------------------------------
def torch_conv(a: Args) -> list[Tensor]:
    out, groups = a.q("out_channels"), a.q("groups")
    kernel = a.dims("kernel_size")
    return [Tensor("weight", (out, a.in_ch // groups, *kernel)),
            Tensor("bias", (out,), a.q("bias"))]


def torch_conv_transpose(a: Args) -> list[Tensor]:
    out, groups = a.q("out_channels"), a.q("groups")
    kernel = a.dims("kernel_size")
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
    affine = a.q("affine")
    return [Tensor("weight", (a.in_ch,), affine), Tensor("bias", (a.in_ch,), affine)]


def torch_groupnorm(a: Args) -> list[Tensor]:
    affine = a.q("affine")
    return [Tensor("weight", (a.in_ch,), affine), Tensor("bias", (a.in_ch,), affine)]


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


def torch_rnn(gates: int, proj: bool = False) -> Formula:
    def formula(a: Args) -> list[Tensor]:
        hidden, bias = a.q("hidden_size"), a.q("bias")
        layers, bidir = a.q("num_layers"), a.q("bidirectional")
        if not (layers.known and bidir.known):
            return [Tensor("weights", (Q.unknown("num_layers × directions × per-layer weights"),))]
        dirs = 2 if bidir.exact else 1
        proj_size = a.q("proj_size") if proj else Q.const(0)
        h_out = choose(proj_size.binary(Q.const(0), lambda p, q: p > q, ">"), proj_size, hidden)
        tensors: list[Tensor] = []
        for layer in range(int(layers.exact)):
            in_size = a.in_ch if layer == 0 else h_out * dirs
            for d in range(dirs):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                tensors += [Tensor("weight_ih" + sfx, (gates * hidden, in_size)),
                            Tensor("weight_hh" + sfx, (gates * hidden, h_out)),
                            Tensor("bias_ih" + sfx, (gates * hidden,), bias),
                            Tensor("bias_hh" + sfx, (gates * hidden,), bias)]
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


def keras_batchnorm(a: Args) -> list[Tensor]:
    # count_params() counts the moving statistics too: they are (non-trainable) weights in Keras.
    c = a.in_ch
    return [Tensor("gamma", (c,), a.q("scale")), Tensor("beta", (c,), a.q("center")),
            Tensor("moving_mean", (c,)), Tensor("moving_variance", (c,))]


def keras_layernorm(a: Args) -> list[Tensor]:
    c = a.in_ch
    return [Tensor("gamma", (c,), a.q("scale")), Tensor("beta", (c,), a.q("center"))]


def keras_rmsnorm(a: Args) -> list[Tensor]:
    return [Tensor("scale", (a.in_ch,))]


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
    dims = tuple(Q.const(1) if i + 1 in axes else d for i, d in enumerate(shape.items))
    return [Tensor("alpha", dims)]  # type: ignore[arg-type]


def separable_out(a: Args) -> Q:
    return a.q("filters")


def depthwise_out(a: Args) -> Q:
    return a.in_ch * a.q("depth_multiplier")


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
             "device=None, dtype=None")
_TORCH_IN = ("num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False, "
             "device=None, dtype=None")
_TORCH_LSTM = ("input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, "
               "bidirectional=False, proj_size=0, device=None, dtype=None")
_TORCH_GRU = ("input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, "
              "bidirectional=False, device=None, dtype=None")
_TORCH_RNN = ("input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, "
              "batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None")

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
           transposed: bool = False) -> LayerSpec:
    return LayerSpec((f"torch.nn.{short}",), "torch", signature(sig), family, formula, in_arg,
                     flow, ndim, transposed)


def _keras(shorts: tuple[str, ...] | str, sig: str, family: str, formula: Formula | None, *,
           flow: Flow | None = None, ndim: int = 0, transposed: bool = False) -> LayerSpec:
    names = (shorts,) if isinstance(shorts, str) else shorts
    return LayerSpec(tuple(f"keras.layers.{n}" for n in names), "keras", signature(sig), family,
                     formula, None, flow, ndim, transposed)


def _build() -> list[LayerSpec]:
    specs: list[LayerSpec] = []
    for n in (1, 2, 3):
        specs += [
            _torch(f"Conv{n}d", _TORCH_CONV, "conv", torch_conv, in_arg="in_channels",
                   flow=arg_flow("out_channels"), ndim=n),
            _torch(f"ConvTranspose{n}d", _TORCH_CONVT, "conv", torch_conv_transpose,
                   in_arg="in_channels", flow=arg_flow("out_channels"), ndim=n, transposed=True),
            _torch(f"LazyConv{n}d", _TORCH_LAZY_CONV, "conv", torch_conv,
                   flow=arg_flow("out_channels"), ndim=n),
            _torch(f"LazyConvTranspose{n}d", _TORCH_LAZY_CONVT, "conv", torch_conv_transpose,
                   flow=arg_flow("out_channels"), ndim=n, transposed=True),
            _torch(f"BatchNorm{n}d", _TORCH_BN, "norm", torch_batchnorm, in_arg="num_features",
                   flow=keeps),
            _torch(f"LazyBatchNorm{n}d", "eps=1e-05, momentum=0.1, affine=True, "
                   "track_running_stats=True, device=None, dtype=None", "norm", torch_batchnorm,
                   flow=keeps),
            _torch(f"InstanceNorm{n}d", _TORCH_IN, "norm", torch_batchnorm, in_arg="num_features",
                   flow=keeps),
        ]
        for pool in ("MaxPool", "AvgPool", "AdaptiveAvgPool", "AdaptiveMaxPool", "LPPool",
                     "ReflectionPad", "ReplicationPad", "ZeroPad", "ConstantPad", "Dropout"):
            specs.append(_torch(f"{pool}{n}d", "", "shape", None, flow=keeps, ndim=n))
        specs += [
            _keras((f"Conv{n}D", f"Convolution{n}D"), _K_CONV, "conv", keras_conv,
                   flow=arg_flow("filters"), ndim=n),
            _keras((f"Conv{n}DTranspose", f"Convolution{n}DTranspose"),
                   _K_CONV3T if n == 3 else _K_CONVT, "conv", keras_conv_transpose,
                   flow=arg_flow("filters"), ndim=n, transposed=True),
        ]
        for pool in ("MaxPooling", "AveragePooling"):
            specs.append(_keras((f"{pool}{n}D", f"{pool.replace('Pooling', 'Pool')}{n}D"),
                                _K_POOL, "shape", None, flow=keeps, ndim=n))
        for pad, sig in (("ZeroPadding", "padding=1, data_format=None"),
                         ("UpSampling", "size=2, data_format=None"),
                         ("Cropping", f"cropping={0 if n == 2 else 1}, data_format=None"),
                         ("SpatialDropout", "rate=0.5")):
            specs.append(_keras(f"{pad}{n}D", sig, "shape", None, flow=keeps, ndim=n))
    for n in (1, 2):
        specs += [
            _keras((f"SeparableConv{n}D", f"SeparableConvolution{n}D"), _K_SEP, "conv",
                   keras_separable, flow=separable_out, ndim=n),
            _keras(f"DepthwiseConv{n}D", _K_DW, "conv", keras_depthwise, flow=depthwise_out,
                   ndim=n),
        ]
    specs += [
        _torch("Linear", "in_features, out_features, bias=True, device=None, dtype=None", "linear",
               torch_linear, in_arg="in_features", flow=arg_flow("out_features")),
        _torch("LazyLinear", "out_features, bias=True, device=None, dtype=None", "linear",
               torch_linear, flow=arg_flow("out_features")),
        _torch("Bilinear", "in1_features, in2_features, out_features, bias=True, device=None, "
               "dtype=None", "linear", torch_bilinear, flow=arg_flow("out_features")),
        _torch("Embedding", "num_embeddings, embedding_dim, padding_idx=None, max_norm=None, "
               "norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, "
               "_freeze=False, device=None, dtype=None", "embedding", torch_embedding,
               flow=arg_flow("embedding_dim")),
        _torch("EmbeddingBag", "num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, "
               "scale_grad_by_freq=False, mode='mean', sparse=False, _weight=None, "
               "include_last_offset=False, padding_idx=None, device=None, dtype=None",
               "embedding", torch_embedding, flow=arg_flow("embedding_dim")),
        _torch("LayerNorm", "normalized_shape, eps=1e-05, elementwise_affine=True, bias=True, "
               "device=None, dtype=None", "norm", torch_layernorm, flow=keeps),
        _torch("RMSNorm", "normalized_shape, eps=None, elementwise_affine=True, device=None, "
               "dtype=None", "norm", torch_rmsnorm, flow=keeps),
        _torch("GroupNorm", "num_groups, num_channels, eps=1e-05, affine=True, device=None, "
               "dtype=None", "norm", torch_groupnorm, in_arg="num_channels", flow=keeps),
        _torch("PReLU", "num_parameters=1, init=0.25, device=None, dtype=None", "activation",
               torch_prelu, flow=keeps),
        _torch("MultiheadAttention", "embed_dim, num_heads, dropout=0.0, bias=True, "
               "add_bias_kv=False, add_zero_attn=False, kdim=None, vdim=None, batch_first=False, "
               "device=None, dtype=None", "attention", torch_mha, flow=arg_flow("embed_dim")),
        _torch("LSTM", _TORCH_LSTM, "rnn", torch_rnn(4, proj=True), in_arg="input_size",
               flow=rnn_out),
        _torch("GRU", _TORCH_GRU, "rnn", torch_rnn(3), in_arg="input_size", flow=rnn_out),
        _torch("RNN", _TORCH_RNN, "rnn", torch_rnn(1), in_arg="input_size", flow=rnn_out),
        _torch("LSTMCell", "input_size, hidden_size, bias=True, device=None, dtype=None", "rnn",
               torch_rnn_cell(4), in_arg="input_size", flow=arg_flow("hidden_size")),
        _torch("GRUCell", "input_size, hidden_size, bias=True, device=None, dtype=None", "rnn",
               torch_rnn_cell(3), in_arg="input_size", flow=arg_flow("hidden_size")),
        _torch("RNNCell", "input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, "
               "dtype=None", "rnn", torch_rnn_cell(1), in_arg="input_size",
               flow=arg_flow("hidden_size")),
        _keras("Dense", "units, activation=None, use_bias=True", "linear", keras_dense,
               flow=arg_flow("units")),
        _keras("Embedding", "input_dim, output_dim", "embedding", keras_embedding,
               flow=arg_flow("output_dim")),
        _keras("BatchNormalization", "axis=-1, momentum=0.99, epsilon=0.001, center=True, "
               "scale=True", "norm", keras_batchnorm, flow=keeps),
        _keras("LayerNormalization", "axis=-1, epsilon=0.001, center=True, scale=True", "norm",
               keras_layernorm, flow=keeps),
        _keras("GroupNormalization", "groups=32, axis=-1, epsilon=0.001, center=True, scale=True",
               "norm", keras_layernorm, flow=keeps),
        _keras("RMSNormalization", "axis=-1, epsilon=1e-06", "norm", keras_rmsnorm, flow=keeps),
        _keras("LSTM", "units, activation='tanh', recurrent_activation='sigmoid', use_bias=True",
               "rnn", keras_rnn(4), flow=arg_flow("units")),
        _keras("GRU", "units, activation='tanh', recurrent_activation='sigmoid', use_bias=True, "
               "kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal', "
               "bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None, "
               "bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, "
               "recurrent_constraint=None, bias_constraint=None, dropout=0.0, "
               "recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, "
               "go_backwards=False, stateful=False, unroll=False, reset_after=True", "rnn",
               keras_gru, flow=arg_flow("units")),
        _keras("SimpleRNN", "units, activation='tanh', use_bias=True", "rnn", keras_rnn(1),
               flow=arg_flow("units")),
        _keras("MultiHeadAttention", "num_heads, key_dim, value_dim=None, dropout=0.0, "
               "use_bias=True, output_shape=None", "attention", keras_mha,
               flow=lambda a: choose(a.is_none("output_shape"), a.in_ch, a.q("output_shape"))),
        _keras("PReLU", "alpha_initializer='Zeros', alpha_regularizer=None, alpha_constraint=None, "
               "shared_axes=None", "activation", keras_prelu, flow=keeps),
    ]
    # Parameterless layers that pass channels on unchanged. (Keras' Normalization is not one: it
    # keeps mean, variance and count as weights, and count_params() counts them.)
    for short in ("ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "GELU", "SiLU", "Mish", "Sigmoid",
                  "Tanh", "Hardswish", "Hardsigmoid", "Hardtanh", "Softmax", "LogSoftmax",
                  "Identity", "Dropout", "AlphaDropout", "ChannelShuffle", "Upsample",
                  "UpsamplingNearest2d", "UpsamplingBilinear2d", "Softplus", "Threshold",
                  "Tanhshrink"):
        specs.append(_torch(short, "", "activation", None, flow=keeps))
    for short in ("Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "Dropout",
                  "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization",
                  "Rescaling", "Masking", "Identity"):
        specs.append(_keras(short, "", "activation", None, flow=keeps))
    specs.append(_keras("Add", "", "merge", None))
    specs.append(_keras("Concatenate", "axis=-1", "merge", None))
    for short in ("Multiply", "Average", "Maximum", "Minimum", "Subtract"):
        specs.append(_keras(short, "", "merge", None))
    specs += [
        _keras("Flatten", "data_format=None", "shape", None),
        _keras("Reshape", "target_shape", "shape", None),
        _keras(("GlobalAveragePooling2D", "GlobalAvgPool2D"), "data_format=None, keepdims=False",
               "pool", None, flow=keeps),
        _keras(("GlobalMaxPooling2D", "GlobalMaxPool2D"), "data_format=None, keepdims=False",
               "pool", None, flow=keeps),
        _keras(("GlobalAveragePooling1D", "GlobalAvgPool1D"), "data_format=None, keepdims=False",
               "pool", None, flow=keeps),
        _keras(("GlobalMaxPooling1D", "GlobalMaxPool1D"), "data_format=None, keepdims=False",
               "pool", None, flow=keeps),
        _torch("Flatten", "start_dim=1, end_dim=-1", "shape", None),
    ]
    return specs


CATALOGUE: tuple[LayerSpec, ...] = tuple(_build())
BY_NAME: dict[str, LayerSpec] = {name: spec for spec in CATALOGUE for name in spec.names}


def lookup(canonical: str) -> LayerSpec | None:
    return BY_NAME.get(canonical)


def count(spec: LayerSpec, args: Args) -> tuple[list[Tensor], Q]:
    """The layer's tensors and its total parameter count."""
    assert spec.formula is not None
    tensors = spec.formula(args)
    parts = [choose(t.present, product(list(t.shape)), 0) for t in tensors]
    total = None
    for p in parts:
        if p.known and p.exact == 0:
            continue
        total = p if total is None else total + p
    return tensors, total if total is not None else Q.const(0)
