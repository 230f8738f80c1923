"""`paramlens check --fix` as a user runs it (a subprocess on a temporary copy), and the JSON
report's `fix` objects. The fixed files are run with torch: the judge is the framework."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paramlens.engine.results import FileReport
from paramlens.review.fix_files import fix_files
from paramlens.review.fixes import apply_fixes
from paramlens.review.review import plan
from paramlens.review.sources import report_for

torch = pytest.importorskip("torch")

# Two mismatches in one Sequential (each layer states channels the previous one does not give),
# over several lines, with comments, CRLF line ends and an emoji before a call.
MODEL = (
    "import torch.nn as nn\r\n"
    "\r\n"
    "tag = '😀'; model = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(),  # stem\r\n"
    "    nn.Conv2d(32, 8, 3),  # wrong: the stem gives 16\r\n"
    "    nn.ReLU(),\r\n"
    "    nn.Conv2d(\r\n"
    "        4,  # wrong: 8 come in\r\n"
    "        2, 1,\r\n"
    "    ),\r\n"
    ")\r\n"
)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paramlens", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def forward(source: bytes) -> tuple[int, ...]:
    namespace: dict[str, object] = {}
    exec(compile(source, "model.py", "exec"), namespace)
    model = namespace["model"]
    assert isinstance(model, torch.nn.Module)
    return tuple(model(torch.randn(1, 3, 10, 10)).shape)


def test_fix_writes_the_fixes_and_a_second_run_finds_none(tmp_path: Path) -> None:
    target = tmp_path / "model.py"
    target.write_bytes(MODEL.encode())
    with pytest.raises(RuntimeError):  # as written, torch refuses the forward pass
        forward(target.read_bytes())
    before = run("check", "model.py", cwd=tmp_path)
    assert before.returncode == 1 and before.stdout.count("channel-mismatch") == 2

    done = run("check", "--fix", "model.py", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr  # what remains: no error
    told = done.stdout.splitlines()
    assert "model.py:4: channel-mismatch: Set in_channels=16 (what the previous layer gives)" \
        in told
    assert "model.py:6: channel-mismatch: Set in_channels=8 (what the previous layer gives)" \
        in told
    assert told[-1] == "Fixed 2 errors in 1 file."

    fixed = target.read_bytes()
    assert forward(fixed) == (1, 2, 6, 6)
    # only the two numbers changed; every other byte (CRLF, comments, the emoji) is the same
    assert fixed == MODEL.replace("Conv2d(32,", "Conv2d(16,").replace(
        "        4,  # wrong", "        8,  # wrong").encode()

    again = run("check", "--fix", "model.py", cwd=tmp_path)
    assert again.returncode == 0
    assert "Fixed" not in again.stdout and target.read_bytes() == fixed


# Channels on another axis than the next layer reads (a Linear after a convolution takes the last
# spatial size, a convolution after a Linear takes dim 1), and Sequentials whose members the code
# rearranges after the constructor. All run in torch as written.
OTHER_AXIS = (
    "import torch.nn as nn\n"
    "\n"
    "conv_then_linear = nn.Sequential(nn.Conv1d(1, 16, 3), nn.ReLU(), nn.Linear(98, 10))\n"
    "linear_then_conv = nn.Sequential(nn.Linear(40, 40), nn.Conv1d(10, 20, 3, padding=1))\n"
    "inserted = nn.Sequential(nn.Conv2d(3, 16, 3), nn.Conv2d(32, 8, 3))\n"
    "inserted.insert(1, nn.Conv2d(16, 32, 1))\n"
    "replaced = nn.Sequential(nn.Conv2d(3, 16, 3), nn.Conv2d(32, 8, 3))\n"
    "replaced[1] = nn.Conv2d(16, 8, 3)\n"
    "\n"
    "\n"
    "def widen(seq):\n"
    "    seq.insert(1, nn.Conv2d(16, 32, 1))\n"
    "\n"
    "\n"
    "in_helper = nn.Sequential(nn.Conv2d(3, 16, 3), nn.Conv2d(32, 8, 3))\n"
    "widen(in_helper)\n"
    "by_registry = nn.Sequential(nn.Conv2d(3, 16, 3), nn.Conv2d(32, 8, 3))\n"
    "by_registry._modules['1'] = nn.Conv2d(16, 8, 3)\n"
    "by_setattr = nn.Sequential(nn.Conv2d(3, 16, 3), nn.Conv2d(32, 8, 3))\n"
    "setattr(by_setattr, '1', nn.Conv2d(16, 8, 3))\n"
    "listed = [nn.Conv2d(3, 16, 3), nn.Conv2d(32, 8, 3)]\n"
    "listed.insert(1, nn.Conv2d(16, 32, 1))\n"
    "from_list = nn.Sequential(*listed)\n"
)


def test_no_mismatch_nor_fix_where_the_channels_are_on_another_axis(tmp_path: Path) -> None:
    namespace: dict[str, object] = {}
    exec(compile(OTHER_AXIS, "axes.py", "exec"), namespace)  # noqa: S102 - torch's verdict
    assert namespace["conv_then_linear"](torch.randn(2, 1, 100)).shape == (2, 16, 10)
    assert namespace["linear_then_conv"](torch.randn(2, 10, 40)).shape == (2, 20, 40)
    for name in ("inserted", "replaced", "in_helper", "by_registry", "by_setattr", "from_list"):
        assert namespace[name](torch.randn(1, 3, 9, 9)).shape == (1, 8, 5, 5)
    target = tmp_path / "axes.py"
    target.write_text(OTHER_AXIS)
    done = run("check", "--fix", "axes.py", cwd=tmp_path)
    assert done.returncode == 0 and "channel-mismatch" not in done.stdout, done.stdout
    assert target.read_text() == OTHER_AXIS


# Layers in a plain dict or list that code uses in ways nn.ModuleDict / nn.ModuleList do not
# support: the finding stands, but no fix is offered (it would break the program).
UNSUPPORTED_USES = (
    "from torch import nn\n"
    "\n"
    "\n"
    "class Heads(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.heads = {'a': nn.Linear(16, 2), 'b': nn.Linear(16, 3)}\n"
    "\n"
    "\n"
    "class Stack(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.layers = [nn.Linear(16, 16) for _ in range(3)]\n"
    "        self.layers[1:] = [nn.Linear(16, 16)]\n"
    "\n"
    "\n"
    "model = Heads()\n"
    "head_a = model.heads.get('a')\n"
    "stack = Stack()\n"
)


def test_no_container_fix_where_the_code_uses_what_the_container_lacks(tmp_path: Path) -> None:
    exec(compile(UNSUPPORTED_USES, "uses.py", "exec"), {})  # noqa: S102 - runs as written
    with pytest.raises((AttributeError, TypeError)):
        torch.nn.ModuleDict({"a": torch.nn.Linear(1, 1)}).get("a")
    with pytest.raises((AttributeError, TypeError)):
        torch.nn.ModuleList([torch.nn.Linear(1, 1)])[1:] = [torch.nn.Linear(1, 1)]
    target = tmp_path / "uses.py"
    target.write_text(UNSUPPORTED_USES)
    report = json.loads(run("check", "--format", "json", "uses.py", cwd=tmp_path).stdout)
    found = [(d["code"], d.get("fix")) for d in report["files"][0]["diagnostics"]]
    assert found == [("unregistered-layers", None), ("unregistered-layers", None)], found
    run("check", "--fix", "--unsafe-fixes", "uses.py", cwd=tmp_path)
    assert target.read_text() == UNSUPPORTED_USES


def test_a_norm_that_refuses_its_input_passes_on_no_channels(tmp_path: Path) -> None:
    """GroupNorm(4, 32) after 16 channels: torch refuses it, and that is the one finding. What
    it would give is its own 32, which the fix makes 16: the Conv2d(16, ...) after it is right,
    and after the fix the model runs."""
    source = ("import torch.nn as nn\n\nmodel = nn.Sequential(nn.Conv2d(3, 16, 3), "
              "nn.GroupNorm(4, 32), nn.Conv2d(16, 8, 1))\n")
    target = tmp_path / "model.py"
    target.write_text(source)
    with pytest.raises(RuntimeError):
        forward(source.encode())
    report = json.loads(run("check", "--format", "json", "model.py", cwd=tmp_path).stdout)
    assert [d["message"].split(" expects")[0] for d in report["files"][0]["diagnostics"]
            if d["code"] == "channel-mismatch"] == ["GroupNorm"]
    run("check", "--fix", "model.py", cwd=tmp_path)
    assert forward(target.read_bytes()) == (1, 8, 8, 8)


def test_fix_in_one_pass_equals_one_fix_at_a_time(tmp_path: Path) -> None:
    target = tmp_path / "model.py"
    target.write_bytes(MODEL.encode())
    assert run("check", "--fix", "--format", "json", "model.py", cwd=tmp_path).returncode == 0
    text, steps = MODEL, 0
    for _ in range(5):  # the first fix the analysis proves, then analyse the result again
        report: FileReport = report_for("model.py", text, None)
        fixes = [d.fix for d in report.diagnostics if d.fix is not None]
        if not fixes:
            break
        step = apply_fixes(text, fixes[:1])
        assert step is not None and step.applied
        text, steps = step.text, steps + 1
    assert steps == 2 and target.read_bytes() == text.encode()


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "model.py"
    target.write_bytes(MODEL.encode())
    planned = plan([str(target)], None, tmp_path)
    files = planned.review(1)
    target.write_bytes(MODEL.encode() + b"# edited meanwhile\r\n")
    run_ = fix_files(planned, files)
    assert run_.fixed == [] and run_.files == 0
    assert any("changed since it was read" in p for p in run_.problems)
    assert target.read_bytes().endswith(b"# edited meanwhile\r\n")


def test_fix_leaves_the_cache_alone_and_keeps_a_latin1_file_latin1(tmp_path: Path) -> None:
    source = ("# -*- coding: latin-1 -*-\n# café\nimport torch.nn as nn\n"
              "model = nn.Sequential(nn.Linear(4, 6), nn.Linear(5, 2))\n")
    target = tmp_path / "model.py"
    target.write_bytes(source.encode("latin-1"))
    assert run("check", "model.py", cwd=tmp_path).returncode == 1  # the cache has an entry now
    done = run("check", "--fix", "model.py", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert target.read_bytes() == source.replace("Linear(5,", "Linear(6,").encode("latin-1")
    namespace: dict[str, object] = {}
    exec(compile(target.read_bytes(), "model.py", "exec"), namespace)
    model = namespace["model"]
    assert isinstance(model, torch.nn.Module)
    assert tuple(model(torch.randn(3, 4)).shape) == (3, 2)
    assert run("check", "model.py", cwd=tmp_path).returncode == 0  # not the stale cached entry


def test_json_report_describes_each_fix_as_an_edit(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_bytes(MODEL.encode())
    done = run("check", "--no-cache", "--format", "json", "model.py", cwd=tmp_path)
    report = json.loads(done.stdout)["files"][0]
    fixes = [d["fix"] for d in report["diagnostics"] if "fix" in d]
    assert [f["kind"] for f in fixes] == ["set-argument", "set-argument"]
    lines = MODEL.split("\r\n")
    first = fixes[0]["edit"]
    # 1-based, in characters: the "32" on line 4
    assert (first["line"], first["column"]) == (4, lines[3].index("32") + 1)
    assert (first["end_line"], first["end_column"], first["new_text"]) == \
        (4, lines[3].index("32") + 3, "16")
    assert fixes[0]["title"] == "Set in_channels=16 (what the previous layer gives)"
    # a diagnostic without a fix has no `fix` key: the report only gained the new field
    assert all(set(d) - {"fix"} == {"line", "column", "end_line", "end_column", "severity",
                                    "code", "message"} for d in report["diagnostics"])


def test_fix_writes_the_model_checks_fixes(tmp_path: Path) -> None:
    source = (
        "import torch.nn as nn\n\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.conv = nn.Conv2d(3, 8, 3)  # the norm cancels its bias\n"
        "        self.bn = nn.BatchNorm2d(8)\n"
        "        self.heads = [nn.Linear(8, 4), nn.Linear(8, 2)]\n\n"
        "    def forward(self, x):\n"
        "        x = self.bn(self.conv(x)).mean((2, 3))\n"
        "        return [head(x) for head in self.heads]\n\n\n"
        "model = Net()\n")
    target = tmp_path / "net.py"
    target.write_text(source)
    (tmp_path / "link.py").symlink_to(target)
    safe_only = run("check", "--fix", "link.py", cwd=tmp_path)  # both change the state_dict
    assert target.read_text() == source and safe_only.returncode == 1
    assert safe_only.stdout.splitlines()[-1] == \
        "2 more fixes are available with --unsafe-fixes (they change what the model holds)."
    done = run("check", "--fix", "--unsafe-fixes", "link.py", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "Fixed 2 errors in 1 file."
    # the file the link names is written, the link stays one; a writing run made no cache
    assert (tmp_path / "link.py").is_symlink() and "nn.ModuleList" in target.read_text()
    assert not (tmp_path / ".paramlens_cache").exists()
    namespace: dict[str, object] = {}
    exec(compile(target.read_text(), "net.py", "exec"), namespace)
    model = namespace["model"]
    assert isinstance(model, torch.nn.Module)
    # torch now sees the heads' parameters, and the conv has no bias
    assert model.conv.bias is None
    assert sum(p.numel() for p in model.parameters()) == \
        sum(p.numel() for p in torch.nn.Conv2d(3, 8, 3, bias=False).parameters()) + 16 + \
        sum(p.numel() for p in torch.nn.Linear(8, 4).parameters()) + \
        sum(p.numel() for p in torch.nn.Linear(8, 2).parameters())
    assert [tuple(y.shape) for y in model(torch.randn(2, 3, 6, 6))] == [(2, 4), (2, 2)]


KERAS_MODEL = """\
import keras
from keras import layers

