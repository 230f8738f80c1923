"""The libcst side of fixes.py: find each fix's node by its position, and rewrite it.

Imported only from inside fixes.py's functions (libcst is not loaded by a run that writes no
fix). Positions: libcst's PositionProvider counts lines from 1 and columns in code points, as
our spans do; it leaves a node's own parentheses out, where `ast` keeps a tuple's in.

libcst works on the top-level statements that hold the fixes, not the whole file: their lines
parse by themselves (they start at column 0), and libcst's positions and code generation cost
in proportion to what they cover (a fix in a 1,900-line file: about 0.7 s on the whole module,
a few tens of milliseconds on its statement). `ast`, which is fast, finds the statements and
checks that the whole fixed text still parses.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from paramlens.engine.results import Fix, Span
from paramlens.review.fixes import Fixed, line_starts, offset_of

Rewrite = Callable[["FixTree", cst.CSTNode, Fix], "cst.CSTNode | None"]


def rewrite(source: str, fixes: list[Fix]) -> Fixed | None:
    """The source with the fixes written in; None when it does not parse (with `ast`, or with
    libcst where a fix lies), or the result would not."""
    try:
        module = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    statements = [(_first_line(node), node.end_lineno or node.lineno) for node in module.body]
    imported = _imported_names(module)
    starts = line_starts(source)
    chunks: list[tuple[int, int, list[int]]] = []  # (first line, last line, fixes by index)
    refused: set[int] = set()
    for i, fix in sorted(enumerate(fixes), key=lambda pair: pair[1].target.line):
        lines = _statement_lines(statements, fix.target)
        if lines is None:
            refused.add(i)
        elif chunks and lines[0] <= chunks[-1][1]:
            first, last, held = chunks[-1]
            chunks[-1] = (first, max(last, lines[1]), [*held, i])
        else:
            chunks.append((lines[0], lines[1], [i]))
    pieces: list[tuple[int, int, str]] = []  # (start offset, end offset, new text)
    for first, last, held in chunks:
        start = starts[first - 1]
        end = starts[last] if last < len(starts) else len(source)
        tree = FixTree.parse(source[start:end], imported)
        # the chunk's own lines start at 1
        moved = [dataclasses.replace(fixes[i], target=fixes[i].target.shifted(1 - first))
                 for i in held]
        done = tree.rewritten(moved) if tree is not None else None
        if done is None:
            refused.update(held)
            continue
        refused.update(i for i, fix in zip(held, moved, strict=True) if fix in done.refused)
        pieces.append((start, end, done.text))
    text = source
    for start, end, new in reversed(pieces):
        text = text[:start] + new + text[end:]
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # a rewrite that Python would not read is no fix
    return Fixed(text, tuple(f for i, f in enumerate(fixes) if i not in refused),
                 tuple(f for i, f in enumerate(fixes) if i in refused))


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None) or []
    return min([node.lineno, *(d.lineno for d in decorators)])


def _statement_lines(statements: list[tuple[int, int]], target: Span) -> tuple[int, int] | None:
    """The lines of the top-level statements that hold the span, with any statement sharing
    a line with them (`a = 1; b = f()`)."""
    held = [i for i, (first, last) in enumerate(statements)
            if first <= target.end_line and last >= target.line]
    if not held:
        return None
    low, high = held[0], held[-1]
    while low > 0 and statements[low - 1][1] >= statements[low][0]:
        low -= 1
    while high + 1 < len(statements) and statements[high + 1][0] <= statements[high][1]:
        high += 1
    return statements[low][0], statements[high][1]


class FixTree:
    """A source parsed once with libcst, and its nodes by position."""

    def __init__(self, source: str, module: cst.Module, imported: dict[str, str]) -> None:
        self.source = source
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.module = wrapper.module
        self.positions: Mapping[cst.CSTNode, CodeRange] = wrapper.resolve(PositionProvider)
        self.nodes: dict[tuple[int, int, int, int], list[cst.CSTNode]] | None = None
        self.starts = line_starts(source)
        self.imported = imported  # the whole file's `from M import N` names

    def by_position(self) -> dict[tuple[int, int, int, int], list[cst.CSTNode]]:
        """The expressions by (line, column, end line, end column), made on first use."""
        if self.nodes is None:
            self.nodes = {}
            for node, found in self.positions.items():
                if isinstance(node, cst.BaseExpression):
                    start, end = found.start, found.end
                    self.nodes.setdefault((start.line, start.column, end.line, end.column),
                                          []).append(node)
        return self.nodes

    @classmethod
    def parse(cls, source: str, imported: dict[str, str]) -> FixTree | None:
        try:
            module = cst.parse_module(source)
        except (cst.ParserSyntaxError, RecursionError, ValueError):
            return None
        if module.code != source:  # libcst would not give the file back byte for byte
            return None
        return cls(source, module, imported)

    # finding ----------------------------------------------------------------------------------
    def node_for(self, fix: Fix) -> cst.CSTNode | None:
        """The node the fix names: a call for set-argument and make-explicit, an expression
        for wrap; for wrap also one whose own parentheses make up the rest of the span."""
        target = fix.target
        key = (target.line, target.column, target.end_line, target.end_column)
        exact = self.by_position().get(key, [])
        wanted = cst.Call if fix.kind in ("set-argument", "make-explicit") else cst.BaseExpression
        found = [n for n in exact if isinstance(n, wanted)]
        if found:
            return found[0]
        if fix.kind != "wrap":
            return None
        return self._parenthesized(target)

    def _parenthesized(self, target: Span) -> cst.BaseExpression | None:
        """The expression whose parentheses, and only they, surround it within the span."""
        start = offset_of(self.starts, target.line, target.column)
        end = offset_of(self.starts, target.end_line, target.end_column)
        best: tuple[int, cst.BaseExpression] | None = None
        for key, nodes in self.by_position().items():
            node_start = offset_of(self.starts, key[0], key[1])
            node_end = offset_of(self.starts, key[2], key[3])
            if not start < node_start < node_end < end:
                continue
            before, after = self.source[start:node_start], self.source[node_end:end]
            if before.strip("( \t\r\n") or after.strip(") \t\r\n"):
                continue
            for node in nodes:
                if isinstance(node, cst.BaseExpression) and \
                        len(node.lpar) == before.count("(") and \
                        len(node.rpar) == after.count(")") and \
                        (best is None or node_end - node_start > best[0]):
                    best = (node_end - node_start, node)
        return best[1] if best is not None else None

    # rewriting --------------------------------------------------------------------------------
    def rewritten(self, fixes: list[Fix]) -> Fixed | None:
        planned: dict[int, list[Fix]] = {}
        refused: list[Fix] = []
        for fix in fixes:
            node = self.node_for(fix) if fix.kind in _REWRITES else None
            if node is None:
                refused.append(fix)
            else:
                planned.setdefault(id(node), []).append(fix)
        rewriter = _Rewriter(self, planned)
        try:
            text = self.module.visit(rewriter).code
        except (cst.CSTValidationError, cst.ParserSyntaxError, ValueError, TypeError,
                RecursionError):
            return None
        refused += rewriter.refused
        done = [f for f in fixes if f not in refused]
        return Fixed(text, tuple(done), tuple(f for f in fixes if f in refused))


class _Rewriter(cst.CSTTransformer):
    """Each planned node rewritten on leaving it: the nodes inside it are rewritten already,
    and so the fixes compose as if applied one after another."""

    def __init__(self, tree: FixTree, planned: dict[int, list[Fix]]) -> None:
        super().__init__()
        self.tree, self.planned = tree, planned
        self.refused: list[Fix] = []

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode
                 ) -> cst.CSTNode:  # type: ignore[override]
        node = updated_node
        for fix in self.planned.get(id(original_node), ()):
            changed = _REWRITES[fix.kind](self.tree, node, fix)
            if changed is None:
                self.refused.append(fix)
            else:
                node = changed
        return node


# the kinds ------------------------------------------------------------------------------------
def _set_argument(tree: FixTree, node: cst.CSTNode, fix: Fix) -> cst.CSTNode | None:
    """The argument given `fix.value`: where the call passes it by keyword or at its position,
    else added as a keyword after the others."""
    if not isinstance(node, cst.Call):
        return None
    value = _expression(fix.value)
    if value is None:
        return None
    args = list(node.args)
    for i, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == fix.name:
            args[i] = arg.with_changes(value=value)
            return node.with_changes(args=args)
    if any(arg.star for arg in args):
        return None  # *args or **kwargs may hold it already, or shift the positions
    positional = [i for i, arg in enumerate(args) if arg.keyword is None]
    if fix.position is not None and fix.position < len(positional):
        i = positional[fix.position]
        args[i] = args[i].with_changes(value=value)
        return node.with_changes(args=args)
    keywords = [arg for arg in args if arg.keyword is not None]
    # `name=value` spelled as the call's other keywords are (`k = v` or `k=v`)
    equal = keywords[0].equal if keywords else cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    added = cst.Arg(value=value, keyword=cst.Name(fix.name), equal=equal)
    if not args:
        return node.with_changes(args=[added])
    last = args[-1]
    separator = _separator(node)
    between = cst.Comma(whitespace_after=separator)
    closing = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else \
        last.whitespace_after_arg
    if isinstance(separator, cst.ParenthesizedWhitespace) and \
            isinstance(closing, cst.ParenthesizedWhitespace):
        # one argument per line: a comment on the last one's line stays there, and the new
        # line takes what led to `)` (comment lines, the paren's indent)
        args[-1] = last.with_changes(
            comma=cst.Comma(whitespace_after=closing.with_changes(
                empty_lines=[], indent=separator.indent, last_line=separator.last_line)),
            whitespace_after_arg=cst.SimpleWhitespace(""))
        to_paren = cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(newline=closing.first_line.newline),
            empty_lines=closing.empty_lines, indent=closing.indent, last_line=closing.last_line)
        added = added.with_changes(comma=last.comma.with_changes(whitespace_after=to_paren)) \
            if isinstance(last.comma, cst.Comma) else added.with_changes(
                whitespace_after_arg=to_paren)
    elif isinstance(last.comma, cst.Comma):
        # a trailing comma stays trailing: the new last argument takes it and what follows it
        args[-1] = last.with_changes(comma=between)
        added = added.with_changes(comma=last.comma)
    else:
        # what stood between the last argument and `)` (a comment, a line break) follows the
        # new one
        args[-1] = last.with_changes(comma=between, whitespace_after_arg=cst.SimpleWhitespace(""))
        added = added.with_changes(whitespace_after_arg=last.whitespace_after_arg)
    return node.with_changes(args=[*args, added])


def _wrap(tree: FixTree, node: cst.CSTNode, fix: Fix) -> cst.CSTNode | None:
    """`expr` → `name(expr)`. A tuple keeps (or gets) its own parentheses inside the call; any
    other expression's parentheses go around the call."""
    if not isinstance(node, cst.BaseExpression):
        return None
    func = _expression(fix.name)
    if func is None:
        return None
    if isinstance(node, cst.Tuple):
        inner = node if node.lpar else node.with_changes(lpar=[cst.LeftParen()],
                                                         rpar=[cst.RightParen()])
        return cst.Call(func=func, args=[cst.Arg(value=inner)])
    if isinstance(node, cst.GeneratorExp):
        return cst.Call(func=func, args=[cst.Arg(value=node)])
    return cst.Call(func=func, args=[cst.Arg(value=node.with_changes(lpar=[], rpar=[]))],
                    lpar=node.lpar, rpar=node.rpar)


