"""Input channels from the flow around a layer: Keras shapes, Sequential chains, functional calls.

A layer object learns its input when a tensor reaches it: `layer(x)` in a functional chain, the
previous member of a Sequential, `input_shape=`, `Input(shape=)` or `model.build(...)`. The output
tensor then carries the layer's output channels (and spatial shape where it is known) onwards.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from paramlens.engine.catalogue import Args
from paramlens.engine.quantity import UNKNOWN, Q
from paramlens.engine.values import LayerV, SequentialV, TensorV, TupleV, Value

if TYPE_CHECKING:
    from paramlens.engine.analysis import LayerSite


def shape_tensor(shape_value: Value, story: str, framework: str = "keras") -> TensorV | None:
    """A tensor from a Keras shape without the batch axis: `input_shape=(24, 24, 3)`."""
    if isinstance(shape_value, TupleV) and shape_value.items:
        items = tuple(v if isinstance(v, Q) else Q.unknown("?") for v in shape_value.items)
        channels = items[-1].with_origin(story)
        return TensorV(channels, items, False, framework, story)
    if isinstance(shape_value, Q) and shape_value.known_default and isinstance(
            shape_value.default, tuple):
        # A whole tuple resting on an assumption (a default argument): items share it.
        items = tuple(
            Q(UNKNOWN if not shape_value.known else v, v, ("sym", f"{shape_value.text()}[{i}]"),
              story, shape_value.assumption)
            for i, v in enumerate(shape_value.default))
        return TensorV(items[-1] if items else Q.unknown("channels"), items, False, framework,
                       story)
    if isinstance(shape_value, Q):
        return TensorV(Q.unknown(f"{shape_value.text()}[-1]", story), None, False, framework, story)
    return None


def batch_shape_tensor(shape_value: Value, story: str) -> TensorV | None:
    """`model.build((None, H, W, C))` and `batch_shape=`: drop the batch axis first."""
    if isinstance(shape_value, TupleV) and len(shape_value.items) >= 2:
        return shape_tensor(TupleV(shape_value.items[1:]), story)
    return None


def _data_format(fmt: object) -> object:
    """Keras lowers `data_format` ("Channels_Last" is channels_last)."""
    if isinstance(fmt, Q) and fmt.known and isinstance(fmt.exact, str):
        return Q.const(fmt.exact.lower())
    return fmt


def _channels_last(fmt: object) -> bool:
    """Whether a (lowered) data_format is channels_last: Keras' default, absent or None; any
    value the file does not fix is not."""
    return fmt is None or isinstance(fmt, Q) and fmt.known and fmt.exact in (None, "channels_last")


def input_channels(site: LayerSite, tensor: TensorV) -> Q:
    """The channels a layer reads from its input, honouring `data_format`."""
    spec = site.spec
    # (global pooling reads its channels by data_format too, and has no ndim of its own)
    first_at = spec.channels_first_axis
    if first_at is None and spec.framework == "keras" and spec.family == "pool":
        first_at = 0
    if first_at is not None:
        fmt = _data_format(site.values.get("data_format"))
        if isinstance(fmt, Q) and fmt.known and fmt.exact == "channels_first":
            axis = first_at  # (a ConvLSTM's input is (time, channels, *spatial))
            if tensor.shape and len(tensor.shape) > axis:
                return tensor.shape[axis].with_origin(
                    tensor.story + ", data_format='channels_first'")
            return Q.unknown("input channels (channels_first)")
        if not _channels_last(fmt):
            return Q.unknown("input channels (data_format unknown)")
    return tensor.channels.with_origin(tensor.story)


def apply_layer(site: LayerSite, inputs: Value, story: str) -> Value:
    """Call a layer object on a tensor (or a list of tensors, for merges)."""
    spec = site.spec
    if spec.family == "merge":
        return _merge(site, inputs, story)
    if spec.family == "scores":
        return _scores(site, inputs, story)
    if not isinstance(inputs, TensorV):
        site.set_input(None)
        return TensorV(Q.unknown(f"output of {spec.short}"), None, False, spec.framework,
                       story)
    site.set_input(inputs)
    if inputs.shape is not None and not site.built_unfollowed:
        site.values["__input_shape__"] = TupleV(inputs.shape)
    in_ch = input_channels(site, inputs)
    args = Args(site.values, in_ch, spec.ndim)
    return output_tensor(site, args, inputs, story)


def output_tensor(site: LayerSite, args: Args, tensor: TensorV | None, story: str) -> TensorV:
    spec = site.spec
    short = spec.short
    shape = tensor.shape if tensor is not None else None
    if short == "Flatten":
        # every axis a number: an axis known to be None (`Input(shape=(None, 3))`) is sized
        # only when the model runs
        if shape and all(type(d.exact) is int for d in shape):
            n = math.prod(d.exact for d in shape)
            q = Q.const(n, story)
            return TensorV(q, (q,), False, spec.framework, story)
        return TensorV(Q.unknown("flattened size", story), None, False, spec.framework, story)
    if short == "Reshape":
        target = site.values.get("target_shape")
        if isinstance(target, TupleV):
            target = _resolve_minus_one(target, shape)
        return shape_tensor(target, story, spec.framework) if isinstance(target, TupleV) else \
            TensorV(Q.unknown("reshaped", story), None, False, spec.framework, story)
    channels = spec.flow(args) if spec.flow else None
    if channels is None:
        return TensorV(Q.unknown(f"output of {short}", story), None, False, spec.framework, story)
    if spec.channels_first_axis is not None and \
            not _channels_last(_data_format(site.values.get("data_format"))):
        # channels first, or a format the file does not fix: the last axis, which the next
        # layer reads by default, is not the channels (this reading keeps no channels-first
        # shapes; the evaluated program does)
        return TensorV(Q.unknown(f"the last axis of {short}'s output (channels first)", story),
                       None, False, spec.framework, story)
    channels = channels.with_origin(story)
    out_shape = None
    if spec.family == "pool" and spec.framework == "keras":
        keep = site.values.get("keepdims")
        if isinstance(keep, Q) and keep.known and not keep.exact:
            out_shape = (channels,)
    elif spec.family in ("norm", "activation") and shape is not None:
        out_shape = shape[:-1] + (channels,) if shape else None
    elif spec.is_conv and shape is not None:
        spatial = conv_output_spatial(site, args, shape)
        if spatial is not None:
            out_shape = (*spatial, channels)
    elif spec.family == "linear" and shape is not None:
        out_shape = shape[:-1] + (channels,)
    return TensorV(channels, out_shape, False, spec.framework, story)


def _resolve_minus_one(target: TupleV, shape: tuple[Q, ...] | None) -> TupleV | None:
    """`Reshape((-1, 4))`: the -1 is what the input's size leaves; unknown without that size (a
    -1 taken as a size would give negative counts)."""
    dims = target.items
    if not any(isinstance(d, Q) and d.known and d.exact == -1 for d in dims):
        return target
    known = [d for d in dims if not (isinstance(d, Q) and d.known and d.exact == -1)]
    if shape is None or not all(d.known for d in shape) or not all(
            isinstance(d, Q) and d.known and isinstance(d.exact, int) and d.exact > 0 for d in known):
        return None
    total = math.prod(int(d.exact) for d in shape)
    rest = math.prod(int(d.exact) for d in known)  # type: ignore[union-attr]
    if rest == 0 or total % rest:
        return None
    return TupleV(tuple(Q.const(total // rest) if isinstance(d, Q) and d.known and d.exact == -1
                        else d for d in dims))


def conv_output_spatial(site: LayerSite, args: Args, shape: tuple[Q, ...]) -> tuple[Q, ...] | None:
    """Keras spatial output size (channels_last input), as the layer's compute_output_shape."""
    spec = site.spec
    n = spec.ndim
    fmt = _data_format(site.values.get("data_format"))
    if spec.framework != "keras" or len(shape) != n + 1:
        return None
    if not _channels_last(fmt):
        return None
    padding = args.q("padding")
    if not padding.known or padding.exact not in ("valid", "same"):
        return None
    if spec.transposed:
        # an output_padding given changes the length (Keras' deconv_output_length): not followed
        out_pad = args.values.get("output_padding")
        if out_pad is not None and not (isinstance(out_pad, Q) and out_pad.known and
                                        out_pad.exact is None):
            return None
    kernel = args.dims("kernel_size")
    strides = args.dims("strides")
    dilation = args.dims("dilation_rate")
    out: list[Q] = []
    for i in range(n):
        size, k, s, d = shape[i], kernel[i], strides[i], dilation[i]
        if not all(v.known and isinstance(v.exact, int) for v in (size, k, s, d)) or \
                s.exact <= 0:
            return None  # (strides=0 is refused by Keras: catalogue rules say so)
        eff = (k.exact - 1) * d.exact + 1
        if spec.transposed:
            if padding.exact == "valid":
                value = size.exact * s.exact + max(eff - s.exact, 0)
            else:
                value = size.exact * s.exact
        elif padding.exact == "valid":
            value = (size.exact - eff) // s.exact + 1
        else:
            value = (size.exact + s.exact - 1) // s.exact
        out.append(Q.const(value))
    return tuple(out)


