"""`paramlens annotate` as a user runs it: files on disk rewritten, real exit codes.

The counts written are checked against what torch and Keras build (framework_recorder.py runs
the file for real), never against paramlens' own output; the rest checks what a rewrite must
keep: the user's comments, the bytes after `--remove`, the syntax tree, line endings.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import Codemod, CodemodContext, CodemodTest
from libcst.metadata import MetadataWrapper, PositionProvider

from corpus_files import CACHE, recorded_corpus
from paramlens.engine.results import FileReport, LayerResult, Span
from paramlens.review.annotate import AnnotateCounts
from paramlens.review.rewriting import node_at
from paramlens.review.sources import check_file

ROOT = Path(__file__).parent.parent
CONTAINERS = {"Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}
COMMENT = re.compile(r"# (≈?[\d,]+(?: \+ ≈?[\d,]+)*) params\s*$")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paramlens", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "KERAS_BACKEND": "torch"})


def written(text: str) -> dict[int, list[tuple[int, bool]]]:
    """Each line's comment as (count, certain) pairs, by 1-based line."""
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = COMMENT.search(line)
        if match:
            found[number] = [(int(part.lstrip("≈").replace(",", "")), not part.startswith("≈"))
                             for part in match[1].split(" + ")]
    return found


TORCH = '''\
import torch
from torch import nn

WIDTH = 32


class Stem(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 16, 3),  # stem
            nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, WIDTH, kernel_size=3, padding=1,
                      bias=False),
        )
        self.label = "😀 stem"; self.fc = nn.Linear(WIDTH, 10)
        self.norms = nn.ModuleList([nn.LayerNorm(8), nn.LayerNorm(16)])


def head(width=64):
    return nn.Sequential(nn.Linear(width, width * 2), nn.GELU(), nn.Linear(width * 2, 3))


stem = Stem()
emb = nn.Embedding(1000, 64)
rnn = nn.LSTM(64, 128, num_layers=2,
              batch_first=True)
att = nn.MultiheadAttention(64, 8)
model = head()
'''

KERAS = '''\
import keras
from keras import layers


def build(classes=10):
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(16, 3, padding="same")(inputs)  # first conv
    x = layers.BatchNormalization()(x)
    x = layers.SeparableConv2D(32, 3, use_bias=False)(x)
    x = layers.DepthwiseConv2D(3, depth_multiplier=2,
                               padding="same")(x)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(classes)(layers.Dense(64, activation="relu")(x))
    return keras.Model(inputs, outputs)


model = build()
'''

# A fresh process imports the file and counts, with the framework, each class built with no
# argument and each function called with its defaults: the models whose totals we write.
TOTALS = '''
import json, runpy, sys
import torch
names = runpy.run_path(sys.argv[1], run_name="totals")
out = {}
for name in sys.argv[2:]:
    built = names[name]()
    out[name] = (sum(p.numel() for p in built.parameters()) if isinstance(built, torch.nn.Module)
                 else built.count_params())
print(json.dumps(out))
'''


# A fresh process runs the file for real and records, for each torch or Keras layer class built
# by a call written in the file, the call's position and what the framework counts on the built
# layer. It watches `__init__` returning (sys.setprofile): a class that inherits its `__init__`
# (BatchNorm2d) is seen as well as one that defines it.
RECORDER = """
import json, os, runpy, sys
import keras, torch
target = os.path.abspath(sys.argv[1])
records, layers = [], []

def watch(frame, event, arg):
    if event != "return" or frame.f_code.co_name != "__init__":
        return
    caller = frame.f_back
    built = frame.f_locals.get("self")
    if caller is None or caller.f_code.co_filename != target or built is None:
        return
    if type(built).__module__.split(".")[0] not in ("torch", "keras"):
        return  # a class of the file itself: a model, not a layer
    line, _end, column, _end_column = list(caller.f_code.co_positions())[caller.f_lasti // 2]
    record = {"line": line, "column": column, "class": type(built).__name__}
    if isinstance(built, keras.Model):
        return  # a model: its total goes on a def line, not on the call
    if isinstance(built, keras.layers.Layer):  # first: with the torch backend, also a Module
        layers.append((record, built))  # counted once built, after the run
    elif isinstance(built, torch.nn.Module):
        record["params"] = sum(p.numel() for p in built.parameters())
    else:
        return
    records.append(record)

sys.setprofile(watch)
runpy.run_path(target, run_name="__main__")
sys.setprofile(None)
for record, layer in layers:
    record["params"] = layer.count_params()
print(json.dumps(records))
"""


