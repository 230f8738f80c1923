"""A number as far as the file fixes it.

Every value the analysis folds is a `Q`: what the file fixes for certain (`exact`), what holds if
the enclosing function's parameters keep their defaults or the file's own calls (`default`), and
how to write it in the code's own terms (`term`). Arithmetic on `Q` keeps all three in step, so a
catalogue formula written once as plain arithmetic yields the count, the count under defaults and
the formula text together.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from paramlens.engine.nodes import source_text
from paramlens.engine.sizes import size_ok, too_large


class _Unknown:
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


# Terms are small tuples so that rendering can fold constants and drop neutral factors:
#   ("num", value) | ("sym", symbol) | ("mul", (t, ...)) | ("add", (t, ...))
#   ("div", t, t) | ("cond", flag_text, t)
# A symbol is its text, or the expression it stands for: unparsed only if the term is shown
# (most unknowns a walk makes never are, and unparsing them was a tenth of a file's analysis).
Term = tuple
Symbol = str | ast.AST


def symbol_text(symbol: Symbol) -> str:
    return symbol if type(symbol) is str else source_text(symbol)  # type: ignore[arg-type]


def textual(term: Term) -> Term:
    """The term with each symbol as its text: two terms are the same formula when these are equal
    (the same text can stand at two places in the code)."""
    kind = term[0]
    if kind == "sym":
        return ("sym", symbol_text(term[1]))
    if kind in ("mul", "add"):
        return (kind, tuple(textual(t) for t in term[1]))
    if kind in ("sub", "div"):
        return (kind, textual(term[1]), textual(term[2]))
    if kind == "cond":
        return (kind, term[1], textual(term[2]))
    if kind == "op":
        return (kind, term[1], textual(term[2]), textual(term[3]))
    if kind == "call":
        return (kind, term[1], tuple(textual(t) for t in term[2]))
    return term


def _is_known(value: object) -> bool:
    return value is not UNKNOWN


# Never changed once made (nothing assigns to one), though not frozen: a frozen dataclass sets
# each field through object.__setattr__, and making a Q cost four times as much (a file's
# analysis makes hundreds of thousands).
@dataclass(unsafe_hash=True, slots=True)
class Q:
    exact: Any = UNKNOWN
    default: Any = UNKNOWN
    term: Term = ("sym", "?")
    origin: str = ""
    # Set when `default` rests on an assumption (a default argument, the file's own calls).
    assumption: str = ""

    # constructors -------------------------------------------------------------------------
    @staticmethod
    def const(value: Any, origin: str = "literal") -> Q:
        return Q(value, value, ("num", value), origin)

    @staticmethod
    def unknown(text: Symbol, origin: str = "") -> Q:
        """An unknown named `text`, or by the expression it stands for (unparsed when shown)."""
        return Q(UNKNOWN, UNKNOWN, ("sym", text), origin)

    @staticmethod
    def assumed(value: Any, text: str, origin: str, assumption: str) -> Q:
        """A value that holds only under an assumption (a default, the file's own calls)."""
        return Q(UNKNOWN, value, ("sym", text), origin, assumption)

    # queries ------------------------------------------------------------------------------
    @property
    def known(self) -> bool:
        return self.exact is not UNKNOWN  # _is_known, inlined: asked of every value folded

    @property
    def known_default(self) -> bool:
        return self.default is not UNKNOWN

    def with_origin(self, origin: str) -> Q:
        return Q(self.exact, self.default, self.term, origin, self.assumption)

    def demoted(self, assumption: str) -> Q:
        """The same value, but resting on an assumption rather than fixed by the file."""
        if not self.known:
            return self if self.assumption else Q(UNKNOWN, self.default, self.term, self.origin,
                                                    assumption)
        return Q(UNKNOWN, self.exact, self.term, self.origin, self.assumption or assumption)

    def text(self) -> str:
        return render(self.term)

    # arithmetic ---------------------------------------------------------------------------
    def _combine(self, other: Q | int, op: Callable[[Any, Any], Any], term: Term) -> Q:
        other_q = other if isinstance(other, Q) else Q.const(other)
        return Q(
            _apply(op, self.exact, other_q.exact),
            _apply(op, self.default, other_q.default),
            term,
            self.origin or other_q.origin,
            join_assumptions(self.assumption, other_q.assumption),
        )

    def __add__(self, other: Q | int) -> Q:
        o = other if isinstance(other, Q) else Q.const(other)
        return self._combine(o, operator.add, _add_terms(self, o))

    def __radd__(self, other: int) -> Q:
        return Q.const(other) + self

    def __sub__(self, other: Q | int) -> Q:
        o = other if isinstance(other, Q) else Q.const(other)
        return self._combine(o, operator.sub, ("sub", _term_of(self), _term_of(o)))

    def __mul__(self, other: Q | int) -> Q:
        o = other if isinstance(other, Q) else Q.const(other)
        return self._combine(o, operator.mul, _mul_terms(self, o))

    def __rmul__(self, other: int) -> Q:
        return Q.const(other) * self

    def __floordiv__(self, other: Q | int) -> Q:
        o = other if isinstance(other, Q) else Q.const(other)
        if o.exact == 1:
            return self
        return self._combine(o, operator.floordiv, ("div", _term_of(self), _term_of(o)))

    def binary(self, other: Q, op: Callable[[Any, Any], Any], symbol: str) -> Q:
        return self._combine(other, op, ("op", symbol, _term_of(self), _term_of(other)))

    def unary(self, op: Callable[[Any], Any], symbol: str) -> Q:
        return Q(
            _apply1(op, self.exact),
            _apply1(op, self.default),
            ("call", symbol, (_term_of(self),)),
            self.origin,
            self.assumption,
        )


def join_assumptions(*parts: str) -> str:
    seen: list[str] = []
    for part in parts:
        for piece in part.split("; ") if part else ():
            if piece not in seen:
                seen.append(piece)
    return "; ".join(seen)


def _apply(op: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    if not (_is_known(a) and _is_known(b)):
        return UNKNOWN
    if too_large(op, a, b):
        return UNKNOWN  # `9 ** 9 ** 9`: not computed at all
    try:
        result = op(a, b)
    except Exception:  # a type or zero-division error in user code means we cannot know
        return UNKNOWN
    return result if size_ok(result) else UNKNOWN


def _apply1(op: Callable[[Any], Any], a: Any) -> Any:
    if not _is_known(a):
        return UNKNOWN
    try:
        return op(a)
    except Exception:
        return UNKNOWN


def _term_of(q: Q) -> Term:
    """A known leaf shows as its number; a known compound keeps its structure (10 × 3 × 3 × 3)."""
    if (q.term[0] in ("sym", "num") and q.known and isinstance(q.exact, (int, float))
            and not isinstance(q.exact, bool)):
        return ("num", q.exact)
    return q.term


def _flatten(kind: str, terms: tuple[Term, ...]) -> tuple[Term, ...]:
    out: list[Term] = []
    for t in terms:
        if t[0] == kind:
            out.extend(t[1])
        else:
            out.append(t)
    return tuple(out)


def _mul_terms(a: Q, b: Q) -> Term:
    return ("mul", _flatten("mul", (_term_of(a), _term_of(b))))


def _add_terms(a: Q, b: Q) -> Term:
    return ("add", _flatten("add", (_term_of(a), _term_of(b))))


def choose(flag: Q, if_true: Q, if_false: Q | int = 0) -> Q:
    """`if_true` when `flag` holds, else `if_false`, kept separately for exact and default."""
    if_false_q = if_false if isinstance(if_false, Q) else Q.const(if_false)

    def pick(f: Any, t: Any, e: Any) -> Any:
        if not _is_known(f):
            return UNKNOWN
        return t if f else e

    exact = pick(flag.exact, if_true.exact, if_false_q.exact)
    default = pick(flag.default, if_true.default, if_false_q.default)
    if flag.known:
        term = _term_of(if_true) if flag.exact else _term_of(if_false_q)
    else:
        term = ("cond", render(flag.term), _term_of(if_true))
    used = if_true.assumption if flag.default or not flag.known_default else if_false_q.assumption
    return Q(exact, default, term, if_true.origin, join_assumptions(flag.assumption, used))


def product(factors: list[Q]) -> Q:
    result = Q.const(1)
    for f in factors:
        result = f if result.exact == 1 and result.term == ("num", 1) else result * f
    return result


def total(terms: list[Q]) -> Q:
    result: Q | None = None
    for t in terms:
        if t.known and t.exact == 0:
            continue
        result = t if result is None else result + t
    return result if result is not None else Q.const(0)


# rendering --------------------------------------------------------------------------------
def _fmt_num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return repr(v) if isinstance(v, str) else str(v)


def render(term: Term, parent: str = "") -> str:
    kind = term[0]
    if kind == "num":
        return _fmt_num(term[1])
    if kind == "sym":
        text = symbol_text(term[1])
        if parent in ("mul", "div") and any(c in text for c in " +-"):
            return f"({text})"
        return text
    if kind == "mul":
        factors = [f for f in term[1] if f != ("num", 1)]
        nums = [f[1] for f in factors if f[0] == "num"]
        syms = [f for f in factors if f[0] != "num"]
        if not factors:
            return "1"
        if syms and len(nums) > 1 and all(isinstance(n, (int, float)) for n in nums):
            # Fold the numeric factors once symbols are involved: 9 × in_planes, not 3 × 3 × in_planes.
            coefficient = math.prod(nums)
            factors = ([("num", coefficient)] if coefficient != 1 else []) + syms
        text = " × ".join(render(f, "mul") for f in factors)
        return f"({text})" if parent in ("div",) and len(factors) > 1 else text
    if kind == "add":
        # Equal terms read better counted: 2 × planes, not planes + planes.
        counted: list[list] = []
        for t in term[1]:
            if t == ("num", 0):
                continue
            t = textual(t)
            for entry in counted:
                if entry[0] == t and t[0] != "num":
                    entry[1] += 1
                    break
            else:
                counted.append([t, 1])
        text = " + ".join(render(t, "add") if n == 1 else render(("mul", (("num", n), t)), "add")
                          for t, n in counted)
        return f"({text})" if parent in ("mul", "div") else text
    if kind == "sub":
        text = f"{render(term[1], 'add')} - {render(term[2], 'sub')}"
        return f"({text})" if parent in ("mul", "div", "sub") else text
    if kind == "div":
        return f"{render(term[1], 'div')} / {render(term[2], 'div')}"
    if kind == "cond":
        inner = render(term[2], "mul")
        return f"[{inner} if {term[1]}]"
    if kind == "op":
        text = f"{render(term[2], 'mul')} {term[1]} {render(term[3], 'mul')}"
        return f"({text})" if parent else text
    if kind == "call":
        return f"{term[1]}({', '.join(render(a) for a in term[2])})"
    return "?"