def _known_dims(tensor: TensorV) -> tuple[int, ...] | None:
    if tensor.shape is None or not all(d.known and isinstance(d.exact, int) for d in tensor.shape):
        return None
    return tuple(int(d.exact) for d in tensor.shape)


def _spatial_mismatch(site: LayerSite, tensors: list[TensorV], rule: str) -> None:
    """Keras merges need equal sizes on every axis but the one they join (channels last)."""
    shapes = [_known_dims(t) for t in tensors]
    if len(shapes) < 2 or any(s is None for s in shapes) or tensors[0].channels_first:
        return
    first = shapes[0]
    for other in shapes[1:]:
        if other is not None and first is not None and len(other) == len(first) and \
                other[:-1] != first[:-1]:
            size = ", ".join(str(d) for d in first[:-1])
            other_size = ", ".join(str(d) for d in other[:-1])
            site.mismatch = (f"{site.spec.short} joins tensors of size ({size}) and "
                             f"({other_size}); {rule}")
            return


def _scores(site: LayerSite, inputs: Value, story: str) -> TensorV:
    """Attention on [query, value(, key)]: its weights are sized by the query, what it gives
    has the value's channels."""
    spec = site.spec
    tensors = [t for t in inputs.items if isinstance(t, TensorV)] \
        if isinstance(inputs, TupleV) and inputs.is_list else []
    if not 2 <= len(tensors) <= 3 or len(tensors) != len(inputs.items):  # type: ignore[union-attr]
        site.set_input(None)
        return TensorV(Q.unknown(f"output of {spec.short}"), None, False, spec.framework, story)
    query, value = tensors[0], tensors[1]
    site.set_input(query)
    if query.shape is not None:
        site.values["__input_shape__"] = TupleV(query.shape)
    return TensorV(value.channels.with_origin(story), None, False, spec.framework, story)