def framework_counts(path: Path) -> dict[int, list[int]]:
    """What the framework built, by the line each constructor call ends on (in the order the
    calls end on it): containers left out (their totals are models), and layers with no
    parameters, as no comment is written for them."""
    done = subprocess.run([sys.executable, "-c", RECORDER, str(path)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "KERAS_BACKEND": "torch"})
    assert done.returncode == 0, done.stderr[-2000:]
    ends = {(node.lineno, node.col_offset): (node.end_lineno, node.end_col_offset)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call)}
    by_line: dict[int, list[tuple[int, int]]] = {}
    for r in json.loads(done.stdout):
        if r["class"] in CONTAINERS or not r["params"]:
            continue
        end_line, end_column = ends[(r["line"], r["column"])]
        site = (end_column, r["params"])
        if site not in by_line.setdefault(end_line, []):  # a call run twice is one call
            by_line[end_line].append(site)
    return {line: [params for _column, params in sorted(sites)] for line, sites in by_line.items()}


def model_totals(path: Path, lines: dict[int, str]) -> dict[int, int]:
    done = subprocess.run([sys.executable, "-c", TOTALS, str(path), *lines.values()],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "KERAS_BACKEND": "torch"})
    assert done.returncode == 0, done.stderr[-2000:]
    counted = json.loads(done.stdout)
    return {line: counted[name] for line, name in lines.items()}


def definition_lines(source: str) -> dict[int, str]:
    return {node.lineno: node.name for node in ast.parse(source).body
            if isinstance(node, (ast.ClassDef, ast.FunctionDef))}


