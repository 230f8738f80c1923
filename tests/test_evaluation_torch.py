"""The concrete evaluator against torch: every program here is run for real, and paramlens must agree.

Each test is a small program written the way PyTorch models are written (VGG, ResNet, DenseNet,
MobileNet style) plus the names of its entry points ("builders"). `check_program`:

1. gets the truth from torch: it executes the program (its body with `__name__ == "__main__"`),
   calls every builder, and records, per constructor call site in the program, the parameter
   counts of the layers built there (by wrapping `__init__` of the torch.nn layer classes), and,
   per builder, `sum(p.numel() for p in builder().parameters())`;
2. runs `paramlens check --format json` on the file and compares: per site the set of context
   counts, no count at a site where torch built nothing there, every builder's model total.

The expected numbers always come from torch, never from paramlens. The harness itself is checked
by `test_truth_gathering_itself`, which passes whatever the engine does.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import inspect
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType

import pytest

if sys.version_info < (3, 11):
    pytest.skip("call sites come from code positions (co_positions), new in Python 3.11",
                allow_module_level=True)
torch = pytest.importorskip("torch")
nn = torch.nn

# Every torch.nn class paramlens knows as a layer, parameterless ones included (a ReLU is a layer
# with 0 parameters): if paramlens may report it, torch must record it too.
LAYER_NAMES = tuple(
    [f"{kind}{n}d" for n in (1, 2, 3) for kind in (
        "Conv", "ConvTranspose", "LazyConv", "LazyConvTranspose", "BatchNorm", "LazyBatchNorm",
        "InstanceNorm", "MaxPool", "AvgPool", "AdaptiveAvgPool", "AdaptiveMaxPool", "LPPool",
        "ReflectionPad", "ReplicationPad", "ZeroPad", "ConstantPad", "Dropout")]
    + ["Linear", "LazyLinear", "Bilinear", "Embedding", "EmbeddingBag", "LayerNorm", "RMSNorm",
       "GroupNorm", "PReLU", "MultiheadAttention", "LSTM", "GRU", "RNN", "LSTMCell", "GRUCell",
       "RNNCell", "Flatten", "AdaptiveLogSoftmaxWithLoss"]
    + ["ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh",
       "Hardswish", "Hardsigmoid", "Hardtanh", "Softmax", "LogSoftmax", "Identity", "Dropout",
       "AlphaDropout", "ChannelShuffle", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d",
       "Softplus", "Threshold", "Tanhshrink"])
LAYER_CLASSES = tuple(dict.fromkeys(getattr(nn, n) for n in LAYER_NAMES if hasattr(nn, n)))
TORCH_DIR = os.path.dirname(os.path.realpath(torch.__file__)) + os.sep

Site = tuple[str, int, int]  # (real path, 1-based line, 1-based column in characters)


def real_path(path: str | Path) -> str:
    return os.path.realpath(path)


# --- 1. the truth, from torch -----------------------------------------------------------------


@dataclass
class Truth:
    sites: dict[Site, Counter[int]] = field(default_factory=dict)  # count -> instances
    classes: dict[Site, set[str]] = field(default_factory=dict)
    # a call through a variable may build several classes: each class's counts apart
    per_class: dict[tuple[Site, str], Counter[int]] = field(default_factory=dict)
    totals: dict[tuple[str, str], int] = field(default_factory=dict)  # (path, builder) -> numel

    def describe(self) -> str:
        return "\n".join(f"  {Path(p).name}:{line}:{col} {sorted(self.classes[(p, line, col)])} "
                         f"{dict(sorted(c.items()))}"
                         for (p, line, col), c in sorted(self.sites.items()))


class _Calls:
    """The program's call expressions, found from the position CPython gives a frame's CALL.

    CPython 3.11 gives a multi-line call its first line, but the CALL of `(x\\n .m(1))` (the
    attribute on a later line) may be placed at the attribute's line and column. The end of the
    call never moves, so the call is looked up by its end and reported where ast.Call starts.
    """

    def __init__(self, path: str) -> None:
        self.source = Path(path).read_text(encoding="utf-8")
        self.lines = self.source.splitlines()
        self.by_end: dict[tuple[int, int], tuple[int, int]] = {}
        for node in ast.walk(ast.parse(self.source)):
            if isinstance(node, ast.Call):
                assert node.end_lineno is not None and node.end_col_offset is not None
                self.by_end[(node.end_lineno, node.end_col_offset)] = (node.lineno, node.col_offset)

    def character_column(self, line: int, byte_col: int) -> int:
        return len(self.lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8")) + 1

    def site(self, path: str, frame: FrameType) -> Site:
        positions = list(frame.f_code.co_positions())[frame.f_lasti // 2]
        line, end_line, col, end_col = positions
        assert line is not None and col is not None
        start = self.by_end.get((end_line, end_col), (line, col))
        return path, start[0], self.character_column(*start)


@contextmanager
def recording(files: list[Path], truth: Truth) -> Iterator[None]:
    """While active, every layer built directly by code in `files` is recorded in `truth`."""
    calls = {real_path(f): _Calls(real_path(f)) for f in files}
    real_names: dict[str, str] = {}
    state = threading.local()

    def program_site(frame: FrameType | None) -> Site | None:
        while frame is not None:
            filename = frame.f_code.co_filename
            path = real_names.get(filename)
            if path is None:
                path = real_names[filename] = real_path(filename)
            if path in calls:
                return calls[path].site(path, frame)
            if path.startswith(TORCH_DIR):
                return None  # built inside a torch module (e.g. a Transformer layer's Linear)
            frame = frame.f_back
        return None

    def wrap(cls: type, original: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(original)
        def __init__(self: object, *args: object, **kwargs: object) -> None:
            depth = getattr(state, "depth", 0)
            state.depth = depth + 1
            try:
                original(self, *args, **kwargs)
            finally:
                state.depth = depth
            # The outermost layer only (MultiheadAttention's out_proj is not a site of its own),
            # and only for the class itself (a subclass's super().__init__ is not a second layer).
            if depth == 0 and type(self) is cls:
                site = program_site(sys._getframe(1))
                if site is not None:
                    count = sum(p.numel() for p in self.parameters())  # type: ignore[attr-defined]
                    truth.sites.setdefault(site, Counter())[count] += 1
                    truth.classes.setdefault(site, set()).add(f"torch.nn.{cls.__name__}")
                    truth.per_class.setdefault((site, f"torch.nn.{cls.__name__}"),
                                               Counter())[count] += 1
        return __init__

    saved = [(cls, cls.__dict__.get("__init__")) for cls in LAYER_CLASSES]
    for cls in LAYER_CLASSES:
        cls.__init__ = wrap(cls, cls.__init__)  # type: ignore[misc]
    try:
        yield
    finally:
        for cls, own in saved:
            if own is None:
                del cls.__init__  # type: ignore[misc]
            else:
                cls.__init__ = own  # type: ignore[misc]


def discover_builders(module: ModuleType, path: Path) -> dict[str, int]:
    """The entry points, by the contract: module-level functions callable with their defaults, and
    nn.Module subclasses whose __init__ needs no argument. Name -> the def/class line."""
    found: dict[str, int] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.FunctionDef | ast.ClassDef):
            continue
        obj = module.__dict__.get(node.name)
        if isinstance(node, ast.FunctionDef) and not inspect.isfunction(obj):
            continue
        if isinstance(node, ast.ClassDef) and not (isinstance(obj, type) and issubclass(obj, nn.Module)):
            continue
        try:
            inspect.signature(obj).bind()  # type: ignore[arg-type]
        except TypeError:
            continue
        found[node.name] = node.lineno
    return found


def gather_truth(files: list[Path], load: Callable[[], dict[Path, ModuleType]],
                 builders: dict[Path, list[str]]) -> Truth:
    """Runs the program(s) under `recording`: `load` executes the modules; then every builder."""
    truth = Truth()
    with recording(files, truth):
        modules = load()
        for path, names in builders.items():
            module = modules[path]
            discovered = discover_builders(module, path)
            assert sorted(discovered) == sorted(names), \
                f"test program bug: {path.name} has entry points {sorted(discovered)}, test names {names}"
            for name in names:
                model = getattr(module, name)()
                assert isinstance(model, nn.Module), f"test program bug: {name}() is not a module"
                truth.totals[(real_path(path), name)] = sum(p.numel() for p in model.parameters())
    return truth


def load_as_main(path: Path) -> ModuleType:
    """Executes the file as a module whose `__name__` is "__main__" (not put in sys.modules)."""
    spec = importlib.util.spec_from_file_location("__main__", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- 2. paramlens, and the comparison ---------------------------------------------------------


def run_paramlens(paths: list[str], cwd: Path, timeout: float = 60) -> dict[str, dict]:
    """`paramlens check --format json PATHS` -> {real path: file entry}."""
    try:
        done = subprocess.run([sys.executable, "-m", "paramlens", "check", "--format", "json", *paths],
                              cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"paramlens check did not finish within {timeout} s")
    assert done.returncode in (0, 1), f"exit {done.returncode}: {done.stderr}"
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        pytest.fail(f"paramlens printed no valid JSON ({error}): {done.stdout[:500]!r} {done.stderr}")
    files = {real_path(cwd / f["path"]): f for f in report["files"]}
    for entry in files.values():
        assert entry["error"] is None, entry["error"]
    return files


def _context_counts(layer: dict) -> list[int | None] | None:
    contexts = layer.get("contexts")
    return None if contexts is None else [c["params"] for c in contexts]


def compare(report: dict[str, dict], truth: Truth, builders: dict[Path, list[str]]) -> list[str]:
    """Every disagreement between paramlens' report and torch, in words."""
    problems: list[str] = []
    layers: dict[Site, list[dict]] = {}  # (one entry per class a call builds)
    for path, entry in report.items():
        for layer in entry["layers"]:
            layers.setdefault((path, layer["line"], layer["column"]), []).append(layer)
    for site, counts in sorted(truth.sites.items()):
        where = f"{Path(site[0]).name}:{site[1]}:{site[2]}"
        found = layers.get(site, [])
        if not found:
            same_line = [(x["column"], x["layer"]) for s, xs in layers.items() if s[:2] == site[:2]
                         for x in xs]
            problems.append(f"{where}: torch built {sorted(truth.classes[site])} {dict(counts)} "
                            f"here; paramlens reports no layer here (on this line: {same_line})")
            continue
        for cls in sorted(truth.classes[site]):
            built = truth.per_class[(site, cls)]
            layer = next((x for x in found if x["layer"] == cls), None)
            if layer is None:
                problems.append(f"{where}: torch built {cls} {dict(built)} here; paramlens "
                                f"reports {[x['layer'] for x in found]}")
                continue
            got = _context_counts(layer)
            if got is None:
                problems.append(f"{where} {cls}: no `contexts` (torch: {sorted(built)})")
                continue
            if set(got) != set(built):
                problems.append(f"{where} {cls}: contexts {sorted(got, key=str)}, "
                                f"torch {dict(built)} (count: instances)")
            if layer["params"] is not None and {layer["params"]} != set(built):
                problems.append(f"{where} {cls}: certain params {layer['params']}, torch "
                                f"{sorted(built)}")
        for layer in found:
            stray = [c for c in _context_counts(layer) or [] if c is not None]
            if layer["layer"] not in truth.classes[site] and stray:
                problems.append(f"{where} {layer['layer']}: contexts {stray}, but torch builds "
                                f"{sorted(truth.classes[site])} here")
    for site, found in sorted(layers.items()):
        if site in truth.sites:
            continue
        for layer in found:
            stray = [c for c in _context_counts(layer) or [] if c is not None]
            if stray:
                problems.append(f"{Path(site[0]).name}:{site[1]}:{site[2]} {layer['layer']}: "
                                f"contexts {stray}, but torch builds no layer here")
        # `params` may still be the call's own count (a literal call in an arm that never runs).
    for path, names in builders.items():
        entry = report[real_path(path)]
        lines = discover_builders_lines(path)
        for name in names:
            problems += _builder_problems(name, lines[name], truth.totals[(real_path(path), name)],
                                          entry["models"])
    return problems


