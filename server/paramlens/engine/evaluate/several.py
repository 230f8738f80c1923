"""One model out of those a class or a call is built as, with words saying which.

A model class whose `__init__` needs arguments is not built on its own: the file's entry points
build it inside their models (a ResNet's `BasicBlock(64, 128, stride=2)`), perhaps several times
with different arguments. A call inside a function or a block runs once per call of it. The
summary panel shows one of them and says which: the first where they all count the same, else
the largest (the first of the largest), and says so.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from paramlens.engine.evaluate.program import EntryResult, ModelCall
from paramlens.engine.evaluate.totals import model_total
from paramlens.engine.nodes import source_text

Made = tuple[Any, EntryResult]  # a model, and the entry point that built it
CALL_TEXT = 60  # characters of a call shown in the words; a longer one is cut


@dataclass(frozen=True)
class Chosen:
    value: Any
    result: EntryResult
    note: str  # which one it is, in words ("" for the only model a call makes)


def model_of(made: Any) -> Any:
    """The model itself: a call of the project's code is recorded with the call."""
    return made.value if isinstance(made, ModelCall) else made


def choose_instance(name: str, path: str, made: Sequence[Made]) -> Chosen:
    """One of the instances of the class `name` (defined in `path`) that entry points build
    inside their models."""
    index, counts = _pick(made)
    value, result = made[index]
    n = len(made)
    entries = _entries(made)
    place = _place(value, path)
    if n == 1:
        how = f"shown as {entries} builds it"
    elif counts:
        how = f"{entries} build{'s' if len(_names(made)) == 1 else ''} it {n} times, {counts}"
    else:
        count = model_total(value, result.memo)[0]
        how = f"{entries} build{'s' if len(_names(made)) == 1 else ''} it {n} times, each " \
              f"with {count:,} parameters: shown, the first"
    return Chosen(value, result, f"{name} is not built on its own; {how}, {place}.")


def choose_call(made: Sequence[Made]) -> Chosen:
    """One of the models a call makes (once per time it runs)."""
    index, counts = _pick(made)
    value, result = made[index]
    n = len(made)
    entries = _entries(made)
    if n == 1:
        return Chosen(value, result, f"As {entries} builds it.")
    runs = f"This call runs {n} times as {entries} build{'s' if len(_names(made)) == 1 else ''}"
    if counts:
        return Chosen(value, result, f"{runs}, {counts}.")
    count = model_total(model_of(value), result.memo)[0]
    return Chosen(value, result, f"{runs}, each time with {count:,} parameters: shown, the "
                                 f"first.")


def _pick(made: Sequence[Made]) -> tuple[int, str]:
    """(the one shown, words about the counts when they differ; "" when they all agree)."""
    counts = [model_total(model_of(value), result.memo)[0] for value, result in made]
    known = [c for c in counts if c is not None]
    if len(set(counts)) <= 1 and None not in counts:
        return 0, ""
    if not known:
        return 0, "none of them with a count the code fixes: shown, the first"
    largest = counts.index(max(known))
    if len(set(known)) == 1:
        return largest, "some with a count the code does not fix: shown, the first known"
    low, high = min(known), max(known)
    unknown = " and some not fixed by the code" if None in counts else ""
    return largest, f"with different counts ({low:,} to {high:,}{unknown}): shown, the largest"


def _names(made: Sequence[Made]) -> list[str]:
    names: list[str] = []
    for _value, result in made:
        name = result.name if result.kind != "module" else "the module's code"
        if name not in names:
            names.append(name)
    return names


def _entries(made: Sequence[Made]) -> str:
    names = _names(made)
    shown = " and ".join(names[:3])
    return shown + (" and others" if len(names) > 3 else "")


def _place(value: Any, path: str) -> str:
    """`at line 43: \\`BasicBlock(64, 128, stride=2)\\`` (a file named where it is another)."""
    site = getattr(value, "site", None)
    node = getattr(value, "node", None)
    line = getattr(node, "lineno", None) or (site[1] if site else None)
    if not line:
        return "where it is made"
    where = f"at line {line}" if not site or not site[0] or site[0] == path else \
        f"at {os.path.basename(site[0])}:{line}"
    if node is None:
        return where
    text = " ".join(source_text(node).split())
    if len(text) > CALL_TEXT:
        text = text[:CALL_TEXT - 1] + "…"
    return f"{where}: `{text}`"