@pytest.mark.parametrize("name,source", [("torch_layers.py", TORCH), ("keras_layers.py", KERAS)])
def test_every_comment_is_the_frameworks_count(tmp_path: Path, name: str, source: str) -> None:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    expected = framework_counts(path)
    definitions = definition_lines(source)
    totals = model_totals(path, definitions)
    done = run("annotate", "--no-cache", name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"annotated {name}" in done.stdout
    after = path.read_text(encoding="utf-8")
    comments = written(after)
    layer_lines = {line: counts for line, counts in comments.items() if line not in definitions}
    assert {line: [n for n, _certain in counts] for line, counts in layer_lines.items()} == expected
    assert {line: comments[line][0][0] for line in definitions} == totals
    assert ast.dump(ast.parse(after)) == ast.dump(ast.parse(source))


def test_defaults_are_marked_and_user_comments_kept(tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(TORCH, encoding="utf-8")
    assert run("annotate", "--no-cache", "net.py", cwd=tmp_path).returncode == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    # the user's comment first, ours after it
    assert re.fullmatch(r" +nn\.Conv2d\(3, 16, 3\),  # stem  # [\d,]+ params", lines[10])
    # inside head(width=64) the counts rest on the default, and are marked so; the builder's
    # total is what head() builds, and the class's is certain
    assert re.search(r"# ≈[\d,]+ \+ ≈[\d,]+ params$", lines[20])
    assert re.search(r"^def head\(width=64\):  # [\d,]+ params$", lines[19])
    assert re.search(r"^class Stem\(nn\.Module\):  # [\d,]+ params$", lines[6])
    # the multi-line call gets it where it ends, after its trailing comma
    assert lines[12].endswith("padding=1,") and re.search(r"bias=False\),  # [\d,]+ params$",
                                                          lines[13])
    assert '"😀 stem"; self.fc = nn.Linear(WIDTH, 10)  # ' in lines[15]


def test_second_run_changes_nothing_and_remove_restores_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(TORCH, encoding="utf-8")
    original = path.read_bytes()
    assert run("annotate", "--no-cache", ".", cwd=tmp_path).returncode == 0
    annotated = path.read_bytes()
    assert annotated != original
    again = run("annotate", "--no-cache", ".", cwd=tmp_path)
    assert again.returncode == 0 and path.read_bytes() == annotated
    assert "0 files annotated, 1 left unchanged" in again.stdout
    removed = run("annotate", "--remove", ".", cwd=tmp_path)
    assert removed.returncode == 0 and "removed" in removed.stdout
    assert path.read_bytes() == original


def test_a_changed_layer_gets_its_new_count_and_a_removed_one_loses_its_comment(
        tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(TORCH, encoding="utf-8")
    assert run("annotate", "--no-cache", "net.py", cwd=tmp_path).returncode == 0
    edited = path.read_text(encoding="utf-8").replace("nn.Conv2d(3, 16, 3),  # stem",
                                                      "nn.Conv2d(3, 16, 5),  # stem")
    edited = edited.replace("emb = nn.Embedding(1000, 64)", "emb = None")
    path.write_text(edited, encoding="utf-8")
    done = run("annotate", "--no-cache", "net.py", cwd=tmp_path)
    assert done.returncode == 0 and "refreshed" in done.stdout and "1 removed" in done.stdout
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[24] == "emb = None"
    stem = written(path.read_text(encoding="utf-8"))[11]
    assert [n for n, _c in stem] == framework_counts(path)[11]  # 5×5 kernels now
    assert lines[10].startswith("            nn.Conv2d(3, 16, 5),  # stem  # ")


def test_check_exits_1_on_missing_or_stale_and_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(TORCH, encoding="utf-8")
    original = path.read_bytes()
    missing = run("annotate", "--check", "--no-cache", "net.py", cwd=tmp_path)
    assert missing.returncode == 1 and "would annotate net.py" in missing.stdout
    assert path.read_bytes() == original
    assert run("annotate", "--no-cache", "net.py", cwd=tmp_path).returncode == 0
    current = run("annotate", "--check", "--no-cache", "net.py", cwd=tmp_path)
    assert current.returncode == 0, current.stdout + current.stderr
    # a count edited by hand is stale
    annotated = path.read_text(encoding="utf-8")
    stale = re.sub(r"# ([\d,]+) params$", "# 1 params", annotated, count=1, flags=re.M)
    path.write_text(stale, encoding="utf-8")
    found = run("annotate", "--check", "--no-cache", "net.py", cwd=tmp_path)
    assert found.returncode == 1 and "1 stale" in found.stdout
    assert path.read_text(encoding="utf-8") == stale
    # --remove --check: exit 1 while any of ours is there
    assert run("annotate", "--remove", "--check", "net.py", cwd=tmp_path).returncode == 1


def test_the_readme_example_is_what_it_writes_and_what_torch_counts(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The counts in the source: `paramlens annotate`", 1)[1]
    before, after = re.findall(r"```python\n(.*?)```", section, flags=re.S)[:2]
    path = tmp_path / "tiny.py"
    path.write_text(f"from torch import nn\n\n\n{before}\n\nmodel = TinyNet()\n", encoding="utf-8")
    expected = framework_counts(path)
    expected[4] = [model_totals(path, {4: "TinyNet"})[4]]
    # named twice: written once
    assert run("annotate", "--no-cache", "tiny.py", "tiny.py", cwd=tmp_path).returncode == 0
    text = path.read_text(encoding="utf-8")
    assert text == f"from torch import nn\n\n\n{after}\n\nmodel = TinyNet()\n"
    assert {line: [n for n, _c in counts] for line, counts in written(text).items()} == expected


def test_crlf_line_endings_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    original = TORCH.replace("\n", "\r\n").encode()
    path.write_bytes(original)
    assert run("annotate", "--no-cache", "net.py", cwd=tmp_path).returncode == 0
    annotated = path.read_bytes()
    assert annotated.count(b"\r\n") == original.count(b"\r\n")
    assert annotated.count(b"\n") == original.count(b"\n") and b" params\r\n" in annotated
    assert run("annotate", "--remove", "net.py", cwd=tmp_path).returncode == 0
    assert path.read_bytes() == original


def test_a_latin_1_file_stays_latin_1_and_gets_no_sign_it_cannot_hold(tmp_path: Path) -> None:
    source = ('# -*- coding: latin-1 -*-\nfrom torch import nn\nname = "café"; c = nn.Conv2d(3, 10, 3)\n'
              '\n\ndef f(width=3):\n    return nn.Conv2d(width, 10, 3)\n')
    path = tmp_path / "m.py"
    path.write_bytes(source.encode("latin-1"))
    assert run("annotate", "--no-cache", "m.py", cwd=tmp_path).returncode == 0
    lines = path.read_bytes().decode("latin-1").splitlines()
    assert re.search(r'"café"; c = nn.Conv2d\(3, 10, 3\)  # [\d,]+ params$', lines[2])
    assert lines[6] == "    return nn.Conv2d(width, 10, 3)"  # ≈ is not latin-1: skipped


def test_unparseable_file_is_untouched_and_named(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text("from torch import nn\nc = nn.Conv2d(3, 10, 3)\n")
    broken = b"from torch import nn\nc = nn.Conv2d(3, 10, 3  # 280 params\n"
    (tmp_path / "broken.py").write_bytes(broken)
    done = run("annotate", "--no-cache", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert "broken.py" in done.stderr and "left untouched" in done.stderr
    assert (tmp_path / "broken.py").read_bytes() == broken
    assert "  # " in (tmp_path / "good.py").read_text()
    # --remove evaluates nothing: there libcst is the one to refuse the file
    done = run("annotate", "--remove", ".", cwd=tmp_path)
    assert done.returncode == 2 and "broken.py: libcst cannot parse it" in done.stderr
    assert (tmp_path / "broken.py").read_bytes() == broken
    assert "  # " not in (tmp_path / "good.py").read_text()


def test_config_errors_and_no_files_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = run("annotate", "empty", cwd=tmp_path)
    assert done.returncode == 2 and "no Python files" in done.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.paramlens]\nmax-params-per-layer = 'big'\n")
    (tmp_path / "m.py").write_text("x = 1\n")
    done = run("annotate", "m.py", cwd=tmp_path)
    assert done.returncode == 2 and "max-params-per-layer" in done.stderr
    assert (tmp_path / "m.py").read_text() == "x = 1\n"


def test_a_line_with_no_place_for_a_comment_is_skipped(tmp_path: Path) -> None:
    # the call's line ends inside a string: a comment there would be the string's text
    source = 'from torch import nn\npair = (nn.Linear(2, 3), """a\nb""")\nc = nn.Linear(3, 4)\n'
    path = tmp_path / "m.py"
    path.write_text(source)
    assert run("annotate", "--no-cache", "m.py", cwd=tmp_path).returncode == 0
    after = path.read_text()
    assert after.splitlines()[1] == "pair = (nn.Linear(2, 3), \"\"\"a"
    assert set(written(after)) == {4}
    assert ast.dump(ast.parse(after)) == ast.dump(ast.parse(source))


def test_check_and_the_server_never_import_libcst() -> None:
    probe = ("import sys\nfrom paramlens.cli import main\n"
             "code = main(['check', '--no-cache', 'examples/'])\n"
             "import paramlens.lsp.server\n"
             "print('LIBCST', 'libcst' in sys.modules, code)\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert "LIBCST False 0" in done.stdout, done.stdout[-500:] + done.stderr[-2000:]
    # and the probe can fail: annotate does load it
    probe = ("import sys\nfrom paramlens.cli import main\n"
             "main(['annotate', '--check', '--no-cache', 'examples/'])\n"
             "print('LIBCST', 'libcst' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert "LIBCST True" in done.stdout, done.stderr[-2000:]


# The codemod alone, as LibCST's own codemods are tested: placement and the user's comments,
# with counts given (they are inputs here, not results).
def _layer(line: int, column: int, end_line: int, end_column: int, params: int | None,
           default: int | None = None) -> LayerResult:
    span = Span(line, column, end_line, end_column)
    return LayerResult(span, span, "torch.nn.Linear", "torch", "linear", params, default, "",
                       (), None, None, "", "")


class _AsCodemod(Codemod):
    """AnnotateCounts under LibCST's Codemod interface, for CodemodTest."""

    def __init__(self, context: CodemodContext, report: FileReport, remove: bool = False) -> None:
        super().__init__(context)
        self.annotate = AnnotateCounts(report, remove)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        return self.annotate.transform_module(tree)


class TestCodemod(CodemodTest):
    TRANSFORM = _AsCodemod

    def test_placement_and_user_comments(self) -> None:
        before = """
            net = Sequential(
                Linear(2, 3),  # first
                Linear(3, 4), Linear(4, 5),
                Linear(
                    5, 6)
            )
            x = 1  # 99 params
        """
        after = """
            net = Sequential(
                Linear(2, 3),  # first  # 9 params
                Linear(3, 4), Linear(4, 5),  # 16 + ≈1,234 params
                Linear(
                    5, 6)  # 36 params
            )
            x = 1
        """
        # lines as assertCodemod sees them: dedented, the first empty line dropped
        report = FileReport("m.py", layers=[
            _layer(2, 4, 2, 16, 9), _layer(3, 4, 3, 16, 16), _layer(3, 18, 3, 30, None, 1234),
            _layer(4, 4, 5, 12, 36)])
        self.assertCodemod(before, after, report)
        self.assertCodemod(after, before.replace("x = 1  # 99 params", "x = 1"), report,
                           remove=True)


def test_engine_spans_are_libcst_positions() -> None:
    """node_at finds each layer's call from its engine span: the two count lines and columns
    alike (code points, a 😀 before the call included)."""
    source = "from torch import nn\nname = '😀é'; c = nn.Conv2d(3, 10, 3)\n"
    paths = [*sorted((ROOT / "examples").glob("*.py"))]
    for path in paths:
        report = check_file(str(path))
        wrapper = MetadataWrapper(cst.parse_module(path.read_bytes()))
        positions = wrapper.resolve(PositionProvider)
        for layer in report.layers:
            assert node_at(positions, layer.span, cst.Call) is not None, (path, layer.span)
    from paramlens.engine.analysis import analyze_source

    report = analyze_source(source, "u.py")
    positions = MetadataWrapper(cst.parse_module(source)).resolve(PositionProvider)
    call = node_at(positions, report.layers[0].span, cst.Call)
    assert call is not None and cst.Module([]).code_for_node(call) == "nn.Conv2d(3, 10, 3)"


# The shared corpus: every recorded file annotated, annotated again, and cleaned ---------------
def corpus_roots() -> list[tuple[Path, list[str]]]:
    return list(recorded_corpus().values())


def check_comments(entry: dict, source: str) -> dict[int, list[tuple[int, bool]]]:
    """The comments `check --format json` implies for a file: each layer's count (certain, else
    under defaults) at the line its call ends, in the order the calls end, those of no
    parameters left out, and so are those of a call that builds several classes (it has no one
    count); each class's or builder's total at its line instead."""
    by_line: dict[int, list[tuple[tuple[int, int], tuple[int, bool]]]] = {}

    def span(layer: dict) -> tuple[int, ...]:
        return layer["line"], layer["column"], layer["end_line"], layer["end_column"]

    classes = Counter(span(layer) for layer in entry["layers"])
    for layer in entry["layers"]:
        count = layer["params"] if layer["params"] is not None else layer["params_default"]
        if count and classes[span(layer)] == 1:  # none, or 0 (an activation: no comment)
            by_line.setdefault(layer["end_line"], []).append(
                ((layer["end_column"], layer["column"]), (count, layer["params"] is not None)))
    found = {line: [c for _key, c in sorted(calls)] for line, calls in by_line.items()}
    definitions = definition_lines_anywhere(source)
    for model in entry["models"]:
        total = model["params"] if model["params"] is not None else model["params_default"]
        if total is not None and definitions.get(model["line"]) == model["name"]:
            found[model["line"]] = [(total, model["params"] is not None)]
    return found


def definition_lines_anywhere(source: str) -> dict[int, str]:
    return {node.lineno: node.name for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))}


def test_corpus_round_trip(tmp_path: Path) -> None:
    roots = corpus_roots()
    if not roots:
        pytest.skip(f"the corpus is not unpacked in {CACHE} (run /work/shared/corpus/score.py)")
    total_files = total_comments = 0
    began = time.perf_counter()
    for root, files in roots:
        copy = tmp_path / root.name
        shutil.copytree(root, copy)  # the whole tree: the evaluation imports the package's files
        original = {f: (copy / f).read_bytes() for f in files}
        report = run("check", "--no-cache", "--format", "json", *files, cwd=copy)
        first = run("annotate", "--no-cache", *files, cwd=copy)
        assert first.returncode == 0, first.stderr
        annotated = {f: (copy / f).read_bytes() for f in files}
        # the counts are check's, line by line (parity, not correctness: the frameworks' own
        # counts are the tests above)
        for entry in json.loads(report.stdout)["files"]:
            assert written(annotated[entry["path"]].decode("utf-8")) == check_comments(
                entry, original[entry["path"]].decode("utf-8")), entry["path"]
        total_comments += sum(len(written(data.decode("utf-8"))) for data in annotated.values())
        for f in files:
            assert ast.dump(ast.parse(annotated[f])) == ast.dump(ast.parse(original[f])), f
        second = run("annotate", "--no-cache", *files, cwd=copy)
        assert second.returncode == 0 and f"0 files annotated, {len(files)} left" in second.stdout
        assert {f: (copy / f).read_bytes() for f in files} == annotated
        assert run("annotate", "--check", "--no-cache", *files, cwd=copy).returncode == 0
        removed = run("annotate", "--remove", *files, cwd=copy)
        assert removed.returncode == 0, removed.stderr
        assert {f: (copy / f).read_bytes() for f in files} == original
        total_files += len(files)
    print(f"\ncorpus round trip: {total_files} files, {total_comments} lines commented, "
          f"{time.perf_counter() - began:.1f} s")
    assert total_comments > 0