def _builder_problems(name: str, line: int, total: int, models: list[dict]) -> list[str]:
    """The builder's entries are the models on its def/class line named `name` (or `name()`): one
    of them must show torch's total, and none may be certain of another number."""
    mine = [m for m in models if m["line"] == line and m["name"] in (name, name + "()")]
    if not mine:
        return [f"builder {name} (line {line}): no model entry; torch {total}"]
    problems = [f"builder {name}: certain params {m['params']} ({m['name']}, {m['kind']}), torch {total}"
                for m in mine if m["params"] not in (None, total)]
    shown = [m["params_default"] if m.get("params_default") is not None else m["params"] for m in mine]
    if total not in shown:
        problems.append(f"builder {name}: totals {shown}, torch {total}")
    return problems


def discover_builders_lines(path: Path) -> dict[str, int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name: n.lineno for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}


def assert_agrees(report: dict[str, dict], truth: Truth, builders: dict[Path, list[str]]) -> None:
    problems = compare(report, truth, builders)
    assert not problems, ("paramlens disagrees with torch:\n  " + "\n  ".join(problems)
                          + "\ntorch, per site (count: instances):\n" + truth.describe())


def check_program(tmp_path: Path, source: str, builders: list[str]) -> Truth:
    """Steps 1 and 2 for one file: `builders` must be exactly the file's entry points."""
    path = tmp_path / "prog.py"
    path.write_text(source, encoding="utf-8")
    truth = gather_truth([path], lambda: {path: load_as_main(path)}, {path: builders})
    assert truth.sites, "test program bug: torch built no layer"
    report = run_paramlens([str(path)], tmp_path)
    assert_agrees(report, truth, {path: builders})
    return truth


# --- the harness itself (passes whatever the engine does) --------------------------------------

HARNESS = '''\
import torch.nn as nn


def make(c):
    return nn.Conv2d(c, 16, 3)


def build():
    head = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2))
    attn = nn.MultiheadAttention(8, 2)
    wide = nn.Conv2d(
        3, 4, 1)
    odd = (nn
           .Linear(2, 2))
    return nn.Sequential(make(3), make(8), make(8), head, attn, wide, odd)


class Net(nn.Module):
    def __init__(self, width=6):
        super().__init__()
        self.a = nn.Linear(width, width)
        self.b = nn.Linear(width, width)
        self.b.weight = self.a.weight
        self.register_buffer("running", nn.Linear(width, 1).weight.detach().clone())
'''


def test_truth_gathering_itself(tmp_path: Path) -> None:
    path = tmp_path / "prog.py"
    path.write_text(HARNESS)
    truth = gather_truth([path], lambda: {path: load_as_main(path)}, {path: ["build", "Net"]})
    p = real_path(path)
    lines = HARNESS.splitlines()

    def at(line: int, text: str) -> Site:
        return p, line, lines[line - 1].index(text) + 1

    assert truth.sites == {
        at(5, "nn.Conv2d"): Counter({448: 1, 1168: 2}),  # make(3), make(8) twice
        at(9, "nn.Linear(4"): Counter({25: 1}), at(9, "nn.ReLU"): Counter({0: 1}),
        at(9, "nn.Linear(5"): Counter({12: 1}),
        at(10, "nn.Multi"): Counter({288: 1}),  # out_proj inside is not a site of its own
        at(11, "nn.Conv2d"): Counter({16: 1}),  # a multi-line call is at its first line
        at(13, "nn"): Counter({6: 1}),  # where ast.Call starts, whatever line CALL carries
        at(21, "nn.Linear"): Counter({42: 1}), at(22, "nn.Linear"): Counter({42: 1}),
        at(24, "nn.Linear"): Counter({7: 1}),  # built, though only its weight's copy is kept
    }
    assert truth.classes[at(10, "nn.Multi")] == {"torch.nn.MultiheadAttention"}
    # 448 + 2 * 1168 + 25 + 12 + 288 + 16 + 6; Net: b.weight is a.weight, a buffer is no parameter
    assert truth.totals == {(p, "build"): 3131, (p, "Net"): 36 + 6 + 6}
    assert not hasattr(nn.Linear.__init__, "__wrapped__")  # unpatched afterwards
    assert "__init__" not in nn.BatchNorm2d.__dict__


# --- the programs ------------------------------------------------------------------------------

VGG = '''\
import torch
import torch.nn as nn

cfgs = {
    "A": [8, "M", 16, "M", 32, 32, "M"],
    "B": [8, 8, "M", 16, 16, "M", 24, 24, 24, "M"],
}


class VGG(nn.Module):
    def __init__(self, features, num_classes=10, last=32):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(
            nn.Linear(last * 2 * 2, 64), nn.ReLU(True), nn.Dropout(p=0.5),
            nn.Linear(64, 64), nn.ReLU(True),
            nn.Linear(64, num_classes),
        )

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def make_layers(cfg, batch_norm=False):
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            if batch_norm:
                layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            else:
                layers += [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


def vgg_a():
    return VGG(make_layers(cfgs["A"]))


def vgg_b():
    return VGG(make_layers(cfgs["B"], batch_norm=True), num_classes=5, last=24)
'''


def test_vgg_make_layers_over_a_cfg_dict(tmp_path: Path) -> None:
    check_program(tmp_path, VGG, ["vgg_a", "vgg_b"])


RESNET = '''\
import torch.nn as nn


def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride


class ResNet(nn.Module):
    def __init__(self, block, layers, num_classes=10, width=8):
        super().__init__()
        self.inplanes = width
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, width * 4, layers[2], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 4 * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = []
        layers.append(block(self.inplanes, planes, stride, downsample))
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes))
        return nn.Sequential(*layers)


def _resnet(block, layers, **kwargs):
    model = ResNet(block, layers, **kwargs)
    return model


def resnet_tiny():
    return _resnet(BasicBlock, [2, 1, 2])


def resnet_bottleneck():
    return _resnet(Bottleneck, [1, 2, 1], width=4, num_classes=7)
'''


def test_resnet_basic_and_bottleneck_blocks(tmp_path: Path) -> None:
    check_program(tmp_path, RESNET, ["resnet_tiny", "resnet_bottleneck"])


WALRUS = '''\
import torch.nn as nn

if (width := 16) > 8:
    stem = nn.Linear(width, 4)


def build():
    if (c := 64) > 0:
        first = nn.Conv2d(3, c, 3)
    else:
        first = nn.Conv2d(3, 1, 3)
    layers = [first]
    while (n := len(layers)) < 3:
        layers.append(nn.Conv2d(c, c + n, 1))
        c += n
    if (extra := None) is not None:
        layers.append(nn.Conv2d(c, extra, 1))
    return nn.Sequential(*layers)
'''


def test_walrus_in_conditions(tmp_path: Path) -> None:
    check_program(tmp_path, WALRUS, ["build"])