model = keras.Sequential([
    keras.Input((6, 6, 3)),
    layers.Conv2D(4, 3),  # a norm follows
    layers.BatchNormalization(),
    layers.Flatten(),
    layers.Dense(2, use_bias=True),
    layers.BatchNormalization(),
])
"""


def test_fix_turns_keras_biases_off_and_the_output_stays(tmp_path: Path) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    import numpy as np

    target = tmp_path / "net.py"
    target.write_text(KERAS_MODEL)
    done = run("check", "--fix", "--unsafe-fixes", "net.py", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    fixed = target.read_text()
    assert "layers.Conv2D(4, 3, use_bias=False),  # a norm follows" in fixed
    assert "layers.Dense(2, use_bias=False)," in fixed

    def build(text: str) -> object:
        namespace: dict[str, object] = {}
        exec(compile(text, "net.py", "exec"), namespace)
        return namespace["model"]

    before, after = build(KERAS_MODEL), build(fixed)
    assert isinstance(before, keras.Model) and isinstance(after, keras.Model)
    assert before.count_params() - after.count_params() == 4 + 2
    for mine, theirs in zip(after.layers, before.layers, strict=True):
        weights = theirs.get_weights()
        if len(mine.get_weights()) < len(weights):  # the same weights, less the bias
            weights = weights[:1]
        mine.set_weights(weights)
    x = np.random.default_rng(0).normal(size=(5, 6, 6, 3)).astype("float32")
    # in training the norms use the batch's own statistics: the biases cancel exactly
    a = keras.ops.convert_to_numpy(before(x, training=True))
    b = keras.ops.convert_to_numpy(after(x, training=True))
    assert np.allclose(a, b, atol=1e-5)
