"""Text → top-level blocks, each parsed on its own, with the names it binds and reads.

A block is one top-level statement with everything indented under it (decorators, `else:` arms,
comments). Parsing blocks one by one means an edit re-parses only the block it touched, and a
block that does not parse leaves every other block intact.

A block that does not parse while someone types is repaired line by line: a broken line becomes
`<its assignment targets> = __unfinished__` (or `pass`), so the names it may bind become unknown
rather than keeping an older value. The rest of the block is analysed as written.
"""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass, field

from paramlens.engine.facts import escaping_names
from paramlens.engine.nodes import all_nodes
from paramlens.engine.parse import parse_quietly

UNFINISHED = "__unfinished__"
# An import from a module outside these names no layer, so the analysis reads it exactly as if the
# name were not bound at all; editing one cannot change another block's results.
IRRELEVANT_IMPORT = "import (names no layer)"
_LAYER_ROOTS = ("torch", "keras", "tf_keras", "tensorflow", "tf", "functools")
_MAX_REPAIRS = 24
_MAX_MERGES = 8
_MAX_REPAIR_CHARACTERS = 40_000  # repairing re-parses the block; beyond this it costs too much
# Deeper trees than this (`1 + 1 + ... + 1` a thousand times) would exhaust Python's recursion in
# the analysis, which walks trees recursively; such a statement is set aside (`_shallow`).
MAX_DEPTH = 120
_STRONG_START = re.compile(r"(?:async\s+def|def|class|import|from)\s|@|if __name__")
_CONTINUATION = re.compile(r"(else|elif|except|finally)\b|[)\]}\\]")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*")
_ASSIGNMENT = re.compile(r"(?<![=!<>:+\-*/%&|^@])=(?!=)")
_BINDING_KEYWORD = re.compile(r"\b(?:for|as|def|class|import|global|nonlocal)\s+([\w\s,.]+)")


@dataclass
class ParsedBlock:
    """What one block's text gives, independent of where the block sits in the document."""

    statements: list[ast.stmt] | None  # line numbers relative to the block (first line is 1)
    error: str | None  # why it does not parse, when even the repairs failed
    repaired_lines: tuple[int, ...] = ()  # 1-based lines within the block, replaced to parse
    # 1-based lines within the block whose statement is nested too deeply to analyse: replaced,
    # as a broken line is, so that the rest of the block (and of the file) still is
    deep_lines: tuple[int, ...] = ()
    bound: frozenset[str] = frozenset()  # module-level names the block binds
    defined: frozenset[str] = frozenset()  # the subset bound by `def`/`class` (callers feed them)
    # The defined names whose parameters the file's calls can set: a decorator other than
    # staticmethod/classmethod hands the function to code we cannot see.
    fed_by_callers: frozenset[str] = frozenset()
    read: frozenset[str] = frozenset()  # every name it reads, at any depth
    binds_everything: bool = False  # `from x import *`
    escaping: frozenset[str] = frozenset()  # names it reads other than to call them
    # What readers of each bound name can see of it: the import path, or a def's signature, or a
    # class without its method bodies. None: a value only the analysis knows (an assignment).
    interface: dict[str, str | None] = field(default_factory=dict)

    @property
    def broken(self) -> bool:
        return self.statements is None or bool(self.repaired_lines)

    @property
    def only_definitions(self) -> bool:
        return all(v is not None for v in self.interface.values())


@dataclass
class Block:
    start: int  # 1-based first line in the current document
    text: str
    line_count: int
    parsed: ParsedBlock
    tree_start: int = 1  # the line the tree's line numbers currently count from
    results: object = None  # the analysis results owned by the document, with results_start
    results_start: int = 0
    stale: bool = True
    # What this block's function bodies called, when they were last walked, and where the block
    # was then (the records name lines, so they are reused only while the block has not moved).
    calls: list | None = None
    calls_start: int = 0

    @property
    def end(self) -> int:
        return self.start + self.line_count - 1

    def absolute_statements(self) -> list[ast.stmt]:
        """The block's statements with document line numbers (shifted in place, only when moved)."""
        statements = self.parsed.statements or []
        if self.tree_start != self.start:
            delta = self.start - self.tree_start
            for statement in statements:
                ast.increment_lineno(statement, delta)
            self.tree_start = self.start
        return statements