LIST_METHODS = '''\
import torch.nn as nn


def add_head(layers, width, classes=10):
    layers.append(nn.Linear(width, classes))
    return None


def build():
    layers = [nn.Linear(4, 8)]
    layers.extend([nn.ReLU(), nn.Linear(8, 16)])
    layers.insert(0, nn.LayerNorm(4))
    dropped = nn.Linear(16, 99)
    layers.append(dropped)
    layers.pop()
    layers += [nn.Linear(16, 32)]
    add_head(layers, 32)
    return nn.Sequential(*layers)


def build_reversed():
    widths = [4, 8, 16, 32]
    widths.reverse()
    blocks = [nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:])]
    kept = blocks[:-1]
    kept.insert(0, nn.Linear(2, widths[0]))
    last = kept.pop(0)
    kept.append(last)
    return nn.Sequential(*kept)


def build_shared():
    trunk = []
    alias = trunk
    for w in (6, 12):
        add_head(alias, w, classes=w)
    return nn.Sequential(*trunk, *alias[1:])
'''


def test_list_methods_and_mutation_through_a_helper(tmp_path: Path) -> None:
    check_program(tmp_path, LIST_METHODS, ["build", "build_reversed", "build_shared"])


CHANGED_AFTER_A_REMEMBERED_CALL = '''\
import torch.nn as nn


def make(n):
    return nn.Sequential(nn.Linear(n, 2))


def block(n):
    return nn.Linear(n, n)


class Head(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.fc = nn.Linear(n, 3)


def appended():
    a = make(2)
    a.append(nn.Linear(2, 3))
    b = make(2)
    return nn.Sequential(a, b)


def tied():
    other = nn.Linear(4, 4)
    a = block(4)
    a.weight = other.weight
    b = block(4)
    return nn.Sequential(other, a, b)


def frozen():
    a = block(3)
    a.requires_grad_(False)
    b = block(3)
    return nn.Sequential(a, b)


def replaced():
    a = Head(5)
    a.fc = nn.Linear(5, 7)
    b = Head(5)
    return nn.Sequential(a, b)
'''


def test_a_second_equal_call_does_not_see_what_the_caller_changed(tmp_path: Path) -> None:
    """The second `make(2)` is a replay of the first: it must build what the first call built,
    not the object the caller went on to change (appended to, tied, frozen, reassigned)."""
    check_program(tmp_path, CHANGED_AFTER_A_REMEMBERED_CALL,
                  ["appended", "tied", "frozen", "replaced"])
    report = run_paramlens([str(tmp_path / "prog.py")], tmp_path)
    frozen = [m for m in report[real_path(tmp_path / "prog.py")]["models"]
              if m["name"] in ("frozen", "frozen()")]
    assert frozen and all(m["trainable"] == 12 for m in frozen), frozen  # b: 3 x 3 + 3



TIED_ACROSS_SHAPES = '''\
import torch.nn as nn


def block(n):
    return nn.Linear(n, n)


def tied():
    other = nn.Linear(10, 4)
    a = block(4)
    a.weight = other.weight
    return nn.Sequential(other, a)


def tied_twice():
    lin = nn.Linear(3, 3)
    act = nn.ReLU()
    act.weight = lin.weight
    act.bias = lin.bias
    return nn.Sequential(lin, act)
'''


def test_a_constructor_counts_what_it_made_not_a_weight_tied_into_it_later(tmp_path: Path) -> None:
    """`block`'s Linear(4, 4) makes 20 parameters, as torch records at construction; the weight
    of another shape tied into it afterwards (44 then) is not its line's count. A ReLU that two
    parameters are tied into one after the other made none. The models' totals (the tied
    weights once) are torch's too."""
    check_program(tmp_path, TIED_ACROSS_SHAPES, ["tied", "tied_twice"])

LOOPS = '''\
import torch.nn as nn


def build_break():
    layers = []
    c = 3
    for w in [8, 16, 32, 64]:
        if w > 16:
            break
        layers.append(nn.Conv2d(c, w, 3))
        c = w
    else:
        layers.append(nn.Conv2d(c, 1, 1))
    return nn.Sequential(*layers)


def build_for_else():
    layers = []
    c = 3
    for w in (8, 16):
        layers.append(nn.Conv2d(c, w, 3))
        c = w
    else:
        layers.append(nn.Conv2d(c, 2, 1))
    return nn.Sequential(*layers)


def build_while():
    layers = []
    i = 0
    c = 4
    while i < 3:
        layers.append(nn.Linear(c, c * 2))
        c *= 2
        i += 1
    return nn.Sequential(*layers)


def build_zip_enumerate_reversed():
    ins = [3, 5, 7]
    outs = [6, 10, 14]
    layers = nn.ModuleList()
    for i, (a, b) in enumerate(zip(ins, outs)):
        layers.append(nn.Conv1d(a, b, i + 1))
    for w in reversed(outs):
        layers.append(nn.BatchNorm1d(w))
    return layers


def build_dict_items():
    spec = {"q": 8, "k": 4, "v": 2}
    heads = nn.ModuleDict()
    for name, dim in spec.items():
        heads[name] = nn.Linear(16, dim)
    return heads


def build_comprehensions():
    dims = [2, 4, 8, 16]
    linears = [nn.Linear(a, b) for a, b in zip(dims, dims[1:]) if b != 8]
    norms = {d: nn.LayerNorm(d) for d in dims if d > 2}
    embeds = list(nn.Embedding(n, 3) for n in range(2, 5))
    nested = [nn.Linear(i, j) for i in range(1, 3) for j in range(i, 3)]
    return nn.ModuleList(linears + list(norms.values()) + embeds + nested)
'''


def test_loops_break_else_while_zip_enumerate_and_comprehensions(tmp_path: Path) -> None:
    check_program(tmp_path, LOOPS, ["build_break", "build_for_else", "build_while",
                                    "build_zip_enumerate_reversed", "build_dict_items",
                                    "build_comprehensions"])


TRY_EXCEPT = '''\
import torch.nn as nn


def parse_width(text, default=5):
    try:
        return int(text)
    except ValueError:
        return default


def build_ok():
    try:
        head = nn.Linear(parse_width("12"), 3)
    except ValueError:
        head = nn.Linear(1, 1)
    else:
        head = nn.Sequential(head, nn.Linear(3, 3))
    return head


def build_fallback():
    try:
        table = {"a": 4}
        width = table["b"]
    except KeyError:
        width = 6
    finally:
        width += 1
    layers = [nn.Linear(width, 2)]
    try:
        if width > 0:
            raise RuntimeError("always")
        layers.append(nn.Linear(99, 99))
    except (TypeError, RuntimeError):
        layers.append(nn.Linear(width, width))
    return nn.Sequential(*layers)


def build_parse():
    return nn.Sequential(nn.Linear(parse_width("x"), 4), nn.Linear(parse_width("9"), 4))
'''


def test_try_except_flow(tmp_path: Path) -> None:
    check_program(tmp_path, TRY_EXCEPT, ["build_ok", "build_fallback", "build_parse"])


SHADOWED = '''\
import torch
import torch.nn as nn
from torch.nn import Conv2d as RealConv

STEM = nn.Conv2d(3, 8, 3)


class Conv2d:
    def __init__(self, *args, **kwargs):
        self.args = args


def fake_block(conv, width):
    return conv(3, width, 3)


def block_with(Conv2d, width=8):
    return Conv2d(4, width, 3)


def local_nn(width):
    class nn:
        @staticmethod
        def Linear(a, b):
            return (a, b)

    return nn.Linear(width, width)


nn = None


def build():
    fake_block(Conv2d, 64)
    local_nn(4)
    made = [block_with(RealConv), block_with(Conv2d), block_with(torch.nn.Conv2d, 16)]
    return torch.nn.Sequential(*[m for m in made if isinstance(m, torch.nn.Module)])


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = STEM
        self.body = build()
'''


def test_shadowed_framework_names(tmp_path: Path) -> None:
    check_program(tmp_path, SHADOWED, ["build", "Net"])


OPTIONAL_MIXINS = '''\
import torch.nn as nn

try:
    from not_installed_hub import HubMixin, AdapterMixin
except ImportError:
    class HubMixin:
        pass

    class AdapterMixin:
        pass


def pick(name):
    return {"save": type("SaveMixin", (), {}), "load": type("LoadMixin", (), {})}[name]


SaveMixin = pick("save")
LoadMixin = pick("load")


class Model(nn.Module, HubMixin, AdapterMixin):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)


class Picked(nn.Module, SaveMixin, LoadMixin):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 3)


class Both(Model, Picked):
    pass


model = Model()
'''

CONFLICTING_BASES = '''\
import torch.nn as nn


class Derived(nn.Module):
    pass


class Bad(nn.Module, Derived):
    pass


model = nn.Sequential(nn.Linear(4, 2))
'''


def test_bases_the_code_does_not_fix_are_classes_of_their_own(tmp_path: Path) -> None:
    """Two bases the evaluator cannot fix (an optional import's fallback, a class made by a
    call) are two classes, as in Python: the class statements run, and the classes count. A base
    order Python refuses still raises where it does."""
    check_program(tmp_path, OPTIONAL_MIXINS, ["Model", "Picked", "Both"])
    report = run_paramlens([str(tmp_path / "prog.py")], tmp_path)[real_path(tmp_path / "prog.py")]
    said = [a for layer in report["layers"] for a in layer["assumptions"]]
    assert not [a for a in said if "raises" in a], said
    assert [m["params"] for m in report["models"] if m["name"] == "model"] == [10]

    bad = tmp_path / "bad.py"
    bad.write_text(CONFLICTING_BASES, encoding="utf-8")
    run = subprocess.run([sys.executable, str(bad)], capture_output=True, text=True, check=False)
    assert "TypeError: Cannot create a consistent method resolution" in run.stderr, run.stderr
    models = run_paramlens([str(bad)], tmp_path)[real_path(bad)]["models"]
    assert [m["name"] for m in models] == ["Derived"], models  # Python never makes `model`


