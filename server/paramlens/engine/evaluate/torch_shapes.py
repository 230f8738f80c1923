"""The shape of what a torch layer returns for an input of a shape the code fixes, as its
forward computes it: what a dry run reads (`self.features(torch.zeros(1, 3, 32, 32)).numel()`
for the size a Linear takes after the convolutions, `model(x)` to materialise Lazy layers).

Each rule is the layer's own arithmetic (the "Shape" section of torch's documentation, and
ATen's `pooling_output_shape`), checked against torch on random configurations in
tests/test_torch_dry_run.py. A shape is a tuple of whole numbers or None: where an argument or
the input leaves a size open, or the layer is not one of these, the shape is None, never a
guess. Where torch refuses the input for certain (a convolution's or a Linear's input of other
channels than its weights, an input of a rank the layer does not take, a kernel larger than the
padded input), `Refused` says why; where torch may refuse it for a reason not modelled here,
the shape is None as well.
"""

from __future__ import annotations

import math
from typing import Any

from paramlens.engine.evaluate.objects import LayerObj, ListV

Shape = tuple[int, ...]

# Layers whose output has the input's shape, whatever it is.
_ELEMENTWISE = frozenset({
    "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh",
    "Hardswish", "Hardsigmoid", "Hardtanh", "Softplus", "Threshold", "Tanhshrink", "CELU",
    "Hardshrink", "Softshrink", "Softsign", "LogSigmoid", "RReLU", "Identity", "Dropout",
    "AlphaDropout", "FeatureAlphaDropout",
})


class Refused(Exception):
    """torch raises for this input (RuntimeError, with torch's reason)."""


def whole(value: Any) -> bool:
    return type(value) is int


def whole_shape(shape: Any) -> bool:
    return isinstance(shape, tuple) and all(type(d) is int and d >= 0 for d in shape)


# A layer's attribute: False once the code put it in eval mode (torch_tensors.set_mode), None
# where it may have; absent, the training mode every module is made in.
TRAINING = "__training__"


def output_shape(layer: LayerObj, shape: Shape) -> Shape | None:
    """What `layer(x)` returns for an `x` of this shape; None where that is not fixed here.
    Raises Refused where torch refuses the input. (A Lazy layer's missing size is read from
    `input_channels` by the caller first: here its arguments are the eager class's.)"""
    if not whole_shape(shape) or 0 in shape:
        return None  # (an empty input: torch's layers refuse most, each by its own rule)
    spec = layer.spec
    short = spec.short[4:] if spec.eager else spec.short
    v = layer.values
    if short in _ELEMENTWISE:
        return shape
    if short in ("Softmax", "LogSoftmax", "Softmin"):
        dim = v.get("dim")
        return shape if dim is None or whole(dim) and -len(shape) <= dim < max(len(shape), 1) \
            else None
    if short == "Linear":
        return _linear(v, shape)
    if short == "Flatten":
        return flatten(shape, v.get("start_dim"), v.get("end_dim"))
    if spec.family == "conv":
        return _conv(layer, short, shape)
    if spec.ndim and (short.startswith(("MaxPool", "AvgPool"))):
        return _pool(short, spec.ndim, v, shape)
    if spec.ndim and short.startswith(("AdaptiveAvgPool", "AdaptiveMaxPool")):
        if v.get("return_indices", False) is not False:
            return None  # (a tuple of the output and the indices)
        return _adaptive(spec.ndim, v.get("output_size"), shape)
    if short.startswith("Dropout") and spec.ndim:
        return shape if len(shape) in (spec.ndim + 1, spec.ndim + 2) else None
    if short.startswith("BatchNorm"):
        ranks = (2, 3) if short == "BatchNorm1d" else (int(short[-2]) + 2,)
        # (in training mode, as a module is made, one value per channel is refused; in eval
        # mode it is not, where the layer keeps running statistics to normalize with)
        evaluating = layer.attrs.get(TRAINING, True) is False and \
            v.get("track_running_stats", True) is True
        return shape if len(shape) in ranks and v.get("num_features") == shape[1] and \
            (math.prod(shape) > shape[1] or evaluating) else None
    if short == "GroupNorm":
        groups = v.get("num_groups")
        # (torch refuses one value per group, in either mode)
        return shape if len(shape) >= 2 and v.get("num_channels") == shape[1] and \
            whole(groups) and groups > 0 and \
            shape[0] * shape[1] // groups * math.prod(shape[2:]) > 1 else None
    if short == "LayerNorm":
        normalized = _ints(v.get("normalized_shape"))
        return shape if normalized is not None and len(normalized) <= len(shape) and \
            shape[len(shape) - len(normalized):] == normalized else None
    return None


