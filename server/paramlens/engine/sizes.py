"""How large a value the analyses will compute: Python's own operators, refused before they run
when the result would be too large (`9 ** 9 ** 9` would take hours and all the memory).

Both the per-function analysis (quantity.py) and the evaluator (evaluate/machine.py) apply
Python's operators to the code's constants; both ask `too_large` first, and a value too large
becomes unknown there.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

MAX_SEQUENCE = 100_000  # longest list, tuple, string or range built
MAX_INT_BITS = 4096  # largest integer, in bits


def too_large(op: Callable[[Any, Any], Any], left: Any, right: Any) -> str:
    """Why `op(left, right)` would be too large to compute ("" when it is not)."""
    if op is operator.pow and _number(left) and _number(right):
        try:
            if right > 0 and abs(left) > 1 and right * math.log2(abs(left)) > MAX_INT_BITS:
                return "a number too large to evaluate"
        except (TypeError, ValueError, OverflowError):
            return "a number too large to evaluate"
    if op is operator.lshift and isinstance(right, int) and right > MAX_INT_BITS:
        return "a number too large to evaluate"
    if op is operator.mul:
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, tuple, list)) and isinstance(n, int) and \
                    len(seq) * max(n, 0) > MAX_SEQUENCE:
                return "a sequence too long to evaluate"
        if isinstance(left, int) and isinstance(right, int) and \
                left.bit_length() + right.bit_length() > MAX_INT_BITS:
            return "a number too large to evaluate"
    return ""


def size_ok(value: Any) -> bool:
    """A computed value small enough to keep."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() <= MAX_INT_BITS
    if isinstance(value, (str, bytes, tuple, list, range)):
        return len(value) <= MAX_SEQUENCE
    return True


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, complex)