REGISTRY = '''\
import torch.nn as nn

_REGISTRY = {}


def register_model(fn):
    _REGISTRY[fn.__name__] = fn
    return fn


@register_model
def small(width=16):
    return nn.Sequential(nn.Linear(4, width), nn.ReLU(), nn.Linear(width, 2))


class Heads:
    def make(self, width=16):
        return nn.Sequential(nn.Linear(4, width), nn.ReLU(), nn.Linear(width, 2))


def create_model(name, **kwargs):
    return _REGISTRY[name](**kwargs)


def wide():
    return Heads().make(width=48)


model = create_model("small", width=32)
'''


def test_a_builder_called_with_other_arguments_keeps_its_own_counts(tmp_path: Path) -> None:
    """`small` is reached through the registry with width=32, and is a builder its users call
    with its defaults: both calls' counts are contexts of its layers. `Heads.make`, which only
    the builder `wide` calls (width=48), shows that count, and neither `width keeps its default
    16` nor the input size 16 that the defaults give is said beside it."""
    check_program(tmp_path, REGISTRY, ["small", "wide"])
    report = run_paramlens([str(tmp_path / "prog.py")], tmp_path)[real_path(tmp_path / "prog.py")]
    second = [layer for layer in report["layers"]
              if layer["line"] == 18 and layer["layer"] == "torch.nn.Linear"][-1]
    assert second["params_default"] == 48 * 2 + 2, second
    assert not [a for a in second["assumptions"] if "default" in a], second["assumptions"]
    assert second["in_channels_default"] in (None, 48), second
    # the Sequential `small` returns is two models, as torch builds them (114 with the defaults,
    # 226 through the registry): no one total there, not 226 "if defaults hold"
    namespace: dict[str, object] = {}
    exec(compile(REGISTRY, "registry.py", "exec"), namespace)  # noqa: S102 - the program above
    small = namespace["small"]
    totals = {sum(p.numel() for p in small(**kwargs).parameters())  # type: ignore[operator]
              for kwargs in ({}, {"width": 32})}
    assert totals == {114, 226}, totals
    made = [m for m in report["models"] if m["line"] == 13 and m["name"] == "Sequential"]
    assert made and all(m["params"] is None and m["params_default"] is None for m in made), made


DETECTION_PACKAGE = {
    "__init__.py": """\
from .heads import *
from .lite import *
""",
    "probe.py": """\
import torch


def out_channels(model, size):
    training = model.training
    model.eval()
    with torch.no_grad():
        device = next(model.parameters()).device
        features = model(torch.zeros((1, 3, size, size), device=device))
    if training:
        model.train()
    return [x.size(1) for x in features.values()]
""",
    "heads.py": """\
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import probe

__all__ = ["Backbone", "Detector", "ScoringHead", "full"]


class ScoringHead(nn.Module):
    def __init__(self, convs):
        super().__init__()
        self.convs = convs


class ClassHead(ScoringHead):
    def __init__(self, channels, classes):
        super().__init__(nn.ModuleList(nn.Conv2d(c, classes, 3, padding=1) for c in channels))


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2), nn.ReLU(), nn.MaxPool2d(2))
        self.stem[2].ceil_mode = True
        self.scale = nn.Parameter(torch.ones(16) * 20)
        self.extra = nn.ModuleList([
            nn.Sequential(nn.Conv2d(16, 24, 3, stride=2, padding=1), nn.BatchNorm2d(24)),
            nn.Sequential(nn.Conv2d(24, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8)),
        ])

    def forward(self, x):
        x = self.stem(x)
        out = [self.scale.view(1, -1, 1, 1) * F.normalize(x)]
        for block in self.extra:
            x = block(x)
            out.append(x)
        return OrderedDict((str(i), v) for i, v in enumerate(out))


class Detector(nn.Module):
    def __init__(self, backbone, head, classes):
        super().__init__()
        self.backbone = backbone
        self.head = head(probe.out_channels(backbone, 11), classes)


def full(classes=5):
    return Detector(Backbone(), ClassHead, classes)
""",
    "lite.py": """\
import torch.nn as nn

from .heads import Backbone, Detector, ScoringHead


class LiteHead(ScoringHead):
    def __init__(self, channels, classes):
        super().__init__(nn.ModuleList(nn.Conv2d(c, 2 * classes, 1) for c in channels))


def lite(classes=3):
    return Detector(Backbone(), LiteHead, classes)
""",
}


def test_a_dry_run_on_the_parameters_device_in_eval_mode_inside_a_package(tmp_path: Path) -> None:
    """torchvision's SSD idiom: the head's input channels come from running the backbone on a
    dummy image made on `next(model.parameters()).device`, in eval mode (a batch norm then takes
    one value per channel), through a pooling whose `ceil_mode` was set after it was made, and a
    parameter viewed and scaled. Checked as two files of a package whose `__init__` imports both:
    the first file's body imports the package, which imports the second file before the first
    has defined the class the second derives from; Python imports the package first."""
    package = tmp_path / "detect"
    package.mkdir()
    for name, text in DETECTION_PACKAGE.items():
        (package / name).write_text(text, encoding="utf-8")
    files = [package / "heads.py", package / "lite.py"]

    def load() -> dict[Path, ModuleType]:
        sys.path.insert(0, str(tmp_path))
        try:
            return {path: importlib.import_module(f"detect.{path.stem}") for path in files}
        finally:
            sys.path.remove(str(tmp_path))
            for name in [n for n in sys.modules if n == "detect" or n.startswith("detect.")]:
                del sys.modules[name]

    builders = {files[0]: ["Backbone", "full"], files[1]: ["lite"]}
    truth = gather_truth(files, load, builders)
    report = run_paramlens([str(p.relative_to(tmp_path)) for p in files], tmp_path)
    assert_agrees(report, truth, builders)
    full = [m for m in report[real_path(files[0])]["models"] if m["name"] == "full"]
    assert [m["params"] if m["params"] is not None else m["params_default"] for m in full] == \
        [truth.totals[(real_path(files[0]), "full")]]


FACTORIES = '''\
import functools
from functools import partial

import torch.nn as nn


class Block(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        out = planes * self.expansion
        self.conv = nn.Conv2d(cin, out, 3, padding=1, bias=False)
        self.bn = norm_layer(out)

    @staticmethod
    def make_stem(width):
        return nn.Conv2d(3, width, 3)

    @classmethod
    def stack(cls, cin, planes, n, norm_layer=None):
        blocks = []
        for _ in range(n):
            blocks.append(cls(cin, planes, norm_layer))
            cin = planes * cls.expansion
        return nn.Sequential(*blocks)


class WideBlock(Block):
    expansion = 4


def make_act(kind):
    acts = {"relu": lambda: nn.ReLU(inplace=True), "prelu": lambda: nn.PReLU(8)}
    return acts[kind]()


def make_scaled_linear(scale):
    def make(n):
        return nn.Linear(n, n * scale)

    return make


def build_partial():
    norm = functools.partial(nn.BatchNorm2d, eps=1e-3)
    return nn.Sequential(Block.make_stem(8), *Block.stack(8, 8, 2, norm_layer=norm))


def build_inherit():
    gn = partial(nn.GroupNorm, 4)
    return nn.Sequential(Block.make_stem(16), WideBlock.stack(16, 4, 2, norm_layer=gn), Block(16, 16))


def build_closures():
    double = make_scaled_linear(2)
    triple = make_scaled_linear(3)
    square = lambda n: nn.Linear(n, n * n)  # noqa: E731
    return nn.Sequential(double(4), triple(8), square(3), make_act("prelu"), make_act("relu"))
'''


def test_partial_lambdas_closures_static_and_class_methods_inheritance(tmp_path: Path) -> None:
    check_program(tmp_path, FACTORIES, ["build_partial", "build_inherit", "build_closures"])


CONTAINERS = '''\
from collections import OrderedDict

import torch.nn as nn


class Stack(nn.Sequential):
    def __init__(self, widths):
        layers = []
        for a, b in zip(widths, widths[1:]):
            layers.append(nn.Linear(a, b))
        super().__init__(*layers)


class Heads(nn.Module):
    def __init__(self, dims=(4, 6)):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(8, d) for d in dims])
        self.named = nn.ModuleDict({"cls": nn.Linear(8, 3), "box": nn.Linear(8, 4)})
        self.named["extra"] = nn.Linear(8, 5)
        for i, d in enumerate(dims):
            self.add_module(f"proj{i}", nn.Conv1d(d, d, 1))
        self.trunk = nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(8, 8)),
            ("act", nn.GELU()),
            ("fc2", nn.Linear(8, 16)),
        ]))
        self.stack = Stack([16, 12, 8])
        self.blocks.append(nn.LayerNorm(8))
        self.blocks.extend([nn.Linear(2, 2)])
        self.blocks.insert(0, nn.Linear(1, 1))


def build():
    seq = nn.Sequential(Stack([3, 5, 7, 9]), nn.ModuleList([Stack([2, 2, 2])]))
    seq.add_module("tail", nn.Linear(9, 1))
    seq.append(nn.Linear(1, 3))
    return seq
'''


def test_module_containers(tmp_path: Path) -> None:
    check_program(tmp_path, CONTAINERS, ["Heads", "build"])


