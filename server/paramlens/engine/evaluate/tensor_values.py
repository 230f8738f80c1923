"""The values of small one-dimensional tensors that code computes its sizes with: RegNet's
widths are `torch.arange(depth) * w_a + w_0`, then a log, a round, a power, `.int().tolist()`.

torch computes in float32, numpy in float64, and a log or a power is not correctly rounded in
either: the evaluator does not claim to know their last bit. Each floating element is an
interval (lo, hi) of float64 numbers that surely holds the value the framework computes:
- + - * / of exact operands whose exact result the dtype represents is exact (IEEE arithmetic,
  which both frameworks' kernels are, gives that very number); any other arithmetic result is
  widened by two units in the last place of the dtype, and a log, an exp or a power by eight;
- a Python float given to a float32 operation may take part as itself or rounded to float32,
  so it is the interval between the two;
- `round`, `floor`, `ceil` and the conversion to an integer dtype are exact where both ends of
  the interval give the same whole number, and otherwise the whole tensor's values are unknown.
So a value is never a guess: where the framework's rounding could matter, it is unknown.
Integer elements are Python ints, exact.
"""

from __future__ import annotations

import ast
import math
import struct
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from paramlens.engine.evaluate.objects import ExternalV, ListV, TensorV

MAX_ITEMS = 4096  # a longer tensor's values are not followed

Interval = tuple[float, float]
_FLOATS = ("float32", "float64")
_WIDEN_ARITHMETIC, _WIDEN_TRANSCENDENTAL = 2, 8


@dataclass(frozen=True)
class Values:
    dtype: str  # "int64", "int32", "float32" or "float64"
    items: tuple[Any, ...]  # ints for an integer dtype, Intervals for a floating one

    @property
    def floating(self) -> bool:
        return self.dtype in _FLOATS


class Unfixed(Exception):
    """A result the rules here cannot pin down: the tensor's values become unknown."""


def _float32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def _ulp(x: float, dtype: str) -> float:
    bits = 24 if dtype == "float32" else 53
    if x == 0 or not math.isfinite(x):
        return 2.0 ** -149 if dtype == "float32" else 5e-324
    return 2.0 ** (math.frexp(x)[1] - bits)


def _representable(x: Fraction, dtype: str) -> bool:
    try:
        as_float = float(x)
    except OverflowError:
        return False
    if dtype == "float32":
        try:
            as_float = _float32(as_float)
        except OverflowError:
            return False
    return math.isfinite(as_float) and Fraction(as_float) == x


def _widened(lo: float, hi: float, dtype: str, units: int) -> Interval:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise Unfixed
    return (lo - units * _ulp(lo, dtype), hi + units * _ulp(hi, dtype))


def scalar_interval(x: int | float, dtype: str) -> Interval:
    """A Python number as an operand of a floating operation of this dtype."""
    if isinstance(x, int):
        if abs(x) > 2 ** 24 and dtype == "float32" or abs(x) > 2 ** 53:
            raise Unfixed
        return (float(x), float(x))
    if dtype == "float32":
        rounded = _float32(x)
        return (min(x, rounded), max(x, rounded))
    return (x, x)


def exact(x: float) -> Interval:
    return (x, x)


_INT_RANGES = {"int32": 2 ** 31, "int64": 2 ** 63}


def _in_range(items: tuple[int, ...], dtype: str) -> bool:
    """Whether the dtype holds every item (beyond, the framework wraps or refuses: unknown)."""
    bound = _INT_RANGES.get(dtype, 2 ** 63)
    return all(-bound <= i < bound for i in items)


def from_ints(items: list[int], dtype: str = "int64") -> Values | None:
    if len(items) > MAX_ITEMS or not _in_range(tuple(items), dtype):
        return None  # (numpy makes a float64 or object array of ints beyond int64)
    return Values(dtype, tuple(items))


def from_floats(items: list[float], dtype: str) -> Values | None:
    """Floats the framework stores: for float32, each as its float32 rounding (exact)."""
    if len(items) > MAX_ITEMS or not all(math.isfinite(x) for x in items):
        return None
    if dtype == "float32":
        try:
            items = [_float32(x) for x in items]
        except OverflowError:
            return None
    return Values(dtype, tuple(exact(x) for x in items))


