"""Full garbage collections, while typing pauses and at a bounded share of the time.

A document's trees and evaluations hold reference cycles. Once its diagnostics are published (and
once it goes to sleep), a full collection frees them, and what survives is set aside
(`gc.freeze`): the collector's own full passes over a large heap would otherwise land in the
middle of a hover. But a full pass costs time in proportion to the heap (0.1-0.5 s with a
package's modules parsed), holds the GIL, and ran after every document: with the 35 torchvision
files open at once it took 12 of the server's 44 seconds. Now a collection waits until
SPACING times its own last duration has passed since it ended; one asked for sooner runs then,
on the event loop's timer, so that the last garbage is still freed once the work stops.
"""

from __future__ import annotations

import asyncio
import gc
import time

SPACING = 10.0  # at most about a tenth of the time goes to these collections


class Tidier:
    """Runs the collections; only on the event loop's thread."""

    def __init__(self) -> None:
        self._ended = -float("inf")
        self._took = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def tidy(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Collect now, or as soon as the spacing allows (with `loop`; without, now)."""
        wait = self._ended + self._took * SPACING - time.monotonic()
        if wait > 0 and loop is not None:
            if self._timer is None:
                self._timer = loop.call_later(wait, self._run)
            return
        self._run()

    def _run(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        began = time.monotonic()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self._ended = time.monotonic()
        self._took = self._ended - began