PARAMETERS = '''\
import torch
import torch.nn as nn


class Tiny(nn.Module):
    def __init__(self, dim=16, depth=2, vocab=50):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.ParameterList([nn.Parameter(torch.randn(dim)) for _ in range(depth)])
        self.register_parameter("scale", nn.Parameter(torch.ones(dim)))
        self.register_parameter("unused", None)
        self.register_buffer("mask", torch.ones(dim, dim))
        self.attn = nn.MultiheadAttention(dim, 4, batch_first=True)
        self.rnn = nn.GRU(dim, 8, num_layers=2)
        self.blocks = nn.ModuleList([nn.LayerNorm(dim) for _ in range(depth)])
        self.head = nn.Linear(dim, vocab, bias=False)
        self.head.weight = self.embed.weight
        self.frozen = nn.Linear(dim, dim)
        self.frozen.requires_grad_(False)
        for p in self.blocks[0].parameters():
            p.requires_grad = False


def shared_twice():
    layer = nn.Linear(5, 5)
    return nn.Sequential(layer, nn.ReLU(), layer)
'''


def test_parameters_that_are_not_layers(tmp_path: Path) -> None:
    check_program(tmp_path, PARAMETERS, ["Tiny", "shared_twice"])


ARGS_KWARGS = '''\
import torch.nn as nn


def conv_bn(cin, *args, **kwargs):
    bn_kwargs = kwargs.pop("bn", {})
    conv = nn.Conv2d(cin, *args, **kwargs)
    return nn.Sequential(conv, nn.BatchNorm2d(args[0], **bn_kwargs))


def linear(in_features, **kw):
    return nn.Linear(in_features, **kw)


def mlp(first, *rest, act=nn.ReLU, **head_kwargs):
    widths = (first, *rest)
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [nn.Linear(a, b), act()]
    layers.append(nn.Linear(widths[-1], **head_kwargs))
    return nn.Sequential(*layers)


def build():
    base = {"kernel_size": 3, "bias": False}
    wide = dict(base, **{"padding": 1, "bias": True})
    shape = (3, 16)
    return nn.Sequential(
        conv_bn(*shape, **base),
        conv_bn(16, 8, **wide),
        conv_bn(8, 8, 1, bn={"affine": False}),
        linear(4, out_features=2),
        linear(**dict(in_features=2, out_features=2, bias=False)),
    )


def build_mlp():
    dims = [4, 8, 16]
    return mlp(*dims, 32, out_features=3, bias=False)
'''


def test_args_kwargs_packing_and_unpacking(tmp_path: Path) -> None:
    check_program(tmp_path, ARGS_KWARGS, ["build", "build_mlp"])


DECORATED = '''\
import torch.nn as nn

_MODELS = {}


def register_model(fn):
    _MODELS[fn.__name__] = fn
    return fn


def register_as(name):
    def deco(fn):
        _MODELS[name] = fn
        return fn

    return deco


class Tiny(nn.Module):
    def __init__(self, width, depth=1):
        super().__init__()
        self.fcs = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])


@register_model
def tiny_8(pretrained=False, **kwargs):
    return Tiny(8, **kwargs)


@register_model
@register_as("wide")
def tiny_16(pretrained=False, **kwargs):
    return Tiny(16, depth=2)


def create_model(name, **kwargs):
    return _MODELS[name](**kwargs)


def build_by_name():
    return nn.Sequential(create_model("tiny_8", depth=3), create_model("wide"))
'''


def test_register_model_decorator(tmp_path: Path) -> None:
    check_program(tmp_path, DECORATED, ["tiny_8", "tiny_16", "build_by_name"])


DENSE_MOBILE = '''\
import torch.nn as nn


def _make_divisible(v, divisor=8, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(nn.Conv2d(inp, hidden_dim, 1, bias=False))
        layers.extend([
            nn.Conv2d(hidden_dim, hidden_dim, 3, stride, 1, groups=hidden_dim, bias=False),
            nn.BatchNorm2d(hidden_dim),
            nn.ReLU6(inplace=True),
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
        ])
        self.conv = nn.Sequential(*layers)


class MobileNetTiny(nn.Module):
    def __init__(self, width_mult=0.75, num_classes=10):
        super().__init__()
        input_channel = _make_divisible(16 * width_mult)
        settings = [[1, 8, 1, 1], [6, 12, 2, 2], [6, 20, 1, 2]]
        features = [nn.Conv2d(3, input_channel, 3, 2, 1, bias=False)]
        for t, c, n, s in settings:
            output_channel = _make_divisible(c * width_mult)
            for i in range(n):
                stride = s if i == 0 else 1
                features.append(InvertedResidual(input_channel, output_channel, stride, expand_ratio=t))
                input_channel = output_channel
        self.features = nn.Sequential(*features)
        self.classifier = nn.Linear(input_channel, num_classes)


class DenseLayer(nn.Module):
    def __init__(self, num_input_features, growth_rate, bn_size):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, 1, bias=False)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False)


class DenseNetTiny(nn.Module):
    def __init__(self, growth_rate=4, block_config=(2, 3), num_init_features=8, bn_size=2):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, num_init_features, 3, padding=1, bias=False))
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            for j in range(num_layers):
                layer = DenseLayer(num_features + j * growth_rate, growth_rate, bn_size)
                self.features.add_module("denselayer%d_%d" % (i + 1, j + 1), layer)
            num_features = num_features + num_layers * growth_rate
            if i != len(block_config) - 1:
                self.features.add_module(f"transition{i + 1}", nn.Conv2d(num_features, num_features // 2, 1))
                num_features = num_features // 2
        self.classifier = nn.Linear(num_features, 10)
'''


def test_densenet_and_mobilenet_arithmetic(tmp_path: Path) -> None:
    check_program(tmp_path, DENSE_MOBILE, ["MobileNetTiny", "DenseNetTiny"])


# --- budgets: torch cannot run these programs --------------------------------------------------

BUDGET = '''\
import torch.nn as nn


def spin():
    for i in range(10**9):
        pass
    return nn.Conv2d(3, 16, 3)


def forever(n=0):
    return forever(n + 1)


def recurse_then_build():
    try:
        forever()
    except RecursionError:
        pass
    return nn.Linear(4, 4)


def fine():
    return nn.Linear(2, 3)
'''


def _literal_layers(source: str) -> dict[tuple[int, int], int]:
    """(line, column) -> torch's count, for every nn.X(...) call whose arguments are literals."""
    out: dict[tuple[int, int], int] = {}
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "nn"
                and all(isinstance(a, ast.Constant) for a in node.args)
                and all(isinstance(k.value, ast.Constant) for k in node.keywords)):
            layer = getattr(nn, node.func.attr)(*[a.value for a in node.args],  # type: ignore[attr-defined]
                                                **{k.arg: k.value.value for k in node.keywords})  # type: ignore[attr-defined]
            out[(node.lineno, node.col_offset + 1)] = sum(p.numel() for p in layer.parameters())
    return out


def test_budget_stops_endless_loops_and_recursion(tmp_path: Path) -> None:
    # torch would loop 10**9 times and recurse until RecursionError; the counts of these layers
    # are fixed by their literal arguments, so torch builds them alone for the truth.
    path = tmp_path / "prog.py"
    path.write_text(BUDGET)
    truth = _literal_layers(BUDGET)
    assert sorted(truth.values()) == [9, 20, 448]
    report = run_paramlens([str(path)], tmp_path, timeout=10)
    problems = []
    for layer in report[real_path(path)]["layers"]:
        count = truth.get((layer["line"], layer["column"]))
        counts = [c for c in _context_counts(layer) or [] if c is not None]
        if count is None:
            problems.append(f"line {layer['line']}: unexpected layer {layer['layer']}")
            continue
        if layer["params"] not in (None, count) or set(counts) - {count}:
            problems.append(f"line {layer['line']}: params {layer['params']}, contexts {counts}, "
                            f"torch {count}")
    lines = discover_builders_lines(path)
    for name, total in (("spin", 448), ("fine", 9)):
        for model in report[real_path(path)]["models"]:
            mine = model["name"] in (name, name + "()") and model["line"] == lines[name]
            if mine and model["params"] is not None:
                if model["params"] != total:
                    problems.append(f"builder {name}: certain params {model['params']}, torch {total}")
    assert not problems, "\n".join(problems)


# `C = 9 ** 9 ** 9` is too expensive to evaluate (and torch must not run it either), so there is no
# truth from torch here: what is asserted is only that giving up on it does not leave the old value
# C = 3 in place. Conv2d(3, 16, 3) would be 448 parameters; 448 must appear nowhere, and the count
# must not be certain. The same holds for a local variable inside a builder.
STALE = '''\
import torch.nn as nn

C = 3
C = 9 ** 9 ** 9
stem = nn.Conv2d(C, 16, 3)


def build():
    c = 3
    c = 9 ** 9 ** 9
    return nn.Conv2d(c, 16, 3)
'''


def test_budget_leaves_no_stale_value(tmp_path: Path) -> None:
    path = tmp_path / "prog.py"
    path.write_text(STALE)
    report = run_paramlens([str(path)], tmp_path, timeout=10)
    layers = {layer["line"]: layer for layer in report[real_path(path)]["layers"]}
    assert sorted(layers) == [5, 11]
    for line, layer in layers.items():
        assert layer["params"] is None, f"line {line}: params {layer['params']}"
        assert layer["params_default"] != 448, f"line {line}: params_default 448, the stale C = 3"
        assert 448 not in (_context_counts(layer) or []), f"line {line}: {layer.get('contexts')}"
    for model in report[real_path(path)]["models"]:
        assert model["params"] != 448 and model.get("params_default") != 448, model


def test_the_resnet_example_every_context_and_the_total(tmp_path: Path) -> None:
    """examples/torch_resnet_block.py as a user opens it: TinyResNet's total and every count of
    every call, as torch builds them."""
    source = (Path(__file__).parent.parent / "examples" / "torch_resnet_block.py").read_text()
    truth = check_program(tmp_path, source, ["TinyResNet"])
    assert truth.totals, "torch built TinyResNet"