def as_floating(values: Values, dtype: str) -> Values:
    """Integer elements converted to a floating dtype (Unfixed where it cannot hold them)."""
    if values.floating:
        return values
    return Values(dtype, tuple(scalar_interval(i, dtype) for i in values.items))


# --- arithmetic ----------------------------------------------------------------------------------

def _interval_op(op: type, a: Interval, b: Interval, dtype: str) -> Interval:
    if a[0] == a[1] and b[0] == b[1]:
        x, y = Fraction(a[0]), Fraction(b[0])
        if op is ast.Div and y == 0:
            raise Unfixed
        result = x + y if op is ast.Add else x - y if op is ast.Sub else x * y if \
            op is ast.Mult else x / y
        if _representable(result, dtype):
            return exact(float(result))
        value = float(result)
        return _widened(value, value, dtype, _WIDEN_ARITHMETIC)
    if op is ast.Div and b[0] <= 0 <= b[1]:
        raise Unfixed
    corners = [_plain_op(op, x, y) for x in a for y in b]
    return _widened(min(corners), max(corners), dtype, _WIDEN_ARITHMETIC)


def _plain_op(op: type, x: float, y: float) -> float:
    if op is ast.Add:
        return x + y
    if op is ast.Sub:
        return x - y
    if op is ast.Mult:
        return x * y
    return x / y


_INT_OPS = {ast.Add: lambda x, y: x + y, ast.Sub: lambda x, y: x - y,
            ast.Mult: lambda x, y: x * y}


def binop(op: type, left: Any, right: Any, framework: str) -> Values | None:
    """`left op right` where each is Values or a Python number (one at least Values), with the
    framework's type promotion; None where not followed."""
    if op not in (ast.Add, ast.Sub, ast.Mult, ast.Div):
        return None
    aligned = _aligned(left, right)
    if aligned is None:
        return None
    operands, size = aligned
    dtype = _result_dtype(op, operands, framework)
    try:
        if dtype in _FLOATS:
            columns = [v.items if isinstance(v, Values) and v.floating else
                       as_floating(v, dtype).items if isinstance(v, Values) else
                       (scalar_interval(v, dtype),) * size for v in operands]
            return Values(dtype, tuple(_interval_op(op, a, b, dtype)
                                       for a, b in zip(*columns, strict=True)))
        columns = [v.items if isinstance(v, Values) else (v,) * size for v in operands]
        if not all(_in_range(c, dtype) for c in columns):
            return None  # (a Python int the dtype cannot hold: the framework refuses it)
        result = tuple(_INT_OPS[op](a, b) for a, b in zip(*columns, strict=True))
        return Values(dtype, result) if _in_range(result, dtype) else None
    except (Unfixed, OverflowError, ZeroDivisionError):
        return None


def _aligned(left: Any, right: Any) -> tuple[list[Any], int] | None:
    """Two operands, each Values or a Python number, broadcast to one length; None where they
    are not such operands or do not broadcast."""
    operands = [left, right]
    if not all(isinstance(v, Values) or type(v) in (int, float) for v in operands):
        return None
    size = _broadcast_size(operands)
    if size is None:
        return None
    return [_broadcast(v, size) for v in operands], size


def _broadcast_size(operands: list[Any]) -> int | None:
    """The length two operands broadcast to: equal lengths, or one of length 1 (a scalar, a
    0-d tensor) against any; None for other lengths (the framework refuses them)."""
    sizes = {len(v.items) for v in operands if isinstance(v, Values)}
    if len(sizes) == 2 and 1 in sizes:
        sizes.discard(1)
    return sizes.pop() if len(sizes) == 1 else None


def _broadcast(value: Any, size: int) -> Any:
    if isinstance(value, Values) and len(value.items) == 1 and size != 1:
        return Values(value.dtype, value.items * size)
    return value