def input_channels(layer: LayerObj, shape: Shape) -> int | None:
    """The size a Lazy layer takes from its first input (torch's `initialize_parameters`): a
    convolution's or a batch norm's channels, a Linear's last axis. None where the input's rank
    is not one the layer takes."""
    if not whole_shape(shape) or 0 in shape:
        return None
    spec = layer.spec
    short = spec.short[4:]
    if short == "Linear":
        return shape[-1] if shape else None
    if spec.family == "conv":
        return shape[-spec.ndim - 1] if len(shape) in (spec.ndim + 1, spec.ndim + 2) else None
    if short.startswith("BatchNorm"):
        ranks = (2, 3) if short == "BatchNorm1d" else (int(short[-2]) + 2,)
        return shape[1] if len(shape) in ranks else None
    return None


def _ints(value: Any) -> Shape | None:
    """An int, or a tuple or list of them, as a tuple; None otherwise."""
    if isinstance(value, ListV):
        value = tuple(value.items)
    if whole(value):
        return (value,)
    if isinstance(value, tuple) and all(whole(d) for d in value):
        return value
    return None


def _spread(value: Any, n: int) -> Shape | None:
    """A size given once or once per spatial axis, as one per axis."""
    if whole(value):
        return (value,) * n
    values = _ints(value)
    return values if values is not None and len(values) == n else None


def _linear(v: dict[str, Any], shape: Shape) -> Shape | None:
    in_features, out_features = v.get("in_features"), v.get("out_features")
    if not whole(in_features) or not whole(out_features):
        return None
    if not shape:
        raise Refused("a Linear takes an input of at least one axis")
    if shape[-1] != in_features:
        raise Refused(f"mat1 and mat2 shapes cannot be multiplied: the input's last axis is "
                      f"{shape[-1]}, the Linear takes {in_features}")
    return (*shape[:-1], out_features)


def flatten(shape: Shape, start: Any, end: Any) -> Shape | None:
    """`torch.flatten(x, start, end)`: the axes from start to end made one."""
    if not whole(start) or not whole(end):
        return None
    if not shape:  # a scalar flattens to one element; its one axis is 0 (or -1)
        return (1,) if start in (0, -1) and end in (0, -1) else None
    rank = len(shape)
    if not (-rank <= start < rank and -rank <= end < rank):
        return None  # torch raises IndexError: not modelled
    start, end = start % rank, end % rank
    if start > end:
        return None
    return (*shape[:start], math.prod(shape[start:end + 1]), *shape[end + 1:])