# splitting -------------------------------------------------------------------------------------
def split_lines(lines: list[str], first: int = 0, last: int | None = None
                ) -> tuple[list[tuple[int, int]], bool]:
    """(first line index, line count) of each block between two line indexes, and whether the
    text after them starts clean (no string, backslash or decorator left open), so that blocks
    found there before still start where they did. Cheap: one look at each line's start."""
    last = len(lines) if last is None else last
    starts: list[int] = []
    in_string: str | None = None
    after_decorator = False
    continued = False
    for i in range(first, last):
        line = lines[i]
        if in_string is not None and _STRONG_START.match(line):
            in_string = None  # a string being typed, still open: do not let it swallow the file
        opens_here = in_string is None
        if in_string is None and line and not line[0].isspace() and line[0] != "#" and \
                not continued and not _CONTINUATION.match(line):
            if not after_decorator or not starts:
                starts.append(i)
            after_decorator = line.startswith("@")
        in_string = _string_state(line, in_string)
        continued = line.rstrip().endswith("\\") and opens_here
    if not starts or starts[0] != first:
        starts.insert(0, first)
    bounds = starts + [last]
    clean = in_string is None and not continued and not after_decorator
    return [(bounds[k], bounds[k + 1] - bounds[k]) for k in range(len(starts))
            if bounds[k + 1] > bounds[k]], clean


def starts_block(line: str) -> bool:
    return bool(line) and not line[0].isspace() and line[0] != "#" and \
        not _CONTINUATION.match(line)


def _string_state(line: str, in_string: str | None) -> str | None:
    """Whether a triple-quoted string is still open after this line (quotes in comments aside)."""
    if '"""' not in line and "'''" not in line:
        return in_string
    position = 0
    while True:
        if in_string is None:
            found = [(line.find(q, position), q) for q in ('"""', "'''")]
            found = [(i, q) for i, q in found if i >= 0]
            hash_at = line.find("#", position)
            if not found:
                return None
            index, quote = min(found)
            if 0 <= hash_at < index:
                return None
            in_string, position = quote, index + 3
        else:
            index = line.find(in_string, position)
            if index < 0:
                return in_string
            in_string, position = None, index + 3


# parsing ---------------------------------------------------------------------------------------
def parse_block(text: str) -> ParsedBlock:
    statements, error = _parse(text)
    repaired: list[int] = []
    if statements is None and len(text) <= _MAX_REPAIR_CHARACTERS:
        statements, repaired = _repair(text)
    if statements is None:
        return ParsedBlock(None, error)
    return _with_names(statements, tuple(repaired))


def parses_cleanly(text: str) -> bool:
    return _parse(text)[0] is not None


def parse_merged(texts: list[str]) -> tuple[int, ParsedBlock] | None:
    """Blocks that do not parse alone may be fragments of one statement (a bracket opened at
    column 0): join a failing block with the failing blocks after it until they parse."""
    for count in range(2, min(len(texts), _MAX_MERGES) + 1):
        statements, _ = _parse("\n".join(texts[:count]))
        if statements is not None:
            return count, _with_names(statements, ())
    return None


def _parse(text: str) -> tuple[list[ast.stmt] | None, str | None]:
    try:
        # A block is its lines without the file's last newline: a backslash on its last line
        # that continues onto a blank one (valid in the file) needs that newline back.
        return parse_quietly(text + "\n" if text.endswith("\\\n") else text), None
    except SyntaxError as error:
        return None, f"line {error.lineno}: {error.msg}"
    except (ValueError, UnicodeError, RecursionError, MemoryError, OverflowError) as error:
        return None, f"cannot be parsed: {type(error).__name__}"