LINSPACE = '''\
import numpy as np
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, c, p):
        super().__init__()
        self.fc = nn.Linear(c, c)
        self.extra = nn.Linear(c, 1) if p > 0 else nn.Identity()


def build(depth=4):
    ps = np.linspace(0, 0.3, depth).tolist()
    return nn.Sequential(*[Block(8, p) for p in ps])
'''


def test_numpy_linspace_drop_rates(tmp_path: Path) -> None:
    """Stochastic-depth rates from np.linspace (MaxViT's way): how many there are, and which is 0."""
    check_program(tmp_path, LINSPACE, ["build"])


# --- programs torch refuses as it builds a model ----------------------------------------------------

REFUSED_BY_TORCH = {
    "a layer called without its input": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.fc()


        model = M()  # raises
        """,
    "a submodule read that was never set": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 4)
                self.fc2


        model = M()  # raises
        """,
    "a submodule read before it is assigned": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.out = nn.Linear(self.body.out_features, 2)
                self.body = nn.Linear(4, 4)


        model = M()  # raises
        """,
    "a ModuleList method that does not exist": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList()
                self.layers.add(nn.Linear(4, 4))


        model = M()  # raises
        """,
    "a Sequential member read by a name it does not have": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(OrderedDict(fc=nn.Linear(4, 4)))
                self.out = nn.Linear(self.body.head.out_features, 2)


        model = M()  # raises
        """,
    "a layer class name typed halfway": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 4)
                self.fc2 = nn.Lin


        model = M()  # raises
        """,
    "a misspelt initialiser": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                nn.init.trunc_normal(self.fc.weight)


        model = M()  # raises
        """,
    "getattr of a submodule never set": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.out = getattr(self, "fc2")


        model = M()  # raises
        """,
    "a name no __getattr__ finds": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.g = self.fc2

            def __getattr__(self, name):
                return super().__getattr__(name)


        model = M()  # raises
        """,
    "a layer of an integer dtype": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 8, dtype=torch.int32)


        model = M()  # raises
        """,
    "a dtype given as a string": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 8, dtype="float32")


        model = M()  # raises
        """,
    "a misspelt attribute of a plain config": """
        class Config:
            width = 4


        class M(nn.Module):
            def __init__(self, config=Config()):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.out = nn.Linear(config.widht, 2)


        model = M()  # raises
        """,
    "a list given to Sequential": """
        model = nn.Sequential([nn.Linear(2, 2), nn.Linear(2, 1)])  # raises
        """,
    "a lambda in a Sequential": """
        model = nn.Sequential(nn.Linear(2, 2), lambda x: x)  # raises
        """,
    "a layer given to ModuleList": """
        model = nn.ModuleList(nn.Linear(2, 2))  # raises
        """,
    "a parameter in a ModuleList": """
        model = nn.ModuleList([nn.Parameter(torch.zeros(3))])  # raises
        """,
    "a dotted key": """
        model = nn.ModuleDict({"a.b": nn.Linear(2, 2)})  # raises
        """,
    "a number as a key": """
        model = nn.ModuleDict({1: nn.Linear(2, 2)})  # raises
        """,
    "a dotted parameter name": """
        model = nn.ParameterDict({"a.b": nn.Parameter(torch.zeros(2))})  # raises
        """,
    "a parameter of integers": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.p = nn.Parameter(torch.zeros(3, dtype=torch.long))


        model = M()  # raises
        """,
    "a parameter of a full tensor of ints": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.p = nn.Parameter(torch.full((4,), 2))


        model = M()  # raises
        """,
    "a parameter of a tensor made long": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.p = nn.Parameter(torch.ones(3).to("cpu", torch.long))


        model = M()  # raises
        """,
    "arguments for Module.__init__": """
        class Net(nn.Module):
            def __init__(self, dim=8, **kwargs):
                super().__init__(**kwargs)
                self.fc = nn.Linear(dim, dim)


        model = Net(drop_rate=0.1)  # raises
        """,
    "a slice of a Sequential subclass that takes other arguments": """
        class Stage(nn.Sequential):
            def __init__(self, dim=4, depth=3):
                super().__init__(*[nn.Linear(dim, dim) for _ in range(depth)])


        model = nn.Sequential(Stage()[:2])  # raises
        """,
    "a layer class, not a layer, in a Sequential": """
        model = nn.Sequential(nn.Linear(4, 4), nn.Linear)  # raises
        """,
    "super without its call": """
        class Net(nn.Module):
            def __init__(self):
                super.__init__()
                self.fc = nn.Linear(4, 4)


        model = Net()  # raises
        """,
    "a key a ModuleDict has as a method": """
        model = nn.ModuleDict({"pop": nn.Linear(2, 2), "ok": nn.Linear(3, 3)})  # raises
        """,
    "a key every module has": """
        model = nn.Sequential(OrderedDict([("training", nn.Linear(2, 2))]))  # raises
        """,
    "an empty name": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.add_module("", nn.Linear(2, 2))


        model = M()  # raises
        """,
    "a parameter over a submodule's name": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(2, 2)
                self.register_parameter("lin", nn.Parameter(torch.zeros(3)))


        model = M()  # raises
        """,
    "a module over a parameter": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(torch.zeros(3))
                self.w = nn.Linear(3, 3)


        model = M()  # raises
        """,
    "a tensor over a submodule": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Linear(3, 3)
                self.w = torch.zeros(3)


        model = M()  # raises
        """,
    "a submodule added under a name every module has": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.add_module("__call__", nn.Linear(4, 4))


        model = M()  # raises
        """,
    "a ModuleDict key a ModuleDict has": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.heads = nn.ModuleDict({"__len__": nn.Linear(4, 4)})


        model = M()  # raises
        """,
    "more values than names to unpack them into": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                a, b = [1, 2, 3]


        model = M()  # raises
        """,
    "a size left None, then taken modulo 2": """
        class M(nn.Module):
            def __init__(self, kernel_size=None):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.even = kernel_size % 2 == 0


        model = M()  # raises
        """,
    "the max of nothing": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, max([]))


        model = M()  # raises
        """,
    "a layer method misspelt": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.fc.reset_parameter()


        model = M()  # raises
        """,
    "a layer attribute misspelt through getattr, the result chained": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                getattr(self.fc, "bias_").data.zero_()


        model = M()  # raises
        """,
    "a constructor argument torch does not keep, read back": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4, dtype=torch.float32)
                self.kind = self.fc.dtype


        model = M()  # raises
        """,
    "a Keras method asked of a torch layer": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                self.width = self.conv.count_params()


        model = M()  # raises
        """,
    "a weight times two over the weight": """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.l = nn.Linear(4, 4)
                self.l.weight = self.l.weight * 2


        model = M()  # raises
        """,
}


LAYER_ATTRIBUTES_ASKED = '''\
import torch.nn as nn


def build():
    bn = nn.BatchNorm2d(4)
    conv = nn.Conv2d(4, 8, 3)
    lstm = nn.LSTM(4, 8, num_layers=2)
    attention = nn.MultiheadAttention(8, 2)
    layers = [conv, bn]
    if hasattr(bn, "running_mean"):  # a buffer
        layers.append(nn.Linear(4, 4))
    if hasattr(conv, "transposed"):  # what the class's __init__ sets
        layers.append(nn.Linear(4, 5))
    if hasattr(lstm, "weight_ih_l1"):  # a parameter of the second layer
        layers.append(nn.Linear(4, 6))
    if hasattr(attention, "head_dim"):
        layers.append(nn.Linear(4, 7))
    if hasattr(conv, "weights"):  # a name torch does not have
        layers.append(nn.Linear(4, 8))
    if getattr(attention, "num_heads", None) == 2:
        layers.append(nn.Linear(4, 9))
    return nn.Sequential(*layers)
'''


def test_what_torch_gives_a_layer_is_there(tmp_path: Path) -> None:
    """hasattr and getattr on a torch layer: the attributes its class sets, its buffers and its
    parameters are there, and a name torch does not give it is not (the tree before said
    `running_mean`, `transposed` and `head_dim` were absent: 334 where torch builds 414)."""
    truth = check_program(tmp_path, LAYER_ATTRIBUTES_ASKED, ["build"])
    assert truth.totals[(real_path(tmp_path / "prog.py"), "build")] == 414 + 45


ARMS_THAT_RETURN = '''\
import os

import torch.nn as nn


def mode(flag):
    if flag:
        return "wide"
    else:
        return "narrow"


def strict(flag):
    if flag:
        raise ValueError("no")
    else:
        raise KeyError("no")


class Net(nn.Module):
    def __init__(self, flag=os.environ.get("PARAMLENS_TEST_FLAG")):
        super().__init__()
        chosen = mode(flag)
        self.fc = nn.Linear(4, 4)


class Strict(nn.Module):
    def __init__(self, flag=os.environ.get("PARAMLENS_TEST_FLAG")):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        strict(flag)
'''


def test_a_function_that_returns_in_every_arm_returns(tmp_path: Path) -> None:
    """Both arms of a condition the code does not fix return: the function returns, and the
    model is built (the tree before took it as raising: `Net: parameters not counted: the code
    raises`). Where every arm raises, the model is never built, and the report says so."""
    path = tmp_path / "arms.py"
    path.write_text(ARMS_THAT_RETURN)
    module = load_as_main(path)
    built = sum(p.numel() for p in module.Net().parameters())
    with pytest.raises((ValueError, KeyError)):
        module.Strict()
    (file,) = run_paramlens([str(path)], tmp_path).values()
    models = {m["name"]: m for m in file["models"]}
    assert models["Net"]["raised"] is None, models["Net"]
    assert models["Net"]["params"] == built == 20
    assert models["Strict"]["raised"] and models["Strict"]["params"] is None, models["Strict"]


