"""One open document: its blocks, which of them an edit reaches, and their last results.

An edit re-parses only the blocks whose text changed. The blocks whose results may depend on
them (they read a name a changed block binds, or a changed block calls a function they define,
and so on transitively) become stale; only those are analysed again, together with the blocks
they read from. Every other block keeps its results, moved to its new lines. A stale block never
shows its old results: it is analysed before it answers.

Knows nothing of LSP: the server feeds it text and asks it for results by line.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from paramlens.editor.blocks import (
    IRRELEVANT_IMPORT,
    Block,
    ParsedBlock,
    parse_block,
    parse_merged,
    parses_cleanly,
    split_lines,
    starts_block,
)
from paramlens.engine.analysis import analyze_part
from paramlens.engine.interpreter import CallRecord
from paramlens.engine.positions import LineIndex
from paramlens.engine.results import Diagnostic, LayerResult, ModelTotal

MAX_CHARACTERS = 5_000_000  # beyond this a "Python" file is generated data, not model code


_LINE_MENTION = re.compile(r"\bline (\d+)")


@dataclass
class Layout:
    """Where the blocks were when an analysis ran. Results name lines of other blocks ("the call
    on line 15"); when those blocks move, the words must move with them."""

    starts: list[int]
    blocks: list[Block]

    def moved(self) -> bool:
        return any(b.start != s for s, b in zip(self.starts, self.blocks, strict=True))

    def now(self, line: int) -> int:
        k = bisect.bisect_right(self.starts, line) - 1
        return line + self.blocks[k].start - self.starts[k] if k >= 0 else line

    def rewrite(self, text: str) -> str:
        return _LINE_MENTION.sub(lambda m: f"line {self.now(int(m.group(1)))}", text)


@dataclass
class BlockResults:
    layers: list[LayerResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    models: list[ModelTotal] = field(default_factory=list)
    layout: Layout | None = None

    def moved(self, lines: int, layout_moved: bool | None = None) -> BlockResults:
        """At the block's new lines, with mentions of other blocks' lines brought up to date.
        `layout_moved`: whether the layout moved, when the caller already knows (every block of
        an analysis shares one layout: asking each of them again costs the file's size each)."""
        if layout_moved is None:
            layout_moved = self.layout is not None and self.layout.moved()
        rewrite = self.layout.rewrite if self.layout is not None and layout_moved else None
        if lines == 0 and rewrite is None:
            return self

        def words(text: str) -> str:
            return rewrite(text) if rewrite else text

        return BlockResults(
            [dataclasses.replace(r, span=r.span.shifted(lines), name_span=r.name_span.shifted(lines),
                                 in_channels_from=words(r.in_channels_from),
                                 assumptions=tuple(words(a) for a in r.assumptions),
                                 unknowns=tuple(words(u) for u in r.unknowns))
             for r in self.layers],
            [dataclasses.replace(d, span=d.span.shifted(lines), message=words(d.message),
                                 fix=d.fix and dataclasses.replace(
                                     d.fix, target=d.fix.target.shifted(lines)))
             for d in self.diagnostics],
            [dataclasses.replace(m, span=m.span.shifted(lines),
                                 layer_lines=tuple(self.layout.now(n) if self.layout else n + lines
                                                   for n in m.layer_lines))
             for m in self.models])


@dataclass
class AnalysisRun:
    """What one analysis did, for logs and benchmarks."""

    analysed_blocks: int
    stale_blocks: int
    total_blocks: int
    walked_blocks: int = 0


class Document:
    def __init__(self, uri: str, text: str, version: int | None = None) -> None:
        self.uri = uri
        self.version = version
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.error: str | None = None
        self.failure: str | None = None  # set when the analysis itself failed (a bug of ours)
        self.update(text, version)

    # editing -----------------------------------------------------------------------------------
    def update(self, text: str, version: int | None = None) -> None:
        """Take the document's new full text; re-split and re-parse only where it changed."""
        self.version = version
        if len(text) > MAX_CHARACTERS:
            self.error = f"too large to analyse ({len(text):,} characters)"
            self.blocks, self.lines = [], []
            return
        self.error = None
        old_lines, old_blocks = self.lines, self.blocks
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        head, middle, tail, bounds = self._changed_region(old_lines, old_blocks)
        old_by_text: dict[str, list[Block]] = {}
        for block in middle:
            if not block.parsed.broken:  # a broken one is looked at again, with its neighbours
                old_by_text.setdefault(block.text, []).append(block)
        new_blocks: list[Block] = []
        changed_parses: list[ParsedBlock] = []
        k = 0
        while k < len(bounds):
            first, count = bounds[k]
            text_k = "\n".join(self.lines[first:first + count])
            reused = old_by_text.get(text_k)
            if reused:
                block = reused.pop(0)
                block.start = first + 1
                new_blocks.append(block)
                k += 1
                continue
            parsed = parse_block(text_k)
            if parsed.statements is None or parsed.repaired_lines:
                merged = self._merge_fragments(bounds, k)
                if merged is not None:
                    taken, parsed = merged
                    count = sum(c for _, c in bounds[k:k + taken])
                    text_k = "\n".join(self.lines[first:first + count])
                    k += taken - 1
            new_blocks.append(Block(first + 1, text_k, count, parsed))
            changed_parses.append(parsed)
            k += 1
        delta = len(self.lines) - len(old_lines)
        for block in tail:
            block.start += delta
        gone = [b.parsed for group in old_by_text.values() for b in group]
        gone += [b.parsed for b in middle if b.parsed.broken]
        self.blocks = head + new_blocks + tail
        self._mark_stale(changed_parses, gone)
        if any(b.parsed.broken and _may_hold_a_cut_string(b.text) for b in self.blocks) and \
                parses_cleanly(text):
            # The line heuristics cut inside a string that the whole file closes (they keep a
            # string being typed from swallowing the file): split where Python does. (Only a
            # broken block with an unclosed triple quote or a backslash-continued line can have
            # been cut so; any other is the edit's own breakage, and parsing the whole file to
            # learn that costs tens of milliseconds on a long file at every keystroke.)
            self._split_as_python(text)

    def _split_as_python(self, text: str) -> None:
        starts = {0}
        for stmt in ast.parse(text).body:
            decorators = getattr(stmt, "decorator_list", None)
            starts.add((decorators[0].lineno if decorators else stmt.lineno) - 1)
        ordered = sorted(starts)
        old_by_text = {b.text: b for b in self.blocks}
        blocks: list[Block] = []
        changed: list[ParsedBlock] = []
        for first, end in pairwise([*ordered, len(self.lines)]):
            text_k = "\n".join(self.lines[first:end])
            block = old_by_text.pop(text_k, None)
            if block is None:
                block = Block(first + 1, text_k, end - first, parse_block(text_k))
                changed.append(block.parsed)
            block.start = first + 1
            blocks.append(block)
        self.blocks = blocks
        self._mark_stale(changed, [b.parsed for b in old_by_text.values()])

    def _changed_region(self, old_lines: list[str], old_blocks: list[Block]
                        ) -> tuple[list[Block], list[Block], list[Block], list[tuple[int, int]]]:
        """(blocks before the edit, blocks it touched, blocks after it, the new bounds between):
        the unchanged lines at both ends keep their blocks without being looked at again."""
        new_lines = self.lines
        same_start = _common_prefix(old_lines, new_lines)
        same_end = _common_prefix(old_lines[::-1], new_lines[::-1])
        same_end = min(same_end, len(old_lines) - same_start, len(new_lines) - same_start)
        head = [b for b in old_blocks if b.end <= same_start]
        tail = [b for b in old_blocks if b.start - 1 >= len(old_lines) - same_end]
        delta = len(new_lines) - len(old_lines)
        # A block that did not parse on its own may be a fragment of its neighbour's statement.
        while head and head[-1].parsed.broken:
            head = head[:-1]
        while tail and tail[0].parsed.broken:
            tail = tail[1:]
        while True:
            first = head[-1].end if head else 0
            last = tail[0].start - 1 + delta if tail else len(new_lines)
            if first < len(new_lines) and not starts_block(new_lines[first]) and head:
                head = head[:-1]  # the edit continues the block above: look at it again
                continue
            bounds, clean = split_lines(new_lines, first, last)
            if clean or not tail:
                break
            tail = []  # an open string or decorator reaches past the edit: split to the end
        middle = old_blocks[len(head):len(old_blocks) - len(tail)]
        return head, middle, tail, bounds

    def _merge_fragments(self, bounds: list[tuple[int, int]], k: int
                         ) -> tuple[int, ParsedBlock] | None:
        """A failing block followed by another failing one, or ending in an open bracket, may be
        one statement split at a line that starts in column 0."""
        texts = ["\n".join(self.lines[first:first + count]) for first, count in bounds[k:k + 8]]
        if len(texts) < 2:
            return None
        ends_open = texts[0].rstrip().endswith(("(", "[", "{", ",", "\\"))
        if not ends_open and parses_cleanly(texts[1]):
            return None
        return parse_merged(texts)

    def _name_index(self) -> tuple[dict[str, list[Block]], dict[str, list[Block]]]:
        """For each name: the blocks binding it, and the blocks reading it."""
        binders: dict[str, list[Block]] = {}
        readers: dict[str, list[Block]] = {}
        for block in self.blocks:
            for name in block.parsed.bound:
                binders.setdefault(name, []).append(block)
            for name in block.parsed.read:
                readers.setdefault(name, []).append(block)
        return binders, readers

    def _mark_stale(self, changed: list[ParsedBlock], gone: list[ParsedBlock]) -> None:
        """Every block whose results an edit may alter, transitively. An edit reaches the readers
        of a name only when what they can see of it changed: a def whose body changed but whose
        signature did not leaves its callers' results alone."""
        binders, readers = self._name_index()
        reached: set[int] = {id(p) for p in changed}
        for block in self.blocks:
            if id(block.parsed) in reached:
                block.stale = True
        before, after = _signatures(gone), _signatures(changed)
        queue = [(p, _changed_names(p, before, after, readers)) for p in [*changed, *gone]]
        while queue:
            parsed, names = queue.pop()
            targets = [b for name in names for b in readers.get(name, [])]
            # It may call functions defined elsewhere with other arguments than before.
            targets += [b for name in parsed.read for b in binders.get(name, [])
                        if name in b.parsed.fed_by_callers]
            for block in targets:
                if id(block.parsed) not in reached:
                    reached.add(id(block.parsed))
                    block.stale = True
                    # Its text is the same: only the values it binds by assignment may differ.
                    queue.append((block.parsed, {n for n, sig in block.parsed.interface.items()
                                                 if sig is None}))

    # analysing ---------------------------------------------------------------------------------
    def analyse(self, wanted: list[Block] | None = None) -> AnalysisRun:
        """Bring the stale blocks among `wanted` (default: all) up to date. Only their functions
        are walked, and those of callers whose earlier calls cannot be reused (stale or moved);
        other blocks are there for the names they bind, and callers' earlier calls stand in for
        walking them again. Other stale blocks stay stale until asked for."""
        stale = [b for b in (self.blocks if wanted is None else wanted) if b.stale]
        if not stale:
            return AnalysisRun(0, 0, len(self.blocks))
        walked, lending, needed = self._with_dependencies(stale)
        in_order = [b for b in self.blocks if id(b) in needed]
        statements = [s for b in in_order for s in b.absolute_statements()]
        focus = [s for b in in_order if id(b) in walked for s in b.absolute_statements()]
        known = [c for b in lending for c in (b.calls or [])]
        escaping = frozenset(n for b in lending if id(b) not in needed for n in b.parsed.escaping)
        report, calls = analyze_part(statements, LineIndex.from_lines(self.lines), self.uri,
                                     focus, known, escaping)
        layout = Layout([b.start for b in self.blocks], list(self.blocks))
        fresh = {id(b): BlockResults(layout=layout) for b in self.blocks if id(b) in walked}
        starts = [b.start for b in self.blocks]
        for kind, values in (("layers", report.layers), ("diagnostics", report.diagnostics),
                             ("models", report.models)):
            for value in values:
                block = self.blocks[bisect.bisect_right(starts, value.span.line) - 1]
                if id(block) in fresh:
                    getattr(fresh[id(block)], kind).append(value)
        made: dict[int, list[CallRecord]] = {id(b): [] for b in in_order if id(b) in walked}
        for call in calls:
            block = self.blocks[bisect.bisect_right(starts, call.line) - 1]
            if id(block) in made:
                made[id(block)].append(call)
        for block in in_order:
            if id(block) in made:
                block.calls, block.calls_start = made[id(block)], block.start
        for block in self.blocks:
            if id(block) in fresh:  # every walked block's results are now those of the whole file
                block.results = fresh[id(block)]
                block.results_start = block.start
                block.stale = False
        self.failure = None
        return AnalysisRun(len(needed), len(stale), len(self.blocks), len(walked))

    def give_up(self, message: str) -> None:
        """After a failed analysis: show nothing for the stale blocks rather than retry forever."""
        for block in self.blocks:
            if block.stale:
                block.results, block.results_start, block.stale = BlockResults(), block.start, False
        self.failure = message

    def _with_dependencies(self, stale: list[Block]) -> tuple[set[int], list[Block], set[int]]:
        """(blocks whose functions are walked, callers lending their recorded calls, every block
        the analysis sees).

        A stale block's parameters come from its callers' calls: a caller that has not moved
        since it was last walked lends its recorded calls; one that has is walked again, and so
        are its own callers, by the same rule. The blocks binding the names these read are seen
        too, and so are what those read in turn when their values come from assignments."""
        binders, readers = self._name_index()
        walked: dict[int, Block] = {}
        lending: dict[int, Block] = {}
        queue = list(stale)
        while queue:
            block = queue.pop()
            if id(block) in walked:
                continue
            walked[id(block)] = block
            for caller in (b for name in block.parsed.fed_by_callers for b in readers.get(name, [])):
                if caller.stale or caller.calls is None or caller.calls_start != caller.start:
                    queue.append(caller)
                else:
                    lending[id(caller)] = caller
        lenders = [b for k, b in lending.items() if k not in walked]
        # Module code among the callers runs again (its calls are not recorded); a caller that
        # only defines things is left out, its recorded calls and escaping names standing in.
        seen = list(walked.values()) + [b for b in lenders if not b.parsed.only_definitions]
        providers = [b for c in seen for name in c.parsed.read for b in binders.get(name, [])]
        providers += [b for b in self.blocks if b.parsed.binds_everything]
        needed = {id(b) for b in seen}
        while providers:
            block = providers.pop()
            if id(block) in needed:
                continue
            needed.add(id(block))
            if not block.parsed.only_definitions:
                providers += [b for name in block.parsed.read for b in binders.get(name, [])]
        return set(walked), lenders, needed

    def statements(self) -> list:
        """Every block's statements in order, at the document's lines: the file as one tree."""
        return [s for block in self.blocks for s in block.absolute_statements()]

    # answering ---------------------------------------------------------------------------------
    def block_at(self, line: int) -> Block | None:
        """The block holding a 1-based line."""
        if not self.blocks or line < 1:
            return None
        index = bisect.bisect_right([b.start for b in self.blocks], line) - 1
        block = self.blocks[index]
        return block if block.start <= line <= block.end else None

    def blocks_between(self, first: int, last: int) -> list[Block]:
        return [b for b in self.blocks if b.end >= first and b.start <= last]

    def results_of(self, block: Block, moved: dict[int, bool] | None = None) -> BlockResults:
        """Fresh results of a block that is not stale, at its current lines. `moved` remembers,
        across calls, which layouts moved."""
        results = block.results if isinstance(block.results, BlockResults) else BlockResults()
        layout_moved = None
        if moved is not None and results.layout is not None:
            layout_moved = moved.get(id(results.layout))
            if layout_moved is None:
                layout_moved = moved[id(results.layout)] = results.layout.moved()
        return results.moved(block.start - block.results_start, layout_moved)

    def all_results(self, blocks: Iterable[Block] | None = None) -> BlockResults:
        merged = BlockResults()
        moved: dict[int, bool] = {}
        for block in self.blocks if blocks is None else blocks:
            part = self.results_of(block, moved)
            merged.layers += part.layers
            merged.diagnostics += part.diagnostics
            merged.models += part.models
        return merged

    def unread_lines(self) -> list[tuple[int, int, str]]:
        """(first, last line, why) for what the analysis could not read: whole blocks that do not
        parse, and the single lines replaced to let the rest of their block parse."""
        found = []
        for block in self.blocks:
            if block.parsed.statements is None:
                found.append((block.start, block.end, block.parsed.error or "does not parse"))
            for line in block.parsed.repaired_lines:
                found.append((block.start + line - 1, block.start + line - 1, "does not parse"))
            for line in block.parsed.deep_lines:
                found.append((block.start + line - 1, block.start + line - 1,
                              "nested too deeply to analyse"))
        return found


def _signatures(parses: list[ParsedBlock]) -> dict[str, list[str | None]]:
    """For each name the blocks bind, what readers can see of each binding, sorted. Made once
    per edit: looking each name up in every block instead costs the square of an opened file."""
    found: dict[str, list[str | None]] = {}
    for parsed in parses:
        for name in parsed.bound:
            seen = parsed.interface.get(name)
            if seen != IRRELEVANT_IMPORT:
                found.setdefault(name, []).append(seen)
    for seen in found.values():
        seen.sort(key=str)
    return found


def _changed_names(parsed: ParsedBlock, before: dict[str, list[str | None]],
                   after: dict[str, list[str | None]], readers: dict[str, list[Block]]
                   ) -> set[str]:
    """The names of an edited block whose visible meaning differs between before and after."""
    if parsed.binds_everything:
        return set(readers)
    names: set[str] = set()
    for name in parsed.bound:
        old, new = before.get(name, []), after.get(name, [])
        if old != new or None in old or None in new:
            names.add(name)
    return names


def _common_prefix(a: list[str], b: list[str]) -> int:
    """How many leading lines two texts share (compared in slices, at C speed)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _may_hold_a_cut_string(text: str) -> bool:
    """A block the line heuristics may have cut inside a string: only a string that spans lines
    can be cut (a triple-quoted one, or one continued by a backslash), and a block cut inside a
    triple-quoted one holds an odd number of its quotes (the opening, or the closing one)."""
    return text.count('"""') % 2 == 1 or text.count("'''") % 2 == 1 or "\\\n" in text
