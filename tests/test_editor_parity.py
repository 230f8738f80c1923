"""The editor never disagrees with the CLI.

Every file of `examples/` and every recorded file of the shared corpus (torchvision and keras
sources, unpacked by /work/shared/corpus/score.py) is opened in the real server, with the URI of
its real path so that imports resolve next to it, and compared with
`paramlens check --format json <same path>` run from the server's working folder:

- each layer of the JSON: the inlay hint at the end of its call states the same count
  (`# 280 params`, `# ≈280 params`, `# ? params`, or `# 36,864–147,456 params` where the contexts
  hold several known counts; no hint where the count is 0 and no context knows another), and the
  hover at its start states it too (where contexts differ: their range, and each count);
- each model total: a code lens on its line with the same name and number;
- and the other way round: no hint and no lens where the CLI reports nothing.

Then seeded random edits (a blank line at the top, another number in a layer call, `x = 1`
appended, a random one-line statement deleted where the file stays valid Python) go to the
server as incremental didChange, one file at a time with the others open as on disk
(an open document's unsaved text is what the server's evaluation imports, the CLI reads the
disk); the same text is written to a copy next to the file, so that imports still resolve, and
the CLI runs on the copy. Before each comparison the test waits until the server has published
the diagnostics of that version. Every disagreement is listed, one line each.

About 35 s on two cores, nearly all of it the server and the CLI evaluating the corpus (the 35
torchvision files: ~23 s until the last is published, against a 60 s wait). The
project registers no custom markers; to leave it out: `-k "not never_disagrees"`.
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import io
import json
import os
import random
import re
import subprocess
import sys
import time
import tokenize
import zlib
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from corpus_files import CACHE, TRUTHS, recorded_corpus
from lsp_helpers import PUBLISHED, ROOT, diagnostics_for, hover_text, open_text, uri_of

SEED = 20250611
# Seconds to wait for the diagnostics of a version (the debounce is 20 ms; the server analyses the
# files one after the other, so the last of a suite opened at once waits for all the others).
SYNC_TIMEOUT = 60.0
SYNC_TIMEOUT_AGAIN = 5.0  # once a version went unpublished, the next ones wait less
SHOWN = 40  # disagreements in the failure message; stdout has all of them
# The edits, split into rounds with a comparison after each: (4,) compares once after all four;
# (1, 3) also after the first, at the cost of another evaluation of every file (~12 s).
ROUNDS = (4,)
KINDS = ("blank line at top", "number in a layer call", "x = 1 appended", "a statement deleted")

Label = tuple  # ("certain", n) | ("default", n) | ("unknown",) | ("range", lo, hi)
# ("exact", n) | ("default", n) | ("at least", n or None, k) | ("range", lo, hi, k) |
# ("raises", where or why)
Total = tuple


# the server's words ----------------------------------------------------------------------------
def number(text: str) -> int:
    return int(text.replace(",", ""))


_LABEL = re.compile(r"# (?:(?P<lo>\d[\d,]*)–(?P<hi>\d[\d,]*)|(?P<approx>≈)?(?P<n>\d[\d,]*)|(?P<q>\?))"
                    r" params")
_TITLE = re.compile(r"(?P<name>.*?): (?:(?P<n>\d[\d,]*) parameters(?P<d> if defaults hold)?|"
                    r"parameters not counted: the code raises(?: \((?P<raised>.*)\))?|"
                    r"at least (?P<least>\d[\d,]*) parameters \((?P<k>\d+) layers? unknown\)|"
                    r"(?P<lo>\d[\d,]*)–(?P<hi>\d[\d,]*) parameters \((?P<i>\d+) instances\))")
_HEADLINE = re.compile(r"\*\*(?:(?P<lo>\d[\d,]*)–(?P<hi>\d[\d,]*)|(?P<n>\d[\d,]*)|\?) parameters\*\*")


def parse_label(label: str) -> Label | None:
    """An inlay label as a value; None when it is none of the four forms."""
    m = _LABEL.fullmatch(label.strip())
    if m is None:
        return None
    if m["lo"]:
        return ("range", number(m["lo"]), number(m["hi"]))
    if m["q"]:
        return ("unknown",)
    return ("default" if m["approx"] else "certain", number(m["n"]))


def parse_title(title: str) -> tuple[str, Total] | None:
    """A code-lens title as (the model's name, its total); None when it is none of the forms."""
    m = _TITLE.fullmatch(title.strip())
    if m is None:
        return None
    if m["least"]:
        return m["name"], ("at least", number(m["least"]), int(m["k"]))
    if m["n"] is None and m["lo"] is None:
        return m["name"], ("raises", m["raised"] or "")
    if m["lo"]:
        return m["name"], ("range", number(m["lo"]), number(m["hi"]), int(m["i"]))
    return m["name"], ("default" if m["d"] else "exact", number(m["n"]))


def show_label(value: Label | None) -> str:
    if value is None:
        return "no hint"
    if value[0] == "range":
        return f"# {value[1]:,}–{value[2]:,} params"
    if value[0] == "unknown":
        return "# ? params"
    return f"# {'≈' if value[0] == 'default' else ''}{value[1]:,} params"


def show_total(name: str, value: Total) -> str:
    if value[0] == "raises":
        return f"{name}: parameters not counted: the code raises ({value[1]})"
    if value[0] == "range":
        return f"{name}: {value[1]:,}–{value[2]:,} parameters ({value[3]} instances)"
    if value[0] == "at least":
        least = "?" if value[1] is None else f"{value[1]:,}"
        unknown = f"{value[2]} layer{'s' if value[2] != 1 else ''} unknown"
        return f"{name}: at least {least} parameters ({unknown})"
    return f"{name}: {value[1]:,} parameters{' if defaults hold' if value[0] == 'default' else ''}"


# the CLI's JSON ----------------------------------------------------------------------------------
def context_counts(layer: dict) -> list[int]:
    return sorted({c["params"] for c in layer.get("contexts") or [] if c["params"] is not None})


def expected_label(layer: dict) -> Label | None:
    """The inlay label a JSON layer calls for; None: no hint (a count of 0 that no context
    contradicts; a context that leaves its count open does not)."""
    counts = context_counts(layer)
    if layer["params"] == 0 and set(counts) <= {0}:
        return None
    if len(counts) > 1:
        return ("range", counts[0], counts[-1])
    if layer["params"] is not None:
        return ("certain", layer["params"])
    if layer["params_default"] is not None:
        return ("default", layer["params_default"])
    return ("unknown",)


def hover_problems(layer: dict, shown: str | None) -> list[tuple[str, str]]:
    """(what, what the CLI says) for each way the hover text fails the JSON layer's count."""
    if shown is None:
        return [("hover", "a hover stating the count")]
    counts = context_counts(layer)
    if len(counts) > 1:
        found = []
        headline = _HEADLINE.search(shown)
        if headline is not None and headline["n"]:
            found.append(("hover", f"contexts differ ({counts[0]:,}…{counts[-1]:,}), not one count"))
        elif headline is not None and headline["lo"] and \
                (number(headline["lo"]), number(headline["hi"])) != (counts[0], counts[-1]):
            found.append(("hover", f"**{counts[0]:,}–{counts[-1]:,} parameters**"))
        # "short enough for a hover": the most frequent contexts, each one a count the CLI has
        by_context = next((p for p in shown.split("\n\n") if p.startswith("by context")), "")
        listed = [number(n) for n in re.findall(r"([\d,]+) ×", by_context)]
        invented = [n for n in listed if n not in counts]
        if invented or len(set(listed)) < min(4, len(counts)):
            found.append(("hover-contexts", f"{len(counts)} counts by context, the hover lists "
                                            f"{len(set(listed))} ({len(invented)} not the CLI's)"))
        return found
    if layer["params"] is not None:
        wanted = f"**{layer['params']:,} parameters**"
        ok = wanted in shown and f"{wanted} if defaults hold" not in shown
    elif layer["params_default"] is not None:
        wanted = f"**{layer['params_default']:,} parameters** if defaults hold"
        ok = wanted in shown
    else:
        wanted = "**? parameters**"
        ok = wanted in shown
    return [] if ok else [("hover", wanted)]


def expected_total(model: dict) -> tuple[str, Total]:
    name = f"{model['name']}()" if model.get("kind") == "builder" else model["name"]
    if model["params"] is not None:
        return name, ("exact", model["params"])
    if model["params_default"] is not None:
        return name, ("default", model["params_default"])
    if model.get("raised") is not None:
        return name, ("raises", model["raised"])
    totals = model.get("totals") or []
    if len(totals) > 1 and model["unknown_layers"] == 0:
        return name, ("range", totals[0], totals[-1], model.get("instances"))
    return name, ("at least", model.get("params_known"), model["unknown_layers"])


def total_matches(expected: Total, shown: Total) -> bool:
    if expected[0] == "at least" and shown[0] == "at least" and expected[1] is None:
        return expected[2] == shown[2]  # a report without params_known: the unknown layers only
    return expected == shown


# positions -------------------------------------------------------------------------------------
def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def lsp_position(lines: list[str], line: int, column: int) -> tuple[int, int]:
    """The JSON's 1-based line and 1-based character column → 0-based line, UTF-16 column."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return line - 1, utf16(text[:column - 1])


# one file, in the server and in the CLI ----------------------------------------------------------
@dataclass
class Doc:
    name: str  # relative to the suite's folder
    path: Path
    text: str
    rng: random.Random
    uri: str = ""
    version: int = 1
    tag: str = "v1"
    report: dict = field(default_factory=dict)  # the CLI's JSON for this text


async def cli_report(path: Path, cwd: Path, limit: asyncio.Semaphore) -> dict:
    async with limit:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "paramlens", "check", "--format", "json", str(path), cwd=cwd,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = await process.communicate()
        except asyncio.CancelledError:
            process.kill()
            await process.wait()
            raise
    try:
        (report,) = json.loads(out)["files"]
    except (json.JSONDecodeError, KeyError, ValueError):  # a crash: listed, the other files go on
        last = (err.decode(errors="replace").strip().splitlines() or ["(no output)"])[-1]
        return {"path": str(path), "error": f"no JSON report (exit {process.returncode}): {last}",
                "layers": [], "models": []}
    return report


async def cli_on_copy(doc: Doc, text: str, cwd: Path, limit: asyncio.Semaphore) -> dict:
    """The CLI on the text, written next to the file so that its imports resolve the same way."""
    copy = doc.path.with_name(f"_parity_{os.getpid()}_{zlib.crc32(text.encode())}_{doc.path.name}")
    copy.write_text(text, encoding="utf-8")
    try:
        return await cli_report(copy, cwd, limit)
    finally:
        copy.unlink(missing_ok=True)


async def editor_view(client: LanguageClient, doc: Doc) -> tuple[list, list, list[str | None]]:
    document = types.TextDocumentIdentifier(uri=doc.uri)
    lines = doc.text.split("\n")
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=document, range=types.Range(
            start=types.Position(line=0, character=0),
            end=types.Position(line=len(lines), character=0))))
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=document))
    hovers = await asyncio.gather(*(
        hover_text(client, doc.uri, *lsp_position(lines, layer["line"], layer["column"]))
        for layer in doc.report["layers"]))
    return hints or [], lenses or [], list(hovers)


def label_text(hint: types.InlayHint) -> str:
    return hint.label if isinstance(hint.label, str) else "".join(p.value for p in hint.label)


def disagreements(doc: Doc, hints: list, lenses: list, hovers: list[str | None]) -> list[str]:
    """One line per disagreement: where, what, what the CLI says, what the editor says."""
    found: list[str] = []
    lines = doc.text.split("\n")
    report = doc.report

    def say(line: int, what: str, cli: str, editor: str) -> None:
        found.append(f"{doc.name}:{line} [{doc.tag}] {what}: CLI {cli} | editor {editor}")

    if report["error"]:
        say(1, "file", repr(report["error"][:200]), "(not compared)")
        return found
    at: dict[tuple[int, int], list[str]] = {}
    for hint in hints:
        at.setdefault((hint.position.line, hint.position.character), []).append(label_text(hint))
    claimed: set[tuple[int, int]] = set()
    for layer, shown in zip(report["layers"], hovers, strict=True):
        short = layer["layer"].rsplit(".", 1)[-1]
        end = lsp_position(lines, layer["end_line"], layer["end_column"])
        claimed.add(end)
        labels = at.get(end, [])
        wanted = expected_label(layer)
        if wanted is None and labels:
            say(layer["line"], f"hint {short}", "no hint (0 params)", " / ".join(labels))
        elif wanted is not None and wanted not in [parse_label(label) for label in labels]:
            near = [label_text(h) for h in hints if layer["line"] - 1 <= h.position.line <= end[0]]
            editor = " / ".join(labels) if labels else f"no hint at {end[0] + 1}:{end[1]}" + (
                f" ({' / '.join(near)} nearby)" if near else "")
            say(layer["line"], f"hint {short}", show_label(wanted), editor)
        for what, cli in hover_problems(layer, shown):
            paragraphs = shown.split("\n\n") if shown is not None else []
            listed = [p for p in paragraphs if p.startswith("by context")]
            editor = repr((listed or paragraphs)[0][:150]) if paragraphs else "no hover"
            say(layer["line"], f"{what} {short}", cli, editor)
    for (line, character), labels in sorted(at.items()):
        if (line, character) not in claimed:
            say(line + 1, "hint", f"no layer ending at {line + 1}:{character}", " / ".join(labels))

    titles: dict[int, list[str]] = {}
    for lens in lenses:
        titles.setdefault(lens.range.start.line, []).append(lens.command.title if lens.command else "")
    model_lines = set()
    for model in report["models"]:
        row = model["line"] - 1
        model_lines.add(row)
        name, total = expected_total(model)
        shown_totals = [parse_title(t) for t in titles.get(row, [])]
        if not any(s is not None and s[0] == name and total_matches(total, s[1]) for s in shown_totals):
            say(model["line"], f"lens {name}", show_total(name, total),
                " / ".join(titles.get(row, [])) or "no lens on this line")
    for row, shown_titles in sorted(titles.items()):
        if row not in model_lines:
            say(row + 1, "lens", "no model on this line", " / ".join(shown_titles))
    return found


async def synced(client: LanguageClient, doc: Doc, timeout: float) -> list[str]:
    """Wait for the diagnostics of the document's version; a line saying so if they never come."""
    try:
        await diagnostics_for(client, doc.uri, doc.version, timeout=timeout)
    except TimeoutError:
        return [f"{doc.name}:1 [{doc.tag}] sync: CLI - | editor published no diagnostics for this "
                f"version within {timeout:.0f} s (compared anyway)"]
    return []


# edits -----------------------------------------------------------------------------------------
@dataclass
class Edit:
    line: int  # 0-based; -1: a new line at the end of the text
    column: int  # code points
    end_line: int
    end_column: int
    text: str
    words: str


@dataclass
class Round:
    """Edits sent one didChange each, then a comparison."""

    changes: list[types.TextDocumentContentChangePartial]
    text: str  # after the edits
    version: int
    tag: str


def literal_edits(text: str, report: dict, rng: random.Random) -> list[Edit]:
    """Each decimal integer literal inside a layer call, as an edit that writes another number."""
    spans = [((r["line"], r["column"] - 1), (r["end_line"], r["end_column"] - 1))
             for r in report["layers"]]
    found: list[Edit] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return found
    for token in tokens:
        if token.type != tokenize.NUMBER or not re.fullmatch(r"[1-9]\d*|0", token.string):
            continue
        if any(start <= token.start and token.end <= end for start, end in spans):
            old = int(token.string)
            new = rng.choice([n for n in (1, 2, 3, 5, 8, 16, 24, 64, 100, 256) if n != old])
            (row, column), (end_row, end_column) = token.start, token.end
            found.append(Edit(row - 1, column, end_row - 1, end_column, str(new),
                              f"{old}→{new} on line {row}"))
    return found


def applied(text: str, edit: Edit) -> tuple[str, types.TextDocumentContentChangePartial]:
    """The text after the edit, and the edit as an incremental change (UTF-16 columns)."""
    lines = text.split("\n")
    line, column, end_line, end_column, new = (edit.line, edit.column, edit.end_line,
                                               edit.end_column, edit.text)
    if line < 0:
        line = end_line = len(lines) - 1
        column = end_column = len(lines[-1])
        new = ("" if lines[-1] == "" else "\n") + new
    offsets = [0]
    for row in lines:
        offsets.append(offsets[-1] + len(row) + 1)
    change = types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=line, character=utf16(lines[line][:column])),
                          end=types.Position(line=end_line,
                                             character=utf16(lines[end_line][:end_column]))),
        text=new)
    return text[:offsets[line] + column] + new + text[offsets[end_line] + end_column:], change


