"""in_context.in_one_stack_chunk: the evaluation's call through a large frame (so that CPython
keeps its frames in one chunk) changes nothing but where the frames live."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from paramlens.engine.in_context import in_one_stack_chunk


def _depth(n: int) -> int:
    return 0 if n == 0 else 1 + _depth(n - 1)


def test_the_result_and_the_exceptions_pass_through() -> None:
    assert in_one_stack_chunk(divmod, 7, 2) == (3, 1)
    assert in_one_stack_chunk(_depth, 800) == 800  # deep enough to leave the chunk's free half
    with pytest.raises(ZeroDivisionError):
        in_one_stack_chunk(divmod, 1, 0)


def test_the_recursion_limit_still_holds() -> None:
    with pytest.raises(RecursionError):
        in_one_stack_chunk(_depth, sys.getrecursionlimit() + 10)


def _at(base: int, function: Callable[[], int]) -> int:
    return function() if base == 0 else _at(base - 1, function)


def _oscillate() -> int:
    total = 0
    for _ in range(2_000):
        total += _depth(60)
    return total


def _sweep() -> int:
    """Calls going up and down 60 frames, 2,000 times, from base depths 0 to 400: from many of
    them the calls cross the end of a 16 KiB chunk each time (72,000 page faults here, called
    directly on CPython 3.11)."""
    return sum(_at(base, _oscillate) for base in range(0, 400, 7))


def test_oscillating_calls_fault_in_no_page_again() -> None:
    if sys.version_info < (3, 11) or sys.platform != "linux":
        pytest.skip("frames live in chunks from CPython 3.11; page faults counted on Linux")
    import resource

    in_one_stack_chunk(_sweep)  # the first run faults in the pages it uses
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    assert in_one_stack_chunk(_sweep) == 58 * 2_000 * 60
    assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before < 2_000