def _result_dtype(op: type, operands: list[Any], framework: str) -> str:
    floating = framework == "numpy" and "float64" or "float32"
    tensors = [v for v in operands if isinstance(v, Values)]
    if any(v.floating for v in tensors):
        # a float64 numpy array stays float64; torch keeps the tensor's own floating dtype
        return next(v.dtype for v in tensors if v.floating)
    if op is ast.Div or any(type(v) is float for v in operands):
        return floating
    # ints: the widest of the tensors' (an int32 tensor and a Python int stay int32)
    return "int64" if any(v.dtype == "int64" for v in tensors) else tensors[0].dtype


# --- functions -----------------------------------------------------------------------------------

def unary(name: str, values: Values, framework: str) -> Values | None:
    """torch's and numpy's elementwise `log`, `exp`, `sqrt`, `round`, `floor`, `ceil`, `abs`."""
    try:
        if name in ("round", "floor", "ceil"):
            if not values.floating:
                return values
            step = round if name == "round" else math.floor if name == "floor" else math.ceil
            whole = tuple(_whole(step, x) for x in values.items)
            if values.dtype == "float32" and any(abs(lo) > 2 ** 24 for lo, _ in whole):
                raise Unfixed  # (a whole number float32 may not hold: not followed)
            return Values(values.dtype, whole)
        if name == "abs":
            if not values.floating:
                absolute = tuple(abs(i) for i in values.items)
                return Values(values.dtype, absolute) if _in_range(absolute, values.dtype) \
                    else None
            return Values(values.dtype, tuple(
                (min(abs(lo), abs(hi)) if lo * hi > 0 else 0.0, max(abs(lo), abs(hi)))
                for lo, hi in values.items))
        if name in ("log", "exp", "sqrt"):
            dtype = values.dtype if values.floating else \
                ("float64" if framework == "numpy" else "float32")
            floating = as_floating(values, dtype)
            func = {"log": math.log, "exp": math.exp, "sqrt": math.sqrt}[name]
            out = []
            for lo, hi in floating.items:
                if name != "exp" and lo <= 0:
                    raise Unfixed  # (log of 0 is -inf, of less nan)
                out.append(_widened(func(lo), func(hi), dtype, _WIDEN_TRANSCENDENTAL))
            return Values(dtype, tuple(out))
    except (Unfixed, OverflowError, ValueError):
        return None
    return None


def _whole(step: Any, x: Interval) -> Interval:
    """round/floor/ceil of an interval: one whole number, or Unfixed. Python's round, as
    torch's and numpy's, rounds half to even."""
    lo, hi = step(x[0]), step(x[1])
    if lo != hi:
        raise Unfixed
    return exact(float(lo))


def power(base: Any, exponent: Any, framework: str) -> Values | None:
    """`torch.pow(base, exponent)` / `np.power`, one of them Values, the other a number or
    Values of the same length."""
    aligned = _aligned(base, exponent)
    if aligned is None:
        return None
    operands, size = aligned
    tensors = [v for v in operands if isinstance(v, Values)]
    if not any(v.floating for v in tensors) and all(type(v) is not float for v in operands):
        return None  # integer powers: not followed
    dtype = next((v.dtype for v in tensors if v.floating),
                 "float64" if framework == "numpy" else "float32")
    try:
        columns = [as_floating(v, dtype).items if isinstance(v, Values) else
                   (scalar_interval(v, dtype),) * size for v in operands]
        out = []
        for (b_lo, b_hi), (e_lo, e_hi) in zip(*columns, strict=True):
            if b_lo <= 0:
                raise Unfixed
            corners = [math.pow(b, e) for b in (b_lo, b_hi) for e in (e_lo, e_hi)]
            out.append(_widened(min(corners), max(corners), dtype, _WIDEN_TRANSCENDENTAL))
        return Values(dtype, tuple(out))
    except (Unfixed, OverflowError, ValueError):
        return None