def test_a_raise_python_makes_says_where(tmp_path: Path) -> None:
    """What Python refuses (a misspelt method of a layer) is placed where its traceback ends,
    as a `raise` statement is: the lens and the report say `the code raises (typo.py:7)`."""
    path = tmp_path / "typo.py"
    path.write_text(textwrap.dedent("""\
        import torch.nn as nn

        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.fc.reset_parameter()
        """))
    with pytest.raises(AttributeError) as raised:
        load_as_main(path).M()
    (own,) = [entry for entry in raised.traceback if entry.path == path]
    assert own.lineno + 1 == 7  # (pytest counts lines from 0; torch's __getattr__ raises)
    (file,) = run_paramlens([str(path)], tmp_path).values()
    (model,) = file["models"]
    assert model["params"] is None and model["raised"] == "typo.py:7", model


@pytest.mark.parametrize("case", sorted(REFUSED_BY_TORCH))
def test_a_model_torch_refuses_to_build_has_no_certain_total(tmp_path: Path, case: str) -> None:
    """torch or Python raises (TypeError, KeyError, RuntimeError, AttributeError, ValueError) in the statement
    that builds the model:
    no certain total may stand on that line, nor on the class whose __init__ raises."""
    source = "from collections import OrderedDict\n\nimport torch\nimport torch.nn as nn\n\n" + \
        textwrap.dedent(REFUSED_BY_TORCH[case])
    path = tmp_path / "refused.py"
    path.write_text(source)
    with pytest.raises((TypeError, KeyError, RuntimeError, AttributeError, ValueError)):  # torch's
        load_as_main(path)
    report = run_paramlens([str(path)], tmp_path)
    (file,) = report.values()
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "# raises" in text)
    certain = [m for m in file["models"] if m["params"] is not None and
               (m["line"] == line or m["name"] == "M")]
    assert certain == [], certain


# --- what runs only under a condition the code does not fix ---------------------------------------

# Each program builds `model`; PARAMLENS_TEST_FLAG (and PARAMLENS_TEST_JSON) decide what it is.
# torch builds it with them unset and set: where the two differ, paramlens may give no certain
# count for it; where they agree, only that count. (Each was counted certain, and wrong for one
# of the two, on the tree before.)
UNDER_A_CONDITION = {
    "a dict item set in one arm": """
        cfg = {"w": 8}
        if os.environ.get("PARAMLENS_TEST_FLAG"):
            cfg["w"] = 16
        model = nn.Linear(4, cfg["w"])
        """,
    "a dict updated in one arm, in a builder": """
        def build():
            cfg = {"w": 8}
            if os.environ.get("PARAMLENS_TEST_FLAG"):
                cfg.update(w=16)
            return nn.Linear(4, cfg["w"])
        model = build()
        """,
    "a dict updated from what the code does not fix": """
        def build():
            cfg = {"w": 8}
            cfg.update(json.loads(os.environ.get("PARAMLENS_TEST_JSON", "{}")))
            return nn.Linear(4, cfg["w"])
        model = build()
        """,
    "a dict updated with **what the code does not fix": """
        def build():
            cfg = dict(w=8)
            cfg.update(**json.loads(os.environ.get("PARAMLENS_TEST_JSON", "{}")))
            return nn.Linear(4, cfg["w"])
        model = build()
        """,
    "an object's attribute set in one arm": """
        class Box:
            def __init__(self):
                self.width = 8
        def build():
            box = Box()
            if os.environ.get("PARAMLENS_TEST_FLAG"):
                box.width = 16
            return nn.Linear(4, box.width)
        model = build()
        """,
    "a class attribute set in one arm": """
        class Cfg:
            width = 8
        if os.environ.get("PARAMLENS_TEST_FLAG"):
            Cfg.width = 16
        model = nn.Linear(4, Cfg.width)
        """,
    "a global set in one arm of a function": """
        WIDTH = 8
        def widen():
            global WIDTH
            if os.environ.get("PARAMLENS_TEST_FLAG"):
                WIDTH = 16
        widen()
        model = nn.Linear(4, WIDTH)
        """,
    "setattr in one arm": """
        class Box:
            width = 8
        box = Box()
        if os.environ.get("PARAMLENS_TEST_FLAG"):
            setattr(box, "width", 16)
        model = nn.Linear(4, box.width)
        """,
    "a dict updated after `and`, which may not run it": """
        cfg = {"w": 8}
        os.environ.get("PARAMLENS_TEST_FLAG") and cfg.update(w=16)
        model = nn.Linear(4, cfg["w"])
        """,
    "a list extended in one arm, its length read": """
        sizes = [4, 8]
        if os.environ.get("PARAMLENS_TEST_FLAG"):
            sizes.extend([16, 32])
        model = nn.Linear(4, len(sizes))
        """,
    "a list sorted in one arm": """
        sizes = [16, 8]
        if os.environ.get("PARAMLENS_TEST_FLAG"):
            sizes.sort()
        model = nn.Linear(4, sizes[0])
        """,
    "a layer attribute set in one arm through another name": """
        fc = nn.Linear(4, 4)
        box = {"fc": fc}
        if os.environ.get("PARAMLENS_TEST_FLAG"):
            box["fc"].out_features = 16
        model = nn.Linear(4, fc.out_features)
        """,
    "a while loop left by a break under a condition, then by a certain one": """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList()
                i = 0
                while True:
                    self.layers.append(nn.Linear(4, 4))
                    i += 1
                    if i >= 2:
                        break
                    if os.environ.get("PARAMLENS_TEST_FLAG"):
                        break
        model = Net()
        """,
    "a for loop's else after a break under a condition": """
        def build():
            for k in range(3):
                for j in range(3):
                    if os.environ.get("PARAMLENS_TEST_FLAG") and j == 1:
                        break
                else:
                    continue
                return nn.Linear(4, k + 10)
            return nn.Linear(4, 2)
        model = build()
        """,
    "an else after a try whose conversion may raise": """
        try:
            n = int(os.environ.get("PARAMLENS_TEST_FLAG", "x"))
        except ValueError:
            n = 9
        else:
            n = 1
        model = nn.Linear(4, n)
        """,
    "len() of an int, raising in a try": """
        try:
            n = len(5)
        except TypeError:
            n = 9
        else:
            n = 1
        model = nn.Linear(4, n)
        """,
    "a layer's parameter deleted, then asked for": """
        fc = nn.Linear(4, 8)
        del fc.bias
        model = nn.Linear(8, 3 if hasattr(fc, "bias") else 5)
        """,
    "a layer's parameter deleted in one arm, the layer read after": """
        fc = nn.Linear(4, 8)
        if os.environ.get("PARAMLENS_TEST_FLAG"):
            del fc.bias
        model = nn.Linear(fc.out_features, 3 if hasattr(fc, "bias") else 5)
        """,
    "a layer's attribute deleted, then read with a default": """
        fc = nn.Linear(4, 8)
        delattr(fc, "in_features")
        model = nn.Linear(getattr(fc, "in_features", 11), 2)
        """,
    "an LSTM's projection weights, absent without proj_size": """
        lstm = nn.LSTM(4, 8)
        gru = nn.GRU(4, 8, bias=False)
        model = nn.Linear(4, (3 if hasattr(lstm, "weight_hr_l0") else 5) +
                          (1 if hasattr(gru, "bias_hh_l0") else 2))
        """,
}


def _built_total(path: Path, env: dict[str, str]) -> int:
    saved = {k: os.environ.get(k) for k in ("PARAMLENS_TEST_FLAG", "PARAMLENS_TEST_JSON")}
    try:
        for key in saved:
            os.environ.pop(key, None)
        os.environ.update(env)
        model = load_as_main(path).model
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("case", sorted(UNDER_A_CONDITION))
def test_what_a_condition_decides_is_not_certain(tmp_path: Path, case: str) -> None:
    source = "import json\nimport os\n\nimport torch.nn as nn\n\n" + \
        textwrap.dedent(UNDER_A_CONDITION[case])
    path = tmp_path / "cond.py"
    path.write_text(source)
    unset = _built_total(path, {})
    set_ = _built_total(path, {"PARAMLENS_TEST_FLAG": "1", "PARAMLENS_TEST_JSON": '{"w": 16}'})
    (file,) = run_paramlens([str(path)], tmp_path).values()
    line = next(i for i, text in enumerate(source.splitlines(), 1) if text.startswith("model ="))
    # (every model of these files is the one `model` names, or the builder or class making it)
    certain = [m["params"] for m in file["models"] if m["params"] is not None]
    certain += [layer["params"] for layer in file["layers"]
                if layer["line"] == line and layer["params"] is not None and
                layer["layer"] == "torch.nn.Linear"]
    allowed = {unset} if unset == set_ else set()
    assert set(certain) <= allowed, (certain, unset, set_)


NEVER_BUILT_HERE = '''\
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, wide):
        super().__init__()
        if wide:
            self.fc = nn.Linear(4, 8)
        else:
            self.fc = nn.Linear(4, 4)


class Stack(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(n)])


class Loop(nn.Module):
    def __init__(self, n):
        super().__init__()
        for i in range(n):
            setattr(self, f"fc{i}", nn.Linear(4, 4))
'''


