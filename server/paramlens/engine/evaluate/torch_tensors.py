"""A dry run: a torch tensor of a shape the code fixes, passed through layers, `nn.Sequential`,
the project's modules (their `forward`), tensor methods and `torch.nn.functional`, so that what
the code reads of the result (`.numel()`, `.size(1)`, `.shape[-1]`) is a number. It is how
code finds the size a Linear takes after convolutions, or materialises its Lazy layers.

Only a *plain* tensor is followed (TensorV.plain): one that torch's own factories made with
the default dtype on the CPU. Every step here keeps a plain tensor plain or gives a tensor of
unknown shape; the shapes themselves are torch_shapes.py's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from paramlens.engine.catalogue import lookup
from paramlens.engine.evaluate import torch_shapes
from paramlens.engine.evaluate.machine import Machine, python_raises
from paramlens.engine.evaluate.objects import (
    ContainerV,
    DefaultDevice,
    ExternalV,
    InstanceV,
    LayerObj,
    ListV,
    ParamV,
    TensorV,
)

# A layer's attribute that says a method may have changed what its forward gives (altered):
# not one torch has.
ALTERED = "__altered__"
_DELETED = "__deleted__"  # (frameworks.py's: the names `del` took from the layer)

# Factories whose tensor takes its dtype from the arguments below, else torch's default.
_PLAIN_FACTORIES = frozenset({"zeros", "ones", "empty", "randn", "rand", "full"})
_PLAIN_LIKE = frozenset({"zeros_like", "ones_like", "empty_like", "randn_like", "rand_like",
                         "full_like"})
_DEFAULT_DTYPES = frozenset({"torch.float32", "torch.float"})
_FACTORY_KEYWORDS = frozenset({"dtype", "device", "requires_grad", "size", "fill_value"})

# Tensor methods and torch.nn.functional functions that keep the shape and the dtype.
_SAME_SHAPE_METHODS = frozenset({"contiguous", "clone", "detach", "relu", "sigmoid", "tanh",
                                 "abs", "neg", "exp"})
_SAME_SHAPE_FUNCTIONAL = frozenset({
    "relu", "relu6", "elu", "selu", "celu", "gelu", "silu", "mish", "leaky_relu", "hardswish",
    "hardsigmoid", "hardtanh", "sigmoid", "tanh", "softplus", "softsign", "logsigmoid",
    "dropout", "alpha_dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout",
})


def plain_factory(m: Machine, short: str, args: tuple, kwargs: dict, shape: Any,
                  integral: bool) -> bool:
    """Whether `torch.<short>(*args, **kwargs)` makes a plain tensor (module docstring)."""
    if not torch_shapes.whole_shape(shape) or integral or not set(kwargs) <= _FACTORY_KEYWORDS:
        return False
    if short in _PLAIN_LIKE:
        other = m.deref(args[0]) if args else None
        if not (isinstance(other, TensorV) and other.plain):
            return False
    elif short not in _PLAIN_FACTORIES:
        return False
    dtype = m.deref(kwargs.get("dtype"))
    return (dtype is None or isinstance(dtype, ExternalV) and dtype.qualname in _DEFAULT_DTYPES) \
        and default_device(m.deref(kwargs.get("device")))


def default_device(device: Any) -> bool:
    """Whether a `device=` argument is torch's default device (none given, the CPU, or the
    device of a parameter made there: DefaultDevice)."""
    return device is None or device == "cpu" or isinstance(device, DefaultDevice)


def _plain_input(m: Machine, args: tuple, kwargs: dict) -> TensorV | None:
    if len(args) != 1 or kwargs:
        return None
    x = m.deref(args[0])
    return x if isinstance(x, TensorV) and x.plain and x.shape is not None else None


def layer_called(frameworks: Any, m: Machine, layer: LayerObj, args: tuple, kwargs: dict
                 ) -> TensorV:
    """What a torch layer returns. A Lazy layer takes its missing size from its first plain
    input, as torch's does on its first call, where the call is certain to run."""
    x = _plain_input(m, args, kwargs)
    spec = layer.spec
    if x is None or not _pristine(layer) or layer.refused or \
            m.frameworks.global_hooks or \
            m.deref(layer.values.get("dtype")) is not None or \
            m.deref(layer.values.get("device")) not in (None, "cpu"):
        return TensorV(None, "torch")
    if spec.eager is not None:
        in_arg = _eager_in_arg(spec.eager)
        if layer.built:  # (called before: its size is the first input's)
            if in_arg is None or layer.values.get(in_arg) is None:
                return TensorV(None, "torch")
        else:
            size = torch_shapes.input_channels(layer, x.shape)
            if size is None or in_arg is None or m.speculative:
                return TensorV(None, "torch")
            m.taint(layer)
            layer.values = {**layer.values, in_arg: size}
            frameworks.build(layer, size, None)
            if layer.params is None:
                return TensorV(None, "torch")
    try:
        shape = torch_shapes.output_shape(layer, x.shape)
    except torch_shapes.Refused as refused:
        raise python_raises("RuntimeError", str(refused)) from None
    return TensorV(shape, "torch", plain=shape is not None)