def to_integers(values: Values, dtype: str = "int32") -> Values | None:
    """`.int()`, `.long()`, `.astype(int)`: each element truncated toward zero."""
    if not values.floating:
        return Values(dtype, values.items) if _in_range(values.items, dtype) else None
    try:
        items = tuple(int(_whole(math.trunc, x)[0]) for x in values.items)
    except (Unfixed, OverflowError, ValueError):
        return None
    # (beyond the dtype, torch's and numpy's conversions give what the machine makes of it)
    return Values(dtype, items) if _in_range(items, dtype) else None


def diff(values: Values) -> Values | None:
    """`torch.diff(t)` / `np.diff(a)` of integers."""
    if values.floating:
        return None
    items = values.items
    result = tuple(b - a for a, b in zip(items, items[1:], strict=False))
    return Values(values.dtype, result) if _in_range(result, values.dtype) else None


def as_list(values: Values) -> list[Any] | None:
    """`.tolist()`: ints, or floats where each is exact; None otherwise."""
    if not values.floating:
        return list(values.items)
    if any(lo != hi for lo, hi in values.items):
        return None
    return [lo for lo, _ in values.items]


# --- the calls that make and change such tensors ------------------------------------------------

_UNARY = frozenset({"log", "exp", "sqrt", "round", "floor", "ceil", "abs"})
_BINARY = {"add": ast.Add, "sub": ast.Sub, "subtract": ast.Sub, "mul": ast.Mult,
           "multiply": ast.Mult, "div": ast.Div, "divide": ast.Div, "true_divide": ast.Div}


def call(m: Any, framework: str, name: str, args: tuple, kwargs: dict) -> TensorV | None:
    """`torch.<name>(...)` or `numpy.<name>(...)` (framework "torch" or "numpy") that makes or
    changes a tensor of known values; None where the call is not one of these."""
    args = tuple(m.deref(a) for a in args)
    known: Values | None = None
    if name in ("arange", "tensor", "as_tensor", "array", "asarray"):
        if kwargs:
            return None  # (a dtype or a device of the code's choosing: not followed)
        known = _made(framework, name, args, m)
    elif kwargs:
        return None
    elif name in _UNARY and len(args) == 1 and isinstance(_values(args[0]), Values):
        known = unary(name, _values(args[0]), framework)
    elif name in _UNARY and len(args) == 1 and framework == "numpy" and \
            type(args[0]) in (int, float):
        # `np.log(w_m)`: numpy's float64 scalar, kept as a 0-d array of one interval
        try:
            scalar = Values("float64", (scalar_interval(args[0], "float64"),)) \
                if type(args[0]) is float else from_ints([args[0]])
        except Unfixed:
            return None
        known = unary(name, scalar, framework)
        return tensor_of(known, framework, zero_dim=True) if known is not None else None
    elif name in ("pow", "power") and len(args) == 2:
        known = power(_operand(args[0]), _operand(args[1]), framework)
    elif name in _BINARY and len(args) == 2 and any(isinstance(_values(a), Values) for a in args):
        known = binop(_BINARY[name], _operand(args[0]), _operand(args[1]), framework)
    elif name == "diff" and len(args) == 1 and isinstance(_values(args[0]), Values):
        known = diff(_values(args[0]))
    zero_dim = bool(args) and all(t.shape == () for t in args if isinstance(t, TensorV)) and \
        any(isinstance(t, TensorV) for t in args) and name not in ("tensor", "array", "arange")
    return tensor_of(known, framework, zero_dim) if known is not None else None


# The methods each framework's arrays have, of those followed here.
_METHODS = {"torch": frozenset({"tolist", "item", "int", "long", "float", *_UNARY}),
            "numpy": frozenset({"tolist", "item", "astype", "round"})}
# What may be called on a tensor of known values and leaves them as they are.
_READING = frozenset({"size", "numel", "dim", "ndim", "max", "min", "sum", "mean", "clone",
                      "copy", "detach", "__len__", "__getitem__", "nelement", "type", "to"})