def test_a_class_built_nowhere_has_no_total_its_arguments_decide(tmp_path: Path) -> None:
    """Classes that need arguments, which nothing in the file builds: the file's own reading gave
    each a certain total, summing its layers once each (Block 60, where torch builds 40 or 20;
    Stack and Loop 20, where torch builds 20 × n). A layer built in a branch, a loop or a
    comprehension may be built any number of times."""
    path = tmp_path / "blocks.py"
    path.write_text(NEVER_BUILT_HERE)
    module = load_as_main(path)
    built = {sum(p.numel() for p in make().parameters()) for make in (
        lambda: module.Block(True), lambda: module.Block(False))}
    assert built == {40, 20}
    assert sum(p.numel() for p in module.Stack(3).parameters()) == 60
    (file,) = run_paramlens([str(path)], tmp_path).values()
    totals = {m["name"]: m["params"] for m in file["models"]}
    assert totals == {"Block": None, "Stack": None, "Loop": None}, totals


def test_a_while_true_left_under_a_condition_ends_at_its_certain_break(tmp_path: Path) -> None:
    """After a pass that may have left `while True:` (a break under a condition the code does
    not fix), each further pass runs only where it did not: the tree before ran them one by one
    to the 3 s limit, 13,918 speculative Linears, where torch builds one or two."""
    path = tmp_path / "loop.py"
    path.write_text(textwrap.dedent("""\
        import os
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList()
                while True:
                    self.layers.append(nn.Linear(4, 4))
                    if os.environ.get("PARAMLENS_TEST_FLAG") or len(self.layers) == 2:
                        break

        model = Net()
        """))
    built = {len(load_as_main(path).model.layers)}
    os.environ["PARAMLENS_TEST_FLAG"] = "1"
    try:
        built.add(len(load_as_main(path).model.layers))
    finally:
        os.environ.pop("PARAMLENS_TEST_FLAG")
    assert built == {1, 2}
    (file,) = run_paramlens([str(path)], tmp_path).values()
    (layer,) = file["layers"]
    assert sum(c["instances"] for c in layer["contexts"]) <= max(built), layer["contexts"]
    assert [m for m in file["models"] if m["params"] is not None] == [], file["models"]


UNDEFINED = '''\
import torch.nn as nn


def build():
    n = hiden
    return nn.Linear(4, 4)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.fc.train(Flase)


steps = 1


def grow():
    steps += 1
    return nn.Linear(4, 4)
'''

# Names found nowhere by the evaluation, which Python still finds: no NameError.
DEFINED_OTHERWISE = '''\
import torch.nn as nn

WIDTH = 6


def later():
    return nn.Linear(4, DEPTH)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, WIDTH)
        self.tail = later()
        print(__file__, __name__, bytes, slice)


DEPTH = 3
model = Net()
'''


def test_a_name_the_file_binds_nowhere_raises_name_error(tmp_path: Path) -> None:
    """`hiden`, `Flase`: Python raises NameError where a name is read that the file binds
    nowhere (pyflakes' "undefined name"); the tree before took it as unknown and counted the
    builder (20, certain) and the class (20). `steps += 1` in a function reads a local before it
    is bound (UnboundLocalError): the tree before read the global and counted 20. A name bound
    by a string (`globals()`), later in the module, or a builtin the evaluator does not model,
    is no NameError."""
    path = tmp_path / "typo.py"
    path.write_text(UNDEFINED)
    module = load_as_main(path)
    for make in (module.build, module.Net, module.grow):
        with pytest.raises(NameError):  # (UnboundLocalError is one)
            make()
    (file,) = run_paramlens([str(path)], tmp_path).values()
    models = {m["name"]: m for m in file["models"]}
    for name in ("build", "grow"):
        assert name not in models or models[name]["params"] is None, models
    assert models["Net"]["params"] is None, models
    assert models["Net"]["raised"] == "typo.py:13, name 'Flase' is not defined", models["Net"]

    by_string = DEFINED_OTHERWISE.replace("WIDTH = 6", 'globals()["WIDTH"] = 6')
    for name, source in (("fine.py", DEFINED_OTHERWISE), ("strings.py", by_string)):
        fine = tmp_path / name
        fine.write_text(source)
        built = sum(p.numel() for p in load_as_main(fine).model.parameters())
        (file,) = run_paramlens([str(fine)], tmp_path).values()
        assert [m["raised"] for m in file["models"] if m["raised"]] == [], file["models"]
        assert [m["params"] for m in file["models"] if m["name"] == "model"] in ([built], [None])


def test_a_name_bound_through_sys_modules_is_no_name_error(tmp_path: Path) -> None:
    """`from sys import modules` reaches the module's namespace as `modules[__name__]`, where a
    name may be bound that the file's text binds nowhere: no NameError may be said for it (the
    tree before said `build` raises, where Python builds 20)."""
    path = tmp_path / "through_modules.py"
    path.write_text(textwrap.dedent("""\
        from sys import modules

        import torch.nn as nn

        modules[__name__].WIDTH = 4


        def build():
            return nn.Linear(4, WIDTH)


        model = build()
        print(sum(p.numel() for p in model.parameters()))
        """))
    ran = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["20"]
    (file,) = run_paramlens([str(path)], tmp_path).values()
    # (a builder that raises gets no lens at all: this one has one, with no raise in it)
    assert [m["raised"] for m in file["models"] if m["name"] == "build"] == [None], file["models"]
    assert [m["params"] for m in file["models"] if m["params"] is not None] in ([], [20], [20, 20])


DRY_RUN = '''\
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable


class Tutorial(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5)
        self.conv2 = nn.Conv2d(32, 64, 5)
        x = torch.randn(50, 50).view(-1, 1, 50, 50)
        self._to_linear = None
        self.convs(x)
        self.fc1 = nn.Linear(self._to_linear, 512)

    def convs(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2, stride=3, ceil_mode=True)
        if self._to_linear is None:
            self._to_linear = x[0].shape[0] * x[0].shape[1] * x[0].shape[2]
        return x


class Probed(nn.Module):
    def __init__(self, input_shape=(3, 30, 30)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
            nn.Conv2d(32, 64, 3, dilation=2), nn.BatchNorm2d(64), nn.AdaptiveAvgPool2d((3, None)),
        )
        self.fc = nn.Linear(self._flat_size(input_shape), 10)

    def _flat_size(self, shape):
        output = self.features(Variable(torch.rand(1, *shape)))
        return output.data.view(1, -1).size(1)


class Frames(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn = nn.Sequential(nn.Conv1d(8, 16, 3, stride=2), nn.ReLU(),
                                 nn.ConvTranspose1d(16, 4, 4, stride=2, output_padding=1),
                                 nn.Flatten())
        with torch.no_grad():
            n_flatten = self.cnn(torch.zeros(1, 8, 100)).shape[1]
        self.linear = nn.Sequential(nn.Linear(n_flatten, 64), nn.ReLU())


class Volumes(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv3d(2, 4, (3, 1, 1), padding="same"),
                                  nn.AvgPool3d(2, stride=(1, 2, 2)))
        out = self.body(torch.ones(2, 5, 9, 9))
        self.head = nn.Linear(int(np.prod(out.shape[1:])), 10)
'''


def test_a_dry_run_gives_the_sizes_it_reads(tmp_path: Path) -> None:
    """A tensor of a fixed shape run through the layers in `__init__` (their Sequential, a
    module's own method, functional pooling), the size read off the result: each Linear gets
    it, as in torch. (Lazy layers, which this harness counts as they are made, before their
    first call: test_torch_dry_run.py.)"""
    check_program(tmp_path, DRY_RUN, ["Tutorial", "Probed", "Frames", "Volumes"])


SETS = '''\
import torch.nn as nn


def build_from_a_set():
    widths = [16, 32, 16, 64, 32]
    unique = set(widths)
    layers = [nn.Linear(len(unique), 4)]
    for w in sorted(unique):
        layers.append(nn.Linear(w, 2))
    if 64 in unique and 8 not in unique:
        layers.append(nn.Linear(max(unique) - min(unique), 2))
    return nn.Sequential(*layers)
'''

SET_CHANGED = '''\
import torch.nn as nn


def build_after_add(extra):
    seen = set([1, 2])
    seen.add(extra)
    return nn.Linear(len(seen), 2)


def build_after_union():
    seen = {1}
    seen |= {2}
    return nn.Linear(3, 2)


model = build_after_add(3)
'''


def test_the_size_of_a_set(tmp_path: Path) -> None:
    """A set's size, membership, sorted items, min and max are Python's; a loop over its sorted
    items builds as torch does."""
    check_program(tmp_path, SETS, ["build_from_a_set"])


def test_a_set_changed_in_place_has_no_size(tmp_path: Path) -> None:
    """After `seen.add(...)` the size is not the one before it: no count, where Python's is 3."""
    path = tmp_path / "prog.py"
    path.write_text(SET_CHANGED, encoding="utf-8")
    report = run_paramlens([str(path)], tmp_path)
    layer = next(x for x in report[real_path(path)]["layers"] if x["line"] == 7)
    assert layer["params"] is None
    assert all(c["params"] is None for c in layer["contexts"])


ADAPTIVE_SOFTMAX = '''\
import torch.nn as nn


class WordModel(nn.Module):
    def __init__(self, vocab=2000, dim=64, cutoffs=(100, 800)):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.rnn = nn.LSTM(dim, dim, batch_first=True)
        self.out = nn.AdaptiveLogSoftmaxWithLoss(dim, vocab, cutoffs=list(cutoffs),
                                                 div_value=2.0, head_bias=True)


def build():
    return nn.ModuleList([WordModel(), WordModel(vocab=500, cutoffs=[50, 100, 400])])
'''


def test_an_adaptive_softmax_head_counts_as_torch_builds_it(tmp_path: Path) -> None:
    """AdaptiveLogSoftmaxWithLoss: a head over the shortlist and the clusters, and two
    bias-free projections per cluster, their sizes from the cutoffs and div_value; each
    context and each total as torch counts them."""
    check_program(tmp_path, ADAPTIVE_SOFTMAX, ["build", "WordModel"])