def _merge(site: LayerSite, inputs: Value, story: str) -> TensorV:
    spec = site.spec
    tensors = [t for t in inputs.items if isinstance(t, TensorV)] if isinstance(inputs, TupleV) \
        else []
    site.set_input(tensors[0] if tensors else None)
    if not tensors or len(tensors) != len(inputs.items):  # type: ignore[union-attr]
        return TensorV(Q.unknown(f"output of {spec.short}"), None, False, spec.framework, story)
    if spec.short == "Concatenate":
        axis = site.values.get("axis")
        last_axis = not isinstance(axis, Q) or (axis.known and axis.exact == -1)
        if last_axis:
            _spatial_mismatch(site, tensors, "all but the last axis must agree")
            total = tensors[0].channels
            for t in tensors[1:]:
                total = total + t.channels
            return TensorV(total.with_origin(story), None, False, spec.framework, story)
        return TensorV(Q.unknown("concatenated", story), None, False, spec.framework, story)
    # Add, Multiply, Average, ...: element by element, where an axis of size 1 is broadcast
    # (Merge._compute_elemwise_op_output_shape): sizes clash only where neither is 1
    sizes = {t.channels.exact for t in tensors if t.channels.known}
    clash = sorted(sizes - {1})
    if len(clash) > 1:
        site.mismatch = (f"{spec.short} joins tensors with {clash[0]} and {clash[1]} channels; "
                         "they must agree (or be 1)")
    if site.mismatch is None:
        _broadcast_mismatch(site, tensors)
    if clash:
        chosen = next(t.channels for t in tensors if t.channels.known and t.channels.exact != 1)
    elif all(t.channels.known for t in tensors):
        chosen = tensors[0].channels  # (all 1)
    else:
        chosen = Q.unknown(f"output of {spec.short}")
    same = all(t.shape == tensors[0].shape for t in tensors)
    return TensorV(chosen.with_origin(story), tensors[0].shape if same else None, False,
                   spec.framework, story)