def _make_explicit(tree: FixTree, node: cst.CSTNode, fix: Fix) -> cst.CSTNode | None:
    """`nn.LazyConv2d(16, 3)` → `nn.Conv2d(3, 16, 3)`: only the callee's last name changes,
    and the input size comes first."""
    if not isinstance(node, cst.Call) or any(arg.star for arg in node.args):
        return None
    eager = fix.name.rsplit(".", 1)[-1]
    func = node.func
    if isinstance(func, cst.Attribute):
        if func.attr.value != "Lazy" + eager:
            return None
        func = func.with_changes(attr=cst.Name(eager))
    elif isinstance(func, cst.Name):
        # a bare name is right only where the file imports the eager class from the same module
        source = tree.imported.get(func.value)
        if func.value != "Lazy" + eager or source is None or tree.imported.get(eager) != source:
            return None
        func = func.with_changes(value=eager)
    else:
        return None
    value = _expression(fix.value)
    if value is None:
        return None
    first = cst.Arg(value=value)
    if node.args:
        first = first.with_changes(comma=cst.Comma(whitespace_after=_separator(node)))
    return node.with_changes(func=func, args=[first, *node.args])


_REWRITES: dict[str, Rewrite] = {
    "set-argument": _set_argument,
    "wrap": _wrap,
    "make-explicit": _make_explicit,
}


