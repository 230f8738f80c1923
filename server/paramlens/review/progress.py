"""A progress bar on stderr for a run that takes more than a moment: how many files have been
analysed, while the program is evaluated as a whole. It shows only on a terminal, appears after
half a second (a quick run prints nothing extra) and leaves no trace when it ends."""

from __future__ import annotations

import threading

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

DELAY = 0.5  # seconds before the bar appears


class TerminalProgress:
    """A `review.RunProgress` on stderr. Thread-safe: the worker processes' results arrive on
    the pool's own thread."""

    def __init__(self, color: bool) -> None:
        self._lock = threading.Lock()
        self._done = 0
        self._total = 0
        self._finished = False
        self._bar: Progress | None = None
        self._task = None
        self._color = color
        self._timer = threading.Timer(DELAY, self._show)
        self._timer.daemon = True

    def start(self, total: int) -> None:
        with self._lock:
            self._total = total
        self._timer.start()

    def advance(self, count: int) -> None:
        with self._lock:
            self._done += count
            if self._bar is not None:
                self._bar.update(self._task, completed=self._done)

    def _show(self) -> None:
        with self._lock:
            if self._finished:
                return
            console = Console(stderr=True, no_color=not self._color)
            self._bar = Progress(SpinnerColumn(), TextColumn("checking"), BarColumn(),
                                 MofNCompleteColumn(), TextColumn("files"), TimeElapsedColumn(),
                                 console=console, transient=True)
            self._task = self._bar.add_task("files", total=self._total, completed=self._done)
            self._bar.start()

    def finish(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._finished = True
            if self._bar is not None:
                self._bar.stop()