def method(m: Any, owner: TensorV, name: str, args: tuple) -> Any:
    """A method of a tensor of known values (`.int()`, `.tolist()`, `.astype(int)`, `.log()`);
    None where not followed. Any other method may change the values in place (`a.sort()`,
    `a.fill(7)`, `t.add_(1)`): from then on they are unknown."""
    known = owner.values
    if not isinstance(known, Values):
        return None
    framework = owner.framework
    if name not in _METHODS.get(framework, ()):
        if name not in _READING:
            m.changed_in_place(owner)
        return None
    if name in ("tolist", "item") and not args and owner.shape == ():
        one = as_list(known)  # a 0-d tensor's: its one number
        return one[0] if one is not None else None
    if name == "tolist" and not args:
        return as_list(known)
    if name in ("int", "long") and not args:
        made = to_integers(known, "int32" if name == "int" else "int64")
    elif name == "astype" and len(args) == 1 and _is_int_type(args[0]):
        made = to_integers(known, "int64")
    elif name == "float" and not args:
        try:
            made = as_floating(known, "float32")
        except Unfixed:
            made = None
    elif name in _UNARY and not args:
        made = unary(name, known, framework)
    else:
        return None
    return tensor_of(made, framework, owner.shape == ()) if made is not None else None


def _is_int_type(value: Any) -> bool:
    """`int`, `np.int64` or `"int64"` as astype's argument."""
    if isinstance(value, ExternalV):
        return value.qualname in ("builtins.int", "numpy.int64", "numpy.int_")
    return value in ("int", "int64")


def tensor_of(known: Values, framework: str, zero_dim: bool = False) -> TensorV:
    shape = () if zero_dim and len(known.items) == 1 else (len(known.items),)
    return TensorV(shape, framework, integral=not known.floating, values=known)


def item(tensor: TensorV, key: Any) -> Any:
    """`a[i]` of a one-dimensional tensor of known values: a 0-d tensor of that one value (numpy
    gives its own int64 or float64 scalar, which wraps and prints as numpy's: not a Python
    number; `int(a[i])` and `float(a[i])` are, see number). None where not followed."""
    known = tensor.values
    if not isinstance(known, Values) or tensor.shape == () or type(key) is not int or \
            not -len(known.items) <= key < len(known.items):
        return None
    return tensor_of(Values(known.dtype, (known.items[key],)), tensor.framework, zero_dim=True)


def number(kind: str, tensor: TensorV) -> int | float | None:
    """`int(x)` or `float(x)` of a 0-d tensor of a known value; None where not fixed."""
    known = tensor.values
    if tensor.shape != () or not isinstance(known, Values) or len(known.items) != 1:
        return None
    one = known.items[0]
    if not known.floating:
        return one if kind == "int" else float(one) if abs(one) <= 2 ** 53 else None
    lo, hi = one
    if kind == "float":
        return lo if lo == hi else None
    try:
        whole = _whole(math.trunc, one)[0]
    except (Unfixed, OverflowError, ValueError):
        return None
    return int(whole)


def _values(value: Any) -> Values | None:
    return value.values if isinstance(value, TensorV) else None


def _operand(value: Any) -> Any:
    """A tensor's Values, or a Python number as it is."""
    if isinstance(value, TensorV):
        return value.values
    return value if type(value) in (int, float) else None


def _made(framework: str, name: str, args: tuple, m: Any) -> Values | None:
    if name == "arange":
        if 1 <= len(args) <= 3 and all(type(a) is int for a in args) and \
                (len(args) < 3 or args[2] != 0):
            steps = range(*args)
            return from_ints(list(steps)) if len(steps) <= MAX_ITEMS else None
        return None
    if len(args) != 1:
        return None
    given = args[0]
    if isinstance(given, ListV) and given.exact:
        items = [m.deref(i) for i in given.items]
    elif isinstance(given, tuple):
        items = [m.deref(i) for i in given]
    else:
        return None
    if not items:
        return None
    if all(type(i) is int for i in items):
        return from_ints(items)
    if all(type(i) in (int, float) for i in items):
        try:
            floats = [float(i) for i in items]
        except OverflowError:
            return None  # (the framework refuses an int that large too)
        return from_floats(floats, "float64" if framework == "numpy" else "float32")
    return None