def plan_rounds(doc: Doc) -> list[Round]:
    """The seeded edits, each kind once in a random order, planned on the text as opened and split
    into ROUNDS. A literal keeps its column (no other edit touches its line); it moves down with
    the blank line inserted at the top, and up when a line above it is deleted."""
    if doc.report["error"]:
        return []
    kinds = doc.rng.sample(KINDS, len(KINDS))
    literals = literal_edits(doc.text, doc.report, doc.rng)
    literal = doc.rng.choice(literals) if literals else None
    deleted = deletable_line(doc.text, doc.rng, avoid=literal.line if literal else -1)
    text, version, top, gone_above, done, rounds = doc.text, doc.version, 0, 0, [], []
    for start, end in pairwise([0, *accumulate(ROUNDS)]):
        changes = []
        for kind in kinds[start:end]:
            if kind == "blank line at top":
                edit = Edit(0, 0, 0, 0, "\n", kind)
                top += 1
            elif kind == "x = 1 appended":
                edit = Edit(-1, 0, -1, 0, "x = 1\n", kind)
            elif kind == "a statement deleted" and deleted is not None:
                edit = Edit(deleted + top, 0, deleted + top + 1, 0, "", f"line {deleted + 1} deleted")
                gone_above = int(literal is not None and deleted < literal.line)
            elif kind == "number in a layer call" and literal is not None:
                row = literal.line + top - gone_above
                edit = dataclasses.replace(literal, line=row, end_line=row)
            else:
                continue
            text, change = applied(text, edit)
            changes.append(change)
            done.append(edit.words)
            version += 1
        if changes:
            rounds.append(Round(changes, text, version, f"v{version} after {', '.join(done)}"))
    return rounds


