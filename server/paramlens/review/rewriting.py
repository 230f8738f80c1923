"""Changing a file's source with libcst: the helpers every rewrite (annotate, quick fixes) shares.

The engine reads code with `ast` and reports positions as 1-based lines and 0-based columns
counted in code points (engine/results.py). libcst's positions use the same convention, so an
engine span can be matched against a node's position as it is. A rewrite is a `Rewrite` (a
codemod): it declares the position metadata it needs, finds its nodes with `line_ends` or
`node_at`, and returns the module with `replace_nodes`:

    module = parse(data)                         # raises Unparsable
    new = MyFix(report).transform_module(module)
    data = new.bytes                             # the file's encoding and newlines kept

Only commands that rewrite import this module: `paramlens check` and the language server never
load libcst (tests/test_annotate.py checks that), so their start-up does not pay for it.
"""

from __future__ import annotations

import bisect
from abc import abstractmethod
from collections.abc import Mapping
from typing import TypeVar

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper

from paramlens.engine.results import Span

NodeT = TypeVar("NodeT", bound=cst.CSTNode)


class Unparsable(Exception):
    """libcst cannot read the file (though `ast` may): in words for the user."""


def parse(data: bytes) -> cst.Module:
    """The module as libcst reads it from the file's bytes: the encoding (BOM, PEP 263 cookie),
    the newline style and every byte are kept, so `module.bytes` gives the file back."""
    try:
        return cst.parse_module(data)
    except cst.ParserSyntaxError as error:
        raise Unparsable(f"libcst cannot parse it (line {error.raw_line}: {error.message})") from error
    except (UnicodeDecodeError, LookupError, SyntaxError) as error:  # a bad encoding cookie
        raise Unparsable(f"libcst cannot decode it ({error})") from error


class Rewrite(cst.MetadataDependent):
    """A codemod: `transform_module_impl` is written as for a `libcst.codemod.Codemod` (declare
    METADATA_DEPENDENCIES, read `self.metadata`, return the new module), and `transform_module`
    runs it. Not a `Codemod` itself: importing `libcst.codemod` loads its command-line
    machinery and every bundled codemod, about 0.55 s of imports where libcst and its
    metadata take 0.2 s (`python -X importtime`), for a context object a rewrite of one file
    does not need. A `Rewrite` still runs under LibCST's `CodemodTest` through a small adapter
    (tests/test_annotate.py).

    `transform_module` skips `MetadataWrapper`'s deep copy of the tree, which is there so that
    positions never key a node shared with another tree and which costs as much as the parse
    on a large file. A module fresh from `parse` is shared with nothing: pass no other."""

    @abstractmethod
    def transform_module_impl(self, tree: cst.Module) -> cst.Module: ...

    def transform_module(self, module: cst.Module) -> cst.Module:
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        with self.resolve(wrapper):
            return self.transform_module_impl(wrapper.module)


def line_ends(positions: Mapping[cst.CSTNode, CodeRange]) -> dict[int, cst.TrailingWhitespace]:
    """Each physical line (1-based) that a `TrailingWhitespace` ends: the one place a comment can
    go at the end of that line. That is the end of a statement or of a compound statement's
    header, or, inside brackets, the first line of a `ParenthesizedWhitespace` (after a comma,
    an opening bracket, an argument). A line with none (it ends inside a multi-line string, or
    with a backslash continuation) is missing: nothing can be written there.

    `positions`: the metadata of `WhitespaceInclusivePositionProvider` or `PositionProvider`
    (for a `TrailingWhitespace` both start on the line it ends)."""
    return {where.start.line: node for node, where in positions.items()
            if isinstance(node, cst.TrailingWhitespace)}


def node_at(positions: Mapping[cst.CSTNode, CodeRange], span: Span, kind: type[NodeT]) -> NodeT | None:
    """The node of this type whose extent is the engine's span (a `LayerResult.span` is the
    whole call: `node_at(positions, layer.span, cst.Call)`), else None.

    `positions`: `PositionProvider`'s metadata, which leaves out the parentheses around an
    expression and the whitespace a node owns, as `ast`'s positions do."""
    for node, where in positions.items():
        if (isinstance(node, kind) and where.start.line == span.line
                and where.start.column == span.column and where.end.line == span.end_line
                and where.end.column == span.end_column):
            return node
    return None


class _Replacer(cst.CSTTransformer):
    """Swaps nodes by identity, entering only the subtrees whose lines hold one of them."""

    def __init__(self, replacements: Mapping[cst.CSTNode, cst.CSTNode],
                 positions: Mapping[cst.CSTNode, CodeRange]) -> None:
        super().__init__()
        self.replacements = replacements
        self.positions = positions
        self.lines = sorted({positions[node].start.line for node in replacements})

    def on_visit(self, node: cst.CSTNode) -> bool:
        where = self.positions.get(node)
        if where is None:
            return True
        # Visiting every node of a large file costs about as much as parsing it; the subtrees
        # that cannot hold a replaced node are most of it.
        first = bisect.bisect_left(self.lines, where.start.line)
        return first < len(self.lines) and self.lines[first] <= where.end.line

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode
                 ) -> cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]:
        return self.replacements.get(original_node, updated_node)


def replace_nodes(module: cst.Module, replacements: Mapping[cst.CSTNode, cst.CSTNode],
                  positions: Mapping[cst.CSTNode, CodeRange]) -> cst.Module:
    """The module with each key node (by identity) replaced by its value. `positions` must
    include each node's whitespace (`WhitespaceInclusivePositionProvider`), so that a node's
    lines cover all of its children's."""
    if not replacements:
        return module
    replaced = module.visit(_Replacer(replacements, positions))
    assert isinstance(replaced, cst.Module)
    return replaced