def _broadcast_mismatch(site: LayerSite, tensors: list[TensorV]) -> None:
    """Sizes (channels last, the batch axis left out) that clash along an axis, aligned from the
    last: neither is 1 and they differ."""
    shapes = [_known_dims(t) for t in tensors]
    if len(shapes) < 2 or any(s is None for s in shapes) or tensors[0].channels_first:
        return
    first = shapes[0]
    for other in shapes[1:]:
        for a, b in zip(reversed(first), reversed(other), strict=False):  # type: ignore[arg-type]
            if a != b and 1 not in (a, b):
                site.mismatch = (f"{site.spec.short} joins tensors of shapes {first} and "
                                 f"{other}, which do not broadcast")
                return


def sequential_flow(seq: SequentialV, story_of: dict[int, str]) -> None:
    """Pass channels down a Sequential, binding each member's input.

    Torch members state their input channels; where the flow proves them wrong the site records a
    mismatch. Keras members take theirs from the flow.
    """
    current: TensorV | None = seq.input
    for member in seq.members:
        if isinstance(member, LayerV):
            site = member.site
            story = story_of.get(id(site), "")
            if site.spec.framework == "torch":
                current = _torch_step(site, current, story)
            else:
                result = apply_layer(site, current if current is not None else
                                     TensorV(Q.unknown("input"), None), story)
                current = result if isinstance(result, TensorV) else None
        elif isinstance(member, SequentialV):
            member.input = current
            sequential_flow(member, story_of)
            current = None
        elif isinstance(member, TensorV):
            current = member
        else:
            current = None


def _torch_step(site: LayerSite, current: TensorV | None, story: str) -> TensorV | None:
    spec = site.spec
    declared = site.values.get(spec.in_arg) if spec.in_arg else None
    reads = spec.channel_axis
    if current is not None and reads and current.axis != reads:
        # the channels flowing are on another axis than this layer reads (a Linear after a
        # convolution reads the last spatial size; a convolution after a Linear dim 1), or on
        # an axis not known: they say nothing of its input
        current = None
    if spec.in_arg is None:
        if spec.formula is not None or spec.flow is not None:
            site.set_input(current)
    elif current is not None and isinstance(declared, Q):
        flowing = current.channels
        if declared.known and flowing.known and declared.exact != flowing.exact:
            site.mismatch = (f"{spec.short} expects {spec.in_arg}={declared.exact} but the previous "
                             f"layer gives {flowing.exact} channels ({flowing.origin})")
            site.flowing_channels = flowing.exact
            if spec.flow is not None:
                # it refuses its input: what it gives is certain only where its arguments alone
                # fix it (a convolution's out_channels, not a norm's channels)
                out = spec.flow(Args(site.values, Q.unknown("refused input"), spec.ndim))
                if out is None or not out.known:
                    return None
    in_ch = current.channels if current is not None and spec.in_arg is None else None
    if spec.in_arg is not None and isinstance(declared, Q):
        in_ch = declared
    args = Args(site.values, in_ch, spec.ndim)
    if spec.flow is None:
        return None
    out = spec.flow(args)
    if out is None:
        return None
    return TensorV(out.with_origin(f"{spec.short} on line {site.node.lineno}"), None, False,
                   "torch", story, reads or (current.axis if current is not None else ""))