def _pristine(layer: LayerObj) -> bool:
    """Nothing was done to the layer since its constructor ran that may change what its forward
    gives: no attribute set (`conv.stride = 2`, `conv.forward = ...`), no parameter replaced,
    resized or deleted (`conv.weight = nn.Parameter(torch.randn(16, 3, 3, 3))`), not moved to
    another device or dtype, no hook. Its output is then the catalogue's arithmetic on its
    arguments."""
    if layer.made_params is not None or ALTERED in layer.attrs or _DELETED in layer.attrs or \
            any(not name.startswith("__") for name in layer.attrs):
        return False
    return all(type(p) is ParamV and p.numel is not None and p.made_numel is None
               for p in (layer.params or {}).values())


def _eager_in_arg(eager: str) -> str | None:
    """The argument of a Lazy layer's eager class that its first input fixes."""
    spec = lookup(eager)
    return spec.in_arg if spec is not None else None


def altered(m: Machine, module: Any) -> None:
    """`module.to(device)`, `.cuda()`, `.half()`, `.register_forward_hook(...)`: the module's
    layers, its submodules' included, may now be on another device or of another dtype than a
    tensor a factory makes, or give what a hook returns, so a dry run through them gives no shape
    (layer_called)."""
    for value in _held(module):
        if isinstance(value, LayerObj):
            m.taint(value)
            value.attrs[ALTERED] = True
        elif type(value) is ParamV:
            m.before_change(value)
            value.plain = False


def set_mode(m: Machine, module: Any, training: bool | None) -> None:
    """`module.train(mode)`, `module.eval()`: the mode of each layer under it (TRAINING; None, a
    mode the code does not fix). A batch norm in eval mode takes one value per channel."""
    for value in _held(module):
        if isinstance(value, LayerObj) and \
                value.attrs.get(torch_shapes.TRAINING, True) is not training:
            m.taint(value)
            value.attrs[torch_shapes.TRAINING] = training


def _held(module: Any) -> Iterator[Any]:
    """The module, and each object it holds, its submodules' and their parameters included,
    once each: what a method that torch applies to every submodule reaches."""
    stack, seen = [module], set()
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        yield value
        if isinstance(value, LayerObj):
            stack += [*value.attrs.values(), *(value.params or {}).values()]
        elif isinstance(value, (InstanceV, ContainerV)):
            stack += [v for _, v in value.members]
            if isinstance(value, InstanceV):
                stack += list(value.attrs.values())


def sequential_called(m: Machine, members: list[tuple[str, Any]], args: tuple, kwargs: dict
                      ) -> TensorV:
    """`nn.Sequential.forward`: each member called on what the one before returned."""
    if len(args) != 1 or kwargs:
        return TensorV(None, "torch")
    x: Any = args[0]
    for _, member in members:
        x = m.call(member, (x,), {}, None)
    return x if isinstance(x, TensorV) else TensorV(None, "torch")


def tensor_method(m: Machine, owner: TensorV, name: str, args: tuple, kwargs: dict
                  ) -> TensorV | None:
    """`x.view(1, -1)` and the like on a plain tensor; None for a method not followed here."""
    if not owner.plain or owner.shape is None:
        return None
    shape = owner.shape
    if name in _SAME_SHAPE_METHODS and not args and not kwargs:
        return TensorV(shape, "torch", plain=True)
    if name in ("view", "reshape") and not kwargs:
        return _plain(_reshaped(shape, _sizes(m, args)))
    if name == "flatten" and len(args) + len(kwargs) <= 2:
        start = m.deref(args[0]) if args else m.deref(kwargs.get("start_dim", 0))
        end = m.deref(args[1]) if len(args) > 1 else m.deref(kwargs.get("end_dim", -1))
        return _plain(torch_shapes.flatten(shape, start, end))
    if name == "unsqueeze" and len(args) == 1 and not kwargs:
        dim = m.deref(args[0])
        if torch_shapes.whole(dim) and -len(shape) - 1 <= dim <= len(shape):
            at = dim % (len(shape) + 1)
            return TensorV((*shape[:at], 1, *shape[at:]), "torch", plain=True)
    return None


def tensor_item(tensor: TensorV, key: Any) -> TensorV | None:
    """`x[0]` of a plain tensor: the tensor of its first axis taken away; None otherwise."""
    shape = tensor.shape
    if not tensor.plain or shape is None or type(key) is not int or not shape or \
            not -shape[0] <= key < shape[0]:
        return None
    return TensorV(shape[1:], "torch", plain=True)