def _repair(text: str) -> tuple[list[ast.stmt] | None, list[int]]:
    lines = text.split("\n")
    repaired: list[int] = []
    last_line = -1
    attempt_on_line = 0
    for _ in range(_MAX_REPAIRS):
        try:
            return parse_quietly("\n".join(lines)), repaired
        except SyntaxError as error:
            line = min(max((error.lineno or len(lines)) - 1, 0), len(lines) - 1)
            if not lines[line].strip():
                line = _previous_code_line(lines, line)
        except (ValueError, UnicodeError, RecursionError, MemoryError, OverflowError):
            return None, repaired
        attempt_on_line = attempt_on_line + 1 if line == last_line else 0
        if attempt_on_line > 2 or line < 0:
            return None, repaired
        last_line = line
        lines[line] = _stand_in(lines, line, repaired, attempt_on_line)
        if line + 1 not in repaired:
            repaired.append(line + 1)
    return None, repaired


def _previous_code_line(lines: list[str], line: int) -> int:
    for k in range(line, -1, -1):
        if lines[k].strip() and not lines[k].lstrip().startswith("#"):
            return k
    return -1


def _stand_in(lines: list[str], line: int, repaired: list[int], attempt: int) -> str:
    """A statement that binds what the broken line may bind to an unknown value."""
    original = lines[line]
    indent = original[:len(original) - len(original.lstrip())]
    if attempt > 0:
        previous = _previous_code_line(lines, line - 1)
        above = lines[previous] if previous >= 0 else ""
        indent = above[:len(above) - len(above.lstrip())] + ("    " if attempt == 2 else "")
    targets = _possible_targets(original)
    if not targets:
        return indent + "pass"
    return indent + " = ".join([*targets, UNFINISHED])


def _possible_targets(line: str) -> list[str]:
    code = line.split("#", 1)[0]
    names: list[str] = []
    match = _ASSIGNMENT.search(code)
    left = code[:match.start()] if match else ""
    if match and left.count("(") + left.count("[") <= left.count(")") + left.count("]"):
        names += _IDENTIFIER.findall(left)  # not `f(a, key=`: that `=` names an argument
    for group in _BINDING_KEYWORD.findall(code):
        names += _IDENTIFIER.findall(group)
    targets: list[str] = []
    for name in names:
        name = re.sub(r"\s+", "", name)
        if "." in name and not name.startswith("self."):
            continue
        if keyword.iskeyword(name) or name in ("self", "True", "False", "None") or name in targets:
            continue
        targets.append(name)
    return targets