def _conv(layer: LayerObj, short: str, shape: Shape) -> Shape | None:
    spec, v = layer.spec, layer.values
    n = spec.ndim
    if len(shape) not in (n + 1, n + 2):
        raise Refused(f"{short} takes an input of {n + 1} (unbatched) or {n + 2} (batched) axes, "
                      f"not {len(shape)}")
    in_channels, out_channels = v.get("in_channels"), v.get("out_channels")
    kernel, stride = _spread(v.get("kernel_size"), n), _spread(v.get("stride"), n)
    dilation, padding = _spread(v.get("dilation"), n), v.get("padding")
    if not whole(in_channels) or not whole(out_channels) or kernel is None or stride is None or \
            dilation is None or v.get("padding_mode") != "zeros":
        return None  # (a padding mode other than zeros pads first, with rules of its own)
    channels = shape[-n - 1]
    if channels != in_channels:
        raise Refused(f"{short} expects an input of {in_channels} channels, not {channels}")
    spatial = shape[-n:]
    if spec.transposed:
        pads, extra = _spread(padding, n), _spread(v.get("output_padding"), n)
        if pads is None or extra is None:
            return None
        if any(e >= s and e >= dil for e, s, dil in zip(extra, stride, dilation, strict=True)):
            raise Refused("output padding must be smaller than either stride or dilation")
        out = tuple((d - 1) * s - 2 * p + dil * (k - 1) + e + 1 for d, s, p, dil, k, e in
                    zip(spatial, stride, pads, dilation, kernel, extra, strict=True))
        if any(o <= 0 for o in out):
            return None  # (torch gives an empty tensor for some of size 0, refuses others)
    else:
        if padding == "same":
            return (*shape[:-n - 1], out_channels, *spatial)
        pads = (0,) * n if padding == "valid" else _spread(padding, n)
        if pads is None:
            return None
        out_list = []
        for d, s, p, dil, k in zip(spatial, stride, pads, dilation, kernel, strict=True):
            effective = dil * (k - 1) + 1
            if d + 2 * p < effective:
                raise Refused(f"{short}'s kernel is larger than its padded input")
            out_list.append((d + 2 * p - effective) // s + 1)
        out = tuple(out_list)
    return (*shape[:-n - 1], out_channels, *out)


def pooled(name: str, n: int, values: dict[str, Any], shape: Shape) -> Shape | None:
    """torch.nn.functional's `max_pool2d(x, ...)`, `adaptive_avg_pool2d(x, ...)` and the like,
    their arguments by name (the defaults left out), as the layers of the same arithmetic."""
    if not whole_shape(shape) or 0 in shape:
        return None
    if name.startswith("adaptive"):
        return _adaptive(n, values.get("output_size"), shape)
    if "kernel_size" not in values:
        return None
    short = "MaxPool" if name.startswith("max") else "AvgPool"
    return _pool(short, n, {"stride": None, **values}, shape)


def _pool(short: str, n: int, v: dict[str, Any], shape: Shape) -> Shape | None:
    if len(shape) not in (n + 1, n + 2):
        return None
    kernel = _spread(v.get("kernel_size"), n)
    raw_stride = v.get("stride")
    stride = kernel if raw_stride is None else _spread(raw_stride, n)
    padding = _spread(v.get("padding", 0), n)
    dilation = _spread(v.get("dilation", 1), n) if short.startswith("MaxPool") else (1,) * n
    ceil_mode = v.get("ceil_mode", False)
    if v.get("return_indices", False) is not False:
        return None  # (a tuple of the output and the indices)
    if kernel is None or stride is None or padding is None or dilation is None or \
            type(ceil_mode) is not bool or any(k <= 0 for k in kernel) or \
            any(s <= 0 for s in stride) or any(d <= 0 for d in dilation):
        return None
    out = []
    for d, k, s, p, dil in zip(shape[-n:], kernel, stride, padding, dilation, strict=True):
        if p > k // 2:
            return None  # torch: "pad should be at most half of kernel size"
        if n == 3 and short.startswith("AvgPool") and d < k:
            return None  # torch: "input image smaller than kernel size" (3-d averages only)
        size = _pooled(d, k, s, p, dil, ceil_mode)
        if size <= 0:
            return None
        out.append(size)
    return (*shape[:-n], *out)


def _pooled(size: int, kernel: int, stride: int, pad: int, dilation: int, ceil_mode: bool) -> int:
    """ATen's pooling_output_shape."""
    top = size + 2 * pad - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = top // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _adaptive(n: int, output_size: Any, shape: Shape) -> Shape | None:
    if len(shape) not in (n + 1, n + 2):
        return None
    if isinstance(output_size, ListV):
        output_size = tuple(output_size.items)
    if whole(output_size):
        sizes: tuple[Any, ...] = (output_size,) * n
    elif isinstance(output_size, tuple) and len(output_size) == n:
        sizes = output_size
    else:
        return None
    out = []
    for d, size in zip(shape[-n:], sizes, strict=True):
        if size is None:
            out.append(d)
        elif whole(size) and size >= 0:
            out.append(size)
        else:
            return None
    return (*shape[:-n], *out)