# helpers --------------------------------------------------------------------------------------
def _expression(text: str) -> cst.BaseExpression | None:
    try:
        return cst.parse_expression(text)
    except (cst.ParserSyntaxError, ValueError):
        return None


def _separator(call: cst.Call) -> cst.BaseParenthesizableWhitespace:
    """What goes after a new comma between two arguments: what the call's own commas have
    (a space, or a line break and the arguments' indent), without their comments."""
    for arg in call.args[:-1]:
        if isinstance(arg.comma, cst.Comma):
            return _without_comments(arg.comma.whitespace_after)
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        return _without_comments(call.whitespace_before_args)  # one argument per line
    return cst.SimpleWhitespace(" ")


def _without_comments(space: cst.BaseParenthesizableWhitespace
                      ) -> cst.BaseParenthesizableWhitespace:
    if isinstance(space, cst.ParenthesizedWhitespace):
        return space.with_changes(first_line=cst.TrailingWhitespace(newline=space.first_line.newline),
                                  empty_lines=[])
    return space


def _imported_names(module: ast.Module) -> dict[str, str]:
    """Each name a module-level `from M import N` binds as itself → M."""
    found: dict[str, str] = {}
    for statement in module.body:
        if isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            for alias in statement.names:
                if alias.asname is None and alias.name != "*":
                    found[alias.name] = statement.module
    return found