def deletable_line(text: str, rng: random.Random, avoid: int) -> int | None:
    """A random one-line statement (0-based line) whose deletion leaves the file valid Python:
    an assignment, a call or a return inside the code, so the evaluation loses something real."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    lines = text.split("\n")
    candidates = sorted({node.lineno - 1 for node in ast.walk(tree)
                         if isinstance(node, (ast.Assign, ast.AugAssign, ast.Expr, ast.Return))
                         and node.lineno == node.end_lineno and node.lineno - 1 != avoid
                         and lines[node.lineno - 1].strip() and ";" not in lines[node.lineno - 1]})
    rng.shuffle(candidates)
    for row in candidates[:20]:
        try:
            ast.parse("\n".join(lines[:row] + lines[row + 1:]))
        except (SyntaxError, ValueError):
            continue
        return row
    return None


# the files -------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def corpus() -> dict[str, tuple[Path, list[str]]]:
    return recorded_corpus()


def suite_files(suite: str, request: pytest.FixtureRequest) -> list[tuple[str, Path]]:
    if suite == "examples":
        return [(p.relative_to(ROOT).as_posix(), p) for p in sorted((ROOT / "examples").glob("*.py"))]
    corpus = request.getfixturevalue("corpus")
    if suite not in corpus:
        pytest.skip(f"{suite}: not in {CACHE}, and score.py could not fetch it")
    root, files = corpus[suite]
    return [(p, root / p) for p in files]


# the test --------------------------------------------------------------------------------------
KINDS = ["file", "sync", "lens", "hint", "hover", "hover-contexts"]


def kind_of(line: str) -> str:
    return line.split("] ", 1)[1].split(":", 1)[0].split(" ", 1)[0]


def close(client: LanguageClient, doc: Doc) -> None:
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=doc.uri)))


@pytest.mark.parametrize("suite", ["examples", *TRUTHS])
async def test_the_editor_never_disagrees_with_the_cli(client: LanguageClient, suite: str,
                                                       request: pytest.FixtureRequest) -> None:
    cwd = Path.cwd()  # the server was started here: the CLI runs here too
    began = time.perf_counter()
    # The server publishes diagnostics for every version once it has evaluated it, an empty list
    # too: that is what the test waits for before it compares.
    docs = [Doc(name, path, path.read_text(encoding="utf-8-sig"),
                random.Random(SEED ^ zlib.crc32(name.encode())))
            for name, path in suite_files(suite, request)]
    limit = asyncio.Semaphore(os.cpu_count() or 2)
    reports = [asyncio.ensure_future(cli_report(doc.path, cwd, limit)) for doc in docs]

    # Every file open at once, as on disk.
    for doc in docs:
        doc.uri = uri_of(doc.path)
        PUBLISHED.pop(doc.uri, None)  # an earlier server's diagnostics are not this one's
        open_text(client, doc.uri, doc.text, doc.version)
    found: list[str] = []

    async def as_opened(doc: Doc, report: asyncio.Future) -> None:
        found.extend(await synced(client, doc, SYNC_TIMEOUT))
        doc.report = await report
        found.extend(disagreements(doc, *await editor_view(client, doc)))

    await asyncio.gather(*(as_opened(doc, report) for doc, report in zip(docs, reports, strict=True)))
    opened = time.perf_counter()

    # Edits, one file at a time: every other open document is as on disk, where the CLI reads it.
    plans = [plan_rounds(doc) for doc in docs]
    edited = [[asyncio.ensure_future(cli_on_copy(doc, r.text, cwd, limit)) for r in rounds]
              for doc, rounds in zip(docs, plans, strict=True)]
    try:
        for doc, rounds, copies in zip(docs, plans, edited, strict=True):
            for step, copy_report in zip(rounds, copies, strict=True):
                for version, change in enumerate(step.changes, start=doc.version + 1):
                    client.text_document_did_change(types.DidChangeTextDocumentParams(
                        text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri,
                                                                            version=version),
                        content_changes=[change]))
                doc.text, doc.version, doc.tag = step.text, step.version, step.tag
                late = any(kind_of(line) == "sync" for line in found)
                found.extend(await synced(client, doc, SYNC_TIMEOUT_AGAIN if late else SYNC_TIMEOUT))
                doc.report = await copy_report
                found.extend(disagreements(doc, *await editor_view(client, doc)))
            close(client, doc)  # its unsaved text must not reach the next file's evaluation
    finally:  # on a failure, no CLI left running and no copy left next to the files
        pending = [f for futures in edited for f in futures if not f.done()]
        for future in pending:
            future.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    done = time.perf_counter()

    found.sort(key=lambda line: KINDS.index(kind_of(line)))  # numbers first, listings last
    kinds: dict[str, int] = {}
    for line in found:
        kinds[kind_of(line)] = kinds.get(kind_of(line), 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"
    print(f"{suite}: {len(docs)} files; as opened {opened - began:.1f} s, edits {done - opened:.1f} s;"
          f" disagreements: {summary}")
    print("\n".join(found))
    assert not found, (f"{len(found)} disagreements between the editor and the CLI ({summary}); "
                       f"first {min(SHOWN, len(found))}:\n" + "\n".join(found[:SHOWN]))


def test_label_and_title_parsing() -> None:
    assert parse_label("# 280 params") == ("certain", 280)
    assert parse_label("# ≈8,192 params") == ("default", 8192)
    assert parse_label("# ? params") == ("unknown",)
    assert parse_label("# 36,864–147,456 params") == ("range", 36864, 147456)
    assert parse_label("# 36,864-147,456 params") is None  # a hyphen, not the en dash
    assert parse_label("280 params") is None
    assert parse_title("TinyResNet: 314,954 parameters") == ("TinyResNet", ("exact", 314954))
    assert parse_title("resnet50(): 25,557,032 parameters if defaults hold") == (
        "resnet50()", ("default", 25557032))
    assert parse_title("Head: at least 110 parameters (1 layer unknown)") == (
        "Head", ("at least", 110, 1))
    for value in [("certain", 1290), ("default", 8192), ("unknown",), ("range", 36864, 73728)]:
        assert parse_label(show_label(value)) == value
    for total in [("exact", 314954), ("default", 9), ("at least", 0, 2), ("at least", 5, 1),
                  ("range", 73984, 230144, 2)]:
        assert parse_title(show_total("Net", total)) == ("Net", total)
