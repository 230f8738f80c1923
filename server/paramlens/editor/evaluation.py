"""The evaluated program behind an open document, laid over its block results.

The blocks' own analysis answers what each call fixes by itself. What the program builds when its
entry points run (contexts, builder and model totals) needs the whole document evaluated, as
`paramlens check` does for the file on disk: the same `evaluate_files`, on the document's current
trees, so that the editor and the CLI agree. An evaluation is kept for each text it was made for:
a request on an unchanged document costs nothing, and an edit that is undone finds its
evaluation again.
"""

from __future__ import annotations

import ast
import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable

from paramlens.editor.document import BlockResults, Document
from paramlens.engine.evaluate.entries import Evaluation, evaluate_files
from paramlens.engine.in_context import apply_evaluation
from paramlens.engine.positions import LineIndex
from paramlens.engine.results import FileReport

KEPT = 8  # evaluations kept per document (undo, redo and typing back and forth)

# (path, statements, what identifies their text): files whose entry points reach this document
Others = Callable[[], list[tuple[str, list[ast.stmt], str]]]


class DocumentEvaluator:
    """Evaluations of one document, by the text they were made for."""

    def __init__(self, path: str, roots: list[str], others: Others | None = None,
                 unsaved: Others | None = None, epoch: Callable[[], str] | None = None) -> None:
        self.path = os.path.abspath(path)
        self.roots = roots
        self.others = others  # files importing this one: their entry points reach it
        self.unsaved = unsaved  # the other open documents, read instead of their files
        self.epoch = epoch  # changes whenever files on disk may have changed
        self.kept: OrderedDict[str, Evaluation] = OrderedDict()
        self.failure: str | None = None

    def evaluation(self, doc: Document) -> Evaluation | None:
        if doc.error:
            return None
        others = self.others() if self.others is not None else []
        unsaved = self.unsaved() if self.unsaved is not None else []
        digest = hashlib.blake2b("\n".join(doc.lines).encode("utf-8", "surrogatepass"),
                                 digest_size=16)
        if self.epoch is not None:
            digest.update(f"\0epoch\0{self.epoch()}".encode())
        for path, _statements, version in [*others, *unsaved]:
            digest.update(f"\0{path}\0{version}".encode("utf-8", "surrogatepass"))
        key = digest.hexdigest()
        found = self.kept.get(key)
        if found is not None:
            self.kept.move_to_end(key)
            return found
        statements = [s for block in doc.blocks for s in block.absolute_statements()]
        files = [(self.path, statements)] + [(p, s) for p, s, _ in others]
        try:
            found = evaluate_files(files, extra_roots=self.roots,
                                   unsaved=[(p, s) for p, s, _ in unsaved])
        except RecursionError:
            self.failure = "nested too deeply to evaluate"
            return None
        self.kept[key] = found
        while len(self.kept) > KEPT:
            self.kept.popitem(last=False)
        return found

    def forget(self) -> None:
        """Another file changed: what this document imports may read differently now."""
        self.kept.clear()

    def overlay(self, doc: Document, results: BlockResults) -> BlockResults:
        """The block results with the evaluated program's contexts and totals laid over them."""
        evaluation = self.evaluation(doc)
        if evaluation is None:
            return results
        report = FileReport(self.path, layers=list(results.layers), models=list(results.models),
                            index=LineIndex.from_lines(doc.lines))
        apply_evaluation(report, evaluation)
        return BlockResults(report.layers, list(results.diagnostics), report.models,
                            results.layout)