# names -----------------------------------------------------------------------------------------
def _with_names(statements: list[ast.stmt], repaired: tuple[int, ...]) -> ParsedBlock:
    deep: list[int] = []
    statements = _shallow(statements, deep)
    bound: set[str] = set()
    defined: set[str] = set()
    read: set[str] = set()
    rebound: set[str] = set()
    star = False
    for statement in statements:
        star |= _module_bindings(statement, bound, defined)
        for node in all_nodes(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                read.add(node.id)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                rebound.update(node.names)
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and node is not statement:
                # The import table is the file's, wherever the import sits (names.py).
                rebound.update(a.asname or a.name.split(".")[0] for a in node.names
                               if a.name != "*")
    fed = {s.name for s in statements if isinstance(s, ast.ClassDef) or
           isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and
           all(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod")
               for d in s.decorator_list)}
    interface: dict[str, str | None] = {name: None for name in bound | rebound}
    if len(statements) == 1:
        interface.update(_interface(statements[0]))
        interface.update({name: None for name in rebound})
    return ParsedBlock(statements, None, repaired, tuple(sorted(set(deep))),
                       frozenset(bound | rebound), frozenset(defined),
                       frozenset(fed | (defined - {getattr(s, "name", "") for s in statements})),
                       frozenset(read), star, frozenset(escaping_names(statements)), interface)


def _interface(statement: ast.stmt) -> dict[str, str | None]:
    """What other blocks can observe of a definition without running it."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        prefix = f"{'.' * statement.level}{statement.module}." \
            if isinstance(statement, ast.ImportFrom) else ""
        return {alias.asname or alias.name.split(".")[0]: f"import {prefix}{alias.name}"
                if f"{prefix}{alias.name}".split(".")[0] in _LAYER_ROOTS else IRRELEVANT_IMPORT
                for alias in statement.names}
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return {statement.name: _header(statement)}
    if isinstance(statement, ast.ClassDef):
        header = [ast.dump(b) for b in (*statement.bases, *statement.keywords,
                                        *statement.decorator_list)]
        body = [_header(s) if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                else ast.dump(s) for s in statement.body]
        return {statement.name: "class " + "|".join(header + body)}
    return {}


def _header(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    return "def " + "|".join([node.name, ast.dump(node.args),
                              *(ast.dump(d) for d in node.decorator_list)])


def _module_bindings(node: ast.AST, bound: set[str], defined: set[str]) -> bool:
    """Names bound at module level: not inside function or class bodies. Iterative: a statement
    may nest deeper than Python's recursion allows."""
    star = False
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            defined.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    star = True
                else:
                    bound.add(alias.asname or alias.name.split(".")[0])
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                               ast.GeneratorExp)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return star


# depth -----------------------------------------------------------------------------------------
_BODIES = ("body", "orelse", "finalbody")


def _shallow(statements: list[ast.stmt], deep: list[int]) -> list[ast.stmt]:
    """The statements, each one deeper than MAX_DEPTH replaced by a stand-in binding what it
    binds to an unknown value (its line goes into `deep`). A compound statement that is deep only
    through its body keeps its header; its body's statements are looked at in turn."""
    shallow: list[ast.stmt] = []
    for statement in statements:
        if len(all_nodes(statement)) < MAX_DEPTH or _height(statement) <= MAX_DEPTH:
            shallow.append(statement)
            continue
        bodies = [b for b in [*(getattr(statement, name, None) for name in _BODIES),
                              *(h.body for h in getattr(statement, "handlers", [])),
                              *(c.body for c in getattr(statement, "cases", []))]
                  if isinstance(b, list) and b]
        inner = {id(s) for body in bodies for s in body}
        head = [c for c in ast.iter_child_nodes(statement) if id(c) not in inner and
                not isinstance(c, (ast.excepthandler, ast.match_case))]
        if bodies and all(_height(c) < MAX_DEPTH for c in head):
            for body in bodies:
                body[:] = _shallow(body, deep) or [ast.copy_location(ast.Pass(), body[0])]
            shallow.append(statement)
            continue
        deep.append(statement.lineno)
        shallow.append(_stand_in_for(statement))
    return shallow


def _height(node: ast.AST) -> int:
    """How many levels the tree under `node` has, counted without recursion."""
    depth = {id(node): 1}
    highest = 1
    for parent in all_nodes(node):  # breadth first: a parent before its children
        below = depth[id(parent)] + 1
        for child in ast.iter_child_nodes(parent):
            depth[id(child)] = below
            highest = max(highest, below)
    return highest


def _stand_in_for(statement: ast.stmt) -> ast.stmt:
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = [t for t in statement.targets if isinstance(t, ast.Name)]
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)) and \
            isinstance(statement.target, ast.Name):
        targets = [statement.target]
    if not targets:
        return ast.copy_location(ast.Pass(), statement)
    stand_in = ast.Assign(targets=[ast.Name(id=t.id, ctx=ast.Store())  # type: ignore[attr-defined]
                                   for t in targets],
                          value=ast.Name(id=UNFINISHED, ctx=ast.Load()))
    for node in ast.walk(stand_in):
        ast.copy_location(node, statement)
    return stand_in