def functional(m: Machine, name: str, args: tuple, kwargs: dict) -> TensorV | None:
    """`torch.nn.functional.<name>` and `torch.flatten` on a plain tensor; None where not
    followed here."""
    x = m.deref(args[0]) if args else None
    if not (isinstance(x, TensorV) and x.plain and x.shape is not None):
        return None
    if name in _SAME_SHAPE_FUNCTIONAL:
        return TensorV(x.shape, "torch", plain=True)
    if name == "normalize" and len(args) + len(kwargs) <= 4 and "out" not in kwargs:
        # (input, p=2.0, dim=1, eps=1e-12): each slice along `dim` over its norm
        dim = m.deref(args[2]) if len(args) > 2 else m.deref(kwargs.get("dim", 1))
        if torch_shapes.whole(dim) and -len(x.shape) <= dim < len(x.shape):
            return TensorV(x.shape, "torch", plain=True)
        return None
    if name == "flatten" and len(args) + len(kwargs) <= 3:
        start = m.deref(args[1]) if len(args) > 1 else m.deref(kwargs.get("start_dim", 0))
        end = m.deref(args[2]) if len(args) > 2 else m.deref(kwargs.get("end_dim", -1))
        return _plain(torch_shapes.flatten(x.shape, start, end))
    pooling = _POOLING.get(name)
    if pooling is not None:
        names, ndim = pooling
        if len(args) > len(names) + 1 or not set(kwargs) <= set(names):
            return None
        values = {**dict(zip(names, (m.deref(a) for a in args[1:]), strict=False)),
                  **{k: m.deref(v) for k, v in kwargs.items()}}
        if values.get("return_indices") or "divisor_override" in values and \
                values["divisor_override"] is not None:
            return None
        return _plain(torch_shapes.pooled(name, ndim, values, x.shape))
    return None


# torch.nn.functional's pooling: (its arguments after the input, in order; spatial axes)
_POOLING = {
    **{f"max_pool{n}d": (("kernel_size", "stride", "padding", "dilation", "ceil_mode",
                           "return_indices"), n) for n in (1, 2, 3)},
    **{f"avg_pool{n}d": (("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                          "divisor_override"), n) for n in (1, 2, 3)},
    **{f"adaptive_{kind}_pool{n}d": (("output_size", "return_indices"), n)
       for kind in ("avg", "max") for n in (1, 2, 3)},
}


def concatenated(m: Machine, args: tuple, kwargs: dict) -> TensorV | None:
    """`torch.cat([a, b], dim=1)` of plain tensors: their sizes along `dim` added, the other
    axes equal (else torch refuses: not modelled, None)."""
    if len(args) + len(kwargs) > 2 or not set(kwargs) <= {"tensors", "dim", "axis"}:
        return None
    items = m.iterate(m.deref(args[0]) if args else m.deref(kwargs.get("tensors")))
    dim = m.deref(args[1]) if len(args) > 1 else m.deref(kwargs.get("dim", kwargs.get("axis", 0)))
    if not items or not torch_shapes.whole(dim):
        return None
    tensors = [m.deref(t) for t in items]
    if not all(isinstance(t, TensorV) and t.plain and t.shape is not None for t in tensors):
        return None
    shapes = [t.shape for t in tensors]
    rank = len(shapes[0])
    if not rank or not -rank <= dim < rank or any(len(s) != rank for s in shapes):
        return None
    dim %= rank
    if any(s[:dim] + s[dim + 1:] != shapes[0][:dim] + shapes[0][dim + 1:] for s in shapes):
        return None
    return TensorV((*shapes[0][:dim], sum(s[dim] for s in shapes), *shapes[0][dim + 1:]),
                   "torch", plain=True)


def _plain(shape: tuple[int, ...] | None) -> TensorV:
    return TensorV(shape, "torch", plain=shape is not None)


def _sizes(m: Machine, args: tuple) -> tuple[Any, ...] | None:
    """`view(2, -1)`, `view((2, -1))`, `view([2, -1])` as one tuple."""
    items = tuple(m.deref(a) for a in args)
    if len(items) == 1:
        only = items[0]
        if isinstance(only, ListV) and only.exact:
            items = tuple(m.deref(i) for i in only.items)
        elif isinstance(only, tuple):
            items = tuple(m.deref(i) for i in only)
    return items if all(torch_shapes.whole(d) for d in items) else None


def _reshaped(shape: tuple[int, ...], sizes: tuple[Any, ...] | None) -> tuple[int, ...] | None:
    """The shape `view`/`reshape` gives, one -1 worked out; None where torch would refuse it
    (it raises, which is not modelled: unknown) or the sizes are not fixed."""
    if sizes is None or any(d < -1 for d in sizes) or sizes.count(-1) > 1:
        return None
    total = math.prod(shape)
    known = math.prod(d for d in sizes if d != -1)
    if -1 in sizes:
        if known == 0 or total % known:
            return None
        return tuple(total // known if d == -1 else d for d in sizes)
    return sizes if known == total else None
