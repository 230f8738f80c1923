"""What requests read a document through: live (its blocks, analysed on demand, with the
evaluation laid over them) or asleep (a compressed snapshot of the last published results).

An open document costs its trees (about 13 MB per 200 KB of code), its evaluations and its
results. Documents nobody has touched lately are put to sleep (server.py, `LIVE_DOCUMENTS`):
their results are pickled and compressed (about 40 KB per 200 KB) and everything else is let
go. Hover, hints and lenses on a sleeping document are answered from the snapshot; an edit
wakes it (it is parsed and analysed again, as when it was opened).
"""

from __future__ import annotations

import pickle
import zlib
from dataclasses import dataclass
from typing import Protocol

from paramlens.editor.evaluation import ModelCall, call_at
from paramlens.engine.results import LayerResult, ModelTotal


class View(Protocol):
    lines: list[str]

    def layers_at(self, line: int) -> list[LayerResult]:
        """The layers of the block holding a 1-based line (none past the end)."""
        ...

    def layers_between(self, first: int, last: int) -> list[LayerResult]:
        ...

    def models(self, fresh: bool) -> list[ModelTotal]:
        """The document's model totals; `fresh`: every block brought up to date first."""
        ...

    def call_total(self, line: int, column: int) -> ModelTotal | None:
        """What a call of the project's code at this position made, if it made a model."""
        ...


@dataclass
class Snapshot:
    layers: list[LayerResult]
    models: list[ModelTotal]
    calls: list[ModelCall]

    def freeze(self) -> bytes:
        return zlib.compress(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL), 1)

    @staticmethod
    def thaw(data: bytes) -> Snapshot:
        # Our own bytes, made by `freeze` in this process: never data from the client or disk.
        thawed = pickle.loads(zlib.decompress(data))
        assert isinstance(thawed, Snapshot)
        return thawed


def split_lines(text: str) -> list[str]:
    """The document's lines as `Document` splits them."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


class SnapshotView:
    def __init__(self, text: str, snapshot: Snapshot) -> None:
        self.lines = split_lines(text)
        self.snapshot = snapshot

    def layers_at(self, line: int) -> list[LayerResult]:
        if not 1 <= line <= len(self.lines):
            return []
        return [r for r in self.snapshot.layers if r.span.line <= line <= r.span.end_line]

    def layers_between(self, first: int, last: int) -> list[LayerResult]:
        return [r for r in self.snapshot.layers if r.span.end_line >= first and
                r.span.line <= last]

    def models(self, fresh: bool) -> list[ModelTotal]:
        return self.snapshot.models

    def call_total(self, line: int, column: int) -> ModelTotal | None:
        if not 1 <= line <= len(self.lines):
            return None
        byte_column = len(self.lines[line - 1][:column].encode("utf-8", errors="surrogatepass"))
        return call_at(self.snapshot.calls, line, byte_column)
