"""`paramlens summary` against torchinfo and torch, module by module.

Every model here is built for real from the same source the engine reads; the expected numbers
come from torchinfo's `summary_list` and from torch's `named_children()` / `parameters()`, never
from paramlens' own output.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
torchinfo = pytest.importorskip("torchinfo")
os.environ.setdefault("KERAS_BACKEND", "torch")  # keras_separable.py, built for real below

from paramlens.cli import main  # noqa: E402
from paramlens.engine.evaluate.tree import ModelSummary, SummaryRow, walk_rows  # noqa: E402
from paramlens.review.formats.summary import params_cell  # noqa: E402
from paramlens.review.summary_command import find_models  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

MODELS = '''
import sys

import torch
from torch import nn


class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.Sequential(nn.Linear(8, 8), nn.ReLU()))
        self.heads = nn.ModuleList([nn.Linear(8, 2) for _ in range(3)])
        self.scale = nn.Parameter(torch.ones(5))
        self.table = nn.ModuleDict({"a": nn.Conv1d(2, 3, 3), "b": nn.Embedding(7, 3)})


class Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(6, 6)
        self.again = self.proj
        self.blocks = nn.Sequential(self.proj, nn.Linear(6, 3), nn.Sequential(self.proj))


class Frozen(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
        self.backbone.requires_grad_(False)
        self.head = nn.Linear(8, 2)
        self.head.bias.requires_grad = False
        self.later = nn.Linear(2, 2)


class Scaled(nn.Embedding):
    """A subclass of a layer is that layer: its own weights, no child."""

    def __init__(self, n, d):
        super().__init__(n, d)
        self.scale = 2.0


class Subclassed(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = Scaled(10, 4)
        self.emb.requires_grad_(False)
        self.fc = nn.Linear(4, 2)


def builder(width=16, depth=2):
    layers = [nn.Linear(width, width) for _ in range(depth)]
    return nn.Sequential(*layers, nn.Sequential(nn.LayerNorm(width), nn.Linear(width, 1)))


model = builder(8, 3)


class Unknowable(nn.Module):
    def __init__(self):
        super().__init__()
        self.fixed = nn.Linear(3, 4)
        self.open = nn.Linear(len(sys.argv) * 4, 4)
'''


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"summary_case_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def models_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("summary") / "models.py"
    path.write_text(MODELS)
    return path


def _tree(path: Path, name: str, depth: int) -> ModelSummary:
    found, error = find_models(str(path), depth)
    assert error is None
    chosen = [m.summary for m in found if m.summary.root.name == name]
    assert len(chosen) == 1, [m.summary.root.name for m in found]
    return chosen[0]


def _count(module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def _against_torch(row: SummaryRow, module, limit: int) -> None:
    """Each row against the real module: class, parameters() and registered children."""
    assert row.class_name == type(module).__name__
    assert row.params == _count(module), row.name
    assert row.trainable == _count(module, True), row.name
    # every registration, as torchinfo walks them: named_children() gives a module held under
    # two names of one parent once, the tree lists it again (marked shared)
    children = [(n, m) for n, m in module._modules.items() if m is not None]
    firsts: dict[int, str] = {}
    for n, m in children:
        firsts.setdefault(id(m), n)
    assert list(firsts.values()) == [n for n, _ in module.named_children()]
    if row.depth < limit:
        assert [c.name for c in row.children] == [n for n, _ in children]
        for child_row, (_, child) in zip(row.children, children, strict=True):
            _against_torch(child_row, child, limit)
    else:
        assert not row.children
        assert row.cut == bool(children)


def _against_torchinfo(summary: ModelSummary, module, depth: int) -> None:
    stats = torchinfo.summary(module, depth=depth, verbose=0)
    listed = [info for info in stats.summary_list if info.depth <= depth]
    rows = walk_rows(summary.root)
    theirs = [(i.class_name, i.depth, i.var_name if i.depth else "", i.num_params,
               i.trainable_params, i.is_recursive) for i in listed]
    ours = [(r.class_name, r.depth, r.name if r.depth else "", r.params, r.trainable, r.shared) for r in rows]
    assert ours == theirs
    # The Param # column, as torchinfo words it. Except where a module holds one listed before:
    # torchinfo leaves the repeated child out of what it subtracts, and so shows its parameters
    # as the parent's own (and adds them to its totals again); ours stay `parameters()`'s.
    for row, info in zip(rows, listed, strict=True):
        if not any(child.shared for child in row.children):
            assert params_cell(row, depth) == info.num_params_to_str(info.depth == depth)
    assert summary.total == _count(module)
    assert summary.trainable == _count(module, True)
    if not any(r.shared for r in rows):
        assert (summary.total, summary.trainable) == (stats.total_params, stats.trainable_params)


@pytest.mark.parametrize("depth", [0, 1, 2, 3, 5])
def test_tiny_resnet_against_torchinfo_and_torch(depth: int) -> None:
    path = EXAMPLES / "torch_resnet_block.py"
    summary = _tree(path, "TinyResNet", depth)
    built = _load(path).TinyResNet()
    _against_torchinfo(summary, built, depth)
    _against_torch(summary.root, built, depth)


def test_tiny_resnet_rows_point_at_their_assignments() -> None:
    path = EXAMPLES / "torch_resnet_block.py"
    lines = path.read_text().splitlines()
    summary = _tree(path, "TinyResNet", 1)
    for row in summary.root.children:
        assert lines[row.line - 1].lstrip().startswith(f"self.{row.name} = "), row.name


@pytest.mark.parametrize("name", ["Nested", "Shared", "Frozen", "Subclassed", "builder", "model"])
@pytest.mark.parametrize("depth", [1, 3])
def test_small_models_against_torchinfo_and_torch(models_file: Path, name: str,
                                                  depth: int) -> None:
    summary = _tree(models_file, name, depth)
    made = getattr(_load(models_file), name)
    built = made() if callable(made) and not isinstance(made, torch.nn.Module) else made
    _against_torchinfo(summary, built, depth)
    _against_torch(summary.root, built, depth)


def test_shared_module_is_listed_again_and_counted_once(models_file: Path) -> None:
    summary = _tree(models_file, "Shared", 3)
    shared = [r.name for r in walk_rows(summary.root) if r.shared]
    assert shared == ["again", "0", "0"]  # blocks.0 and blocks.2.0 are `proj` again
    built = _load(models_file).Shared()
    assert summary.total == _count(built) < sum(
        _count(m) for _, m in built.named_children())


def test_unknown_count_shows_question_mark_and_at_least(models_file: Path, capsys) -> None:
    code = main(["summary", f"{models_file}:Unknowable"])
    out = capsys.readouterr().out
    assert code == 0
    fixed = _count(torch.nn.Linear(3, 4))
    assert f"Total params: at least {fixed:,}" in out
    assert "?" in out


def test_cli_json_tree_matches_torch(models_file: Path, capsys) -> None:
    assert main(["summary", f"{models_file}:Nested", "--format", "json", "--depth", "2"]) == 0
    found = json.loads(capsys.readouterr().out)["models"]
    assert [m["name"] for m in found] == ["Nested"]
    built = _load(models_file).Nested()

    def check(node: dict, module, depth: int) -> None:
        assert node["params"] == _count(module)
        assert node["class"] == type(module).__name__
        assert node["depth"] == depth
        assert isinstance(node["line"], int)
        if depth < 2:
            assert [c["name"] for c in node["children"]] == [n for n, _ in
                                                            module.named_children()]
            for c, (_, m) in zip(node["children"], module.named_children(), strict=True):
                check(c, m, depth + 1)

    check(found[0]["tree"], built, 0)
    assert found[0]["params"] == _count(built)


def test_cli_text_totals_match_torchinfo(capsys) -> None:
    path = EXAMPLES / "torch_resnet_block.py"
    assert main(["summary", f"{path}:TinyResNet", "--depth", "1"]) == 0
    out = capsys.readouterr().out
    stats = torchinfo.summary(_load(path).TinyResNet(), depth=1, verbose=0)
    assert f"Total params: {stats.total_params:,}" in out
    assert f"Trainable params: {stats.trainable_params:,}" in out
    assert "├─Sequential (stem): 1-1" in out
    assert "2-1" not in out  # the depth limit holds


def test_unknown_model_exits_2_and_names_the_models(models_file: Path, capsys) -> None:
    assert main(["summary", f"{models_file}:Missing"]) == 2
    err = capsys.readouterr().err
    assert "Missing" in err and "Nested" in err and "builder" in err


def test_missing_file_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["summary", str(tmp_path / "nothing.py")]) == 2
    assert "nothing.py" in capsys.readouterr().err


@pytest.fixture(autouse=True)
def _fixed_width(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # rows are not wrapped: the asserted text stays whole

def test_keras_functional_model_against_keras() -> None:
    """A Keras model lists its layers at depth 1: the same layers and counts as Keras'
    `model.layers` (its InputLayer aside), and the same totals."""
    pytest.importorskip("keras")
    import math

    path = EXAMPLES / "keras_separable.py"
    summary = _tree(path, "build_model", 3)
    built = _load(path).build_model()
    layers = [layer for layer in built.layers if type(layer).__name__ != "InputLayer"]
    # Keras orders a functional model's layers by its graph; ours are in construction order
    assert sorted((r.class_name, r.params) for r in summary.root.children) == \
        sorted((type(layer).__name__, layer.count_params()) for layer in layers)
    assert all(r.depth == 1 and not r.children for r in summary.root.children)
    assert summary.total == built.count_params()
    assert summary.trainable == sum(math.prod(w.shape) for w in built.trainable_weights)


def test_rows_point_at_the_calls_that_make_them(tmp_path: Path, capsys) -> None:
    """A module's line is its constructor call's, in the file that makes it: a block made in
    model.py from a class of blocks.py is at its call in model.py, the block's layers in
    blocks.py."""
    (tmp_path / "blocks.py").write_text(
        "from torch import nn\n\n\nclass Block(nn.Module):\n"
        "    def __init__(self, width):\n        super().__init__()\n"
        "        self.inner = nn.Linear(width, width)\n")
    model = tmp_path / "model.py"
    model.write_text(
        "from torch import nn\n\nfrom blocks import Block\n\n\nclass Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.first = Block(4)\n        self.second = Block(8)\n")
    lines = model.read_text().splitlines()
    summary = _tree(model, "Net", 3)
    first, second = summary.root.children
    assert first.line == lines.index("        self.first = Block(4)") + 1
    assert second.line == lines.index("        self.second = Block(8)") + 1
    assert first.path == second.path == str(model)  # not blocks.py, where Block's __init__ is
    inner_line = (tmp_path / "blocks.py").read_text().splitlines().index(
        "        self.inner = nn.Linear(width, width)") + 1
    assert first.children[0].line == inner_line
    assert first.children[0].path == str(tmp_path / "blocks.py")
    assert summary.total == _count(torch.nn.Linear(4, 4)) + _count(torch.nn.Linear(8, 8))
    assert main(["summary", f"{model}:Net"]) == 0
    out = capsys.readouterr().out
    assert f"blocks.py:{inner_line}" in out


def test_notebook_rows_are_named_by_cell(capsys) -> None:
    """examples/notebook.ipynb, its cells run for real (IPython's own lines skipped): the same
    tree as torchinfo's, each line named by its cell as the check JSON names it."""
    path = EXAMPLES / "notebook.ipynb"
    cells = [("".join(c["source"]), n) for n, c in
             enumerate(json.loads(path.read_text())["cells"], 1) if c["cell_type"] == "code"]
    namespace: dict = {}
    for source, _ in cells:
        exec("\n".join(line for line in source.splitlines()
                       if not line.startswith(("%", "!"))), namespace)
    built = namespace["model"]
    summary = _tree(path, "model", 3)
    _against_torchinfo(summary, built, 3)
    _against_torch(summary.root, built, 3)
    assert main(["summary", f"{path}:model", "--format", "json"]) == 0
    tree = json.loads(capsys.readouterr().out)["models"][0]["tree"]
    source, number = cells[-1]
    lines = source.splitlines()
    first_conv = next(i for i, line in enumerate(lines, 1) if "nn.Conv2d(3" in line)
    assert (tree["children"][0]["cell"], tree["children"][0]["line"]) == (number, first_conv)
    assert main(["summary", str(path)]) == 0
    assert f"cell {number}:{first_conv}" in capsys.readouterr().out
