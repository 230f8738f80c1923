"""The background analysis: one thread, jobs taken in turns, a step at a time.

A job is a generator; each `next()` is one step (bring the document's blocks up to date, one
evaluation pass, the diagnostics). After a step the job goes to the back of the line, so a large
document does not hold up the diagnostics of the others, and a job that was replaced (the
document changed, or closed) is dropped between steps. Only TURNS jobs take turns at a time,
the others wait in the order they came: each job started holds its document's trees, and 200
documents opened at once must not all be parsed before the first is done. The event loop never runs a step: it
stays free for requests, `$/cancelRequest`, `shutdown` and `exit`.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections import deque
from collections.abc import Iterator

log = logging.getLogger("paramlens")

Job = Iterator[None]
TURNS = 2  # jobs taking turns at once


class Worker:
    def __init__(self) -> None:
        self._line: deque[tuple[str, Job]] = deque()  # the jobs taking turns
        self._waiting: deque[tuple[str, Job]] = deque()  # the others, first come first
        self._current: dict[str, Job] = {}  # the job that stands for each key
        self._wake = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def submit(self, key: str, job: Job, first: bool = False) -> None:
        """Run `job`, in place of any earlier job of the same key (dropped at its next step);
        `first`: before the jobs already waiting (a short one that frees memory)."""
        with self._wake:
            if self._stopped:
                return
            self._current[key] = job
            if first:
                self._waiting.appendleft((key, job))
            else:
                self._waiting.append((key, job))
            if self._thread is None:
                # daemon: the process leaves with os._exit anyway, never waiting for a step
                self._thread = threading.Thread(target=self._run, name="paramlens-analysis",
                                                daemon=True)
                self._thread.start()
            self._wake.notify()

    def cancel(self, key: str) -> None:
        with self._wake:
            self._current.pop(key, None)

    def busy(self, key: str) -> bool:
        return key in self._current

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._current.clear()
            self._line.clear()
            self._waiting.clear()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped:
                    # dropped jobs (replaced or cancelled since they were queued) leave the line
                    self._line = deque(e for e in self._line if self._current.get(e[0]) is e[1])
                    while self._waiting and len(self._line) < TURNS:
                        entry = self._waiting.popleft()
                        if self._current.get(entry[0]) is entry[1]:
                            self._line.append(entry)
                    if self._line:
                        break
                    self._wake.wait()
                if self._stopped:
                    return
                key, job = self._line.popleft()
            try:
                next(job)
            except StopIteration:
                self._finished(key, job)
                continue
            except Exception:  # a bug of ours costs this job, never the thread
                log.error("background analysis of %s failed:\n%s", key, traceback.format_exc())
                self._finished(key, job)
                continue
            with self._wake:
                if self._current.get(key) is job:
                    self._line.append((key, job))

    def _finished(self, key: str, job: Job) -> None:
        with self._wake:
            if self._current.get(key) is job:
                del self._current[key]
