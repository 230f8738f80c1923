"""The model checks on random modules, every finding checked against torch running the same file.

Each program defines one nn.Module whose attributes are layers, plain lists and dicts of layers,
ModuleLists, references to other attributes and Sequentials of convolutions, norms and
activations (with and without bias), and whose forward uses a random part of them: by name,
through `getattr`, through a loop over `self.children()`, twice, or not at all, and sometimes
builds a layer inline; a Sequential is called whole, or a member of it is also used on its own
(by index, or by a loop that keeps each member's output). paramlens checks the file; then torch
builds the module and runs it, and every finding must be true of what it built:

- unregistered-layers: the attribute holds modules that `model.modules()` does not;
- unused-layer: after a forward and backward pass, none of the attribute's parameters has a
  gradient;
- layer-in-forward: two forward passes build that line's layer twice;
- redundant-bias: in training mode, moving that convolution's bias leaves the output unchanged.

A test that found nothing would prove nothing: each check must fire somewhere in the run.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import types
from pathlib import Path

import pytest
import torch
import torch.nn as nn

SEED = 20261126
COUNT = 100
CODES = ("unregistered-layers", "unused-layer", "layer-in-forward", "redundant-bias")


class ModuleWriter:
    """One random module: `__init__` lines and `forward` lines, with what each line made."""

    def __init__(self, rng: random.Random, prefix: str) -> None:
        self.rng = rng
        self.prefix = prefix  # the files are checked as one program: names of their own
        self.init: list[str] = []
        self.forward: list[str] = []
        self.attrs: list[tuple[str, str]] = []  # (name, kind)

    def linear(self) -> str:
        return f"nn.Linear(8, 8, bias={self.rng.choice(['True', 'False'])})"

    def attribute(self, index: int) -> None:
        rng, name = self.rng, f"{self.prefix}{index}"
        kind = rng.choice(["layer", "list", "dict", "tuple", "modulelist", "refs", "relu",
                           "seq"])
        if kind == "layer":
            self.init.append(f"self.{name} = {self.linear()}")
        elif kind == "list":
            items = ", ".join(self.linear() for _ in range(rng.randint(1, 3)))
            self.init.append(f"self.{name} = [{items}]")
        elif kind == "tuple":
            self.init.append(f"self.{name} = ({self.linear()},)")
        elif kind == "dict":
            self.init.append(f"self.{name} = {{'k': {self.linear()}}}")
        elif kind == "modulelist":
            self.init.append(f"self.{name} = nn.ModuleList([{self.linear()}])")
        elif kind == "refs":
            layers = [a for a, k in self.attrs if k == "layer"]
            if not layers:
                self.init.append(f"self.{name} = []")
                kind = "list"
            else:
                self.init.append(f"self.{name} = [self.{rng.choice(layers)}]")
        elif kind == "relu":
            self.init.append(f"self.{name} = nn.ReLU()")
        else:
            members = []
            for _ in range(rng.randint(2, 5)):
                members.append(rng.choice([
                    f"nn.Conv2d(4, 4, 3, padding=1, bias={rng.choice(['True', 'False'])})",
                    "nn.BatchNorm2d(4)", "nn.ReLU()"]))
            self.init.append(f"self.{name} = nn.Sequential(")
            self.init += [f"    {m}," for m in members]
            self.init.append(")")
        self.attrs.append((name, kind))

    def use(self, name: str, kind: str) -> None:
        rng = self.rng
        how = rng.choice(["direct", "direct", "getattr", "skip", "twice"])
        if how == "skip":
            return
        if kind == "seq":
            form = rng.choice(["whole", "whole", "index", "taps"])
            if form == "index":  # a member on its own too: its output goes elsewhere
                self.forward.append(f"y = self.{name}(y) + self.{name}[0](y)")
            elif form == "taps":  # each member's output kept (a feature pyramid's taps)
                self.forward += [f"for m in self.{name}:", "    y = m(y)",
                                 "    x = x + y.mean()"]
            else:
                self.forward.append(f"y = self.{name}(y)")
            if how == "twice":
                self.forward.append(f"y = self.{name}(y)")
            return
        if kind in ("list", "tuple", "modulelist", "refs"):
            self.forward += [f"for m in self.{name}:", "    x = m(x)"]
        elif kind == "dict":
            self.forward.append(f"x = self.{name}['k'](x)")
        elif how == "getattr":
            self.forward.append(f"x = getattr(self, {name!r})(x)")
        else:
            self.forward.append(f"x = self.{name}(x)")
            if how == "twice":
                self.forward.append(f"x = self.{name}(x)")

    def conv_pair(self) -> None:
        """A conv and a norm as attributes, used as `self.n(self.c(y))` or over two lines."""
        rng = self.rng
        bias = rng.choice(["True", "False"])
        self.init += [f"self.c = nn.Conv2d(4, 4, 3, padding=1, bias={bias})",
                      "self.n = nn.BatchNorm2d(4)"]
        form = rng.choice(["nested", "lines", "relu", "shared"])
        if form == "nested":
            self.forward.append("y = self.n(self.c(y))")
        elif form == "lines":
            self.forward += ["z = self.c(y)", "z = self.n(z)", "y = z"]
        elif form == "relu":
            self.forward.append("y = self.n(torch.relu(self.c(y)))")
        else:
            self.forward.append("y = self.n(self.c(y)) + self.c(y)")

    def source(self) -> str:
        rng = self.rng
        for index in range(rng.randint(2, 6)):
            self.attribute(index)
        for name, kind in self.attrs:
            self.use(name, kind)
        if rng.random() < 0.5:
            self.conv_pair()
        if rng.random() < 0.3:
            self.forward.insert(0, "x = nn.Linear(8, 8)(x)")
        if rng.random() < 0.15:
            self.forward += ["for child in self.children():", "    pass"]
        lines = ["import torch", "import torch.nn as nn", "", "", "class Model(nn.Module):",
                 "    def __init__(self):", "        super().__init__()"]
        lines += [f"        {line}" for line in self.init]
        lines += ["", "    def forward(self, x, y):"]
        lines += [f"        {line}" for line in self.forward]
        lines += ["        return x.sum() + y.sum()", ""]
        return "\n".join(lines)


def _programs() -> list[str]:
    rng = random.Random(SEED)
    return [ModuleWriter(rng, f"m{i}_").source() for i in range(COUNT)]


def _recording_nn(built: list[int]) -> types.SimpleNamespace:
    """torch.nn with Linear and Conv2d that note the line that built each object."""

    class Linear(nn.Linear):
        def __init__(self, *args, **kwargs) -> None:
            built.append(sys._getframe(1).f_lineno)
            super().__init__(*args, **kwargs)

    class Conv2d(nn.Conv2d):
        def __init__(self, *args, **kwargs) -> None:
            built.append(sys._getframe(1).f_lineno)
            super().__init__(*args, **kwargs)

    shim = types.SimpleNamespace(**{k: getattr(nn, k) for k in dir(nn) if not k.startswith("_")})
    shim.Linear, shim.Conv2d = Linear, Conv2d
    return shim


def _attribute_at(source: str, line: int) -> str:
    text = source.splitlines()[line - 1].strip()
    assert text.startswith("self."), text
    return text[5:].split("=")[0].strip()


def _inputs() -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randn(4, 8), torch.randn(4, 4, 6, 6)


def _holds(source: str, finding: dict) -> bool:
    """Whether torch, running `source`, agrees with the finding."""
    built: list[int] = []
    namespace: dict = {"__name__": "generated"}
    exec(compile(source, "generated.py", "exec"), namespace)
    namespace["nn"] = _recording_nn(built)
    torch.manual_seed(0)
    model = namespace["Model"]().train()
    x, y = _inputs()
    code, line = finding["code"], finding["line"]
    if code == "unregistered-layers":
        value = getattr(model, _attribute_at(source, line))
        items = list(value.values()) if isinstance(value, dict) else list(value)
        registered = {id(m) for m in model.modules()}
        return isinstance(value, (list, tuple, dict)) and \
            any(isinstance(m, nn.Module) and id(m) not in registered for m in items)
    if code == "unused-layer":
        layer = getattr(model, _attribute_at(source, line))
        model(x, y).backward()
        return all(p.grad is None for p in layer.parameters())
    if code == "layer-in-forward":
        before = built.count(line)
        model(x, y)
        model(x, y)
        return built.count(line) - before == 2
    if code == "redundant-bias":
        torch.manual_seed(1)  # a layer built inline gets the same weights in both passes
        first = model(x, y).detach()
        convs = [m for m in model.modules() if isinstance(m, nn.Conv2d) and m.bias is not None]
        # the finding's line is the conv's: find the object built there
        lines = {id(m): n for m, n in zip(
            [m for m in model.modules() if isinstance(m, nn.Conv2d)],
            _conv_lines(source), strict=False)}
        target = [m for m in convs if lines.get(id(m)) == line]
        if len(target) != 1:
            return False
        with torch.no_grad():
            target[0].bias.add_(3.0)
        torch.manual_seed(1)
        return torch.allclose(model(x, y).detach(), first, atol=1e-3)
    return False


def _conv_lines(source: str) -> list[int]:
    """The lines of the Conv2d calls, in the order model.modules() yields their objects: the
    attributes in the order they are set, each Sequential's members in order."""
    return [n for n, text in enumerate(source.splitlines(), 1) if "nn.Conv2d(" in text]


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, list[dict]]]:
    folder = tmp_path_factory.mktemp("generated_checks")
    sources = _programs()
    for i, source in enumerate(sources):
        (folder / f"m{i:03}.py").write_text(source)
    done = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                           "json", "."], cwd=folder, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PARAMLENS_CACHE_DIR": str(folder)})
    assert done.returncode in (0, 1), done.stderr
    by_name = {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}
    return [(source, [d for d in by_name[f"m{i:03}.py"]["diagnostics"] if d["code"] in CODES])
            for i, source in enumerate(sources)]


def test_every_finding_is_true_of_what_torch_builds(checked) -> None:
    wrong = [(source, f) for source, found in checked for f in found if not _holds(source, f)]
    assert not wrong, "\n\n".join(f"{f['code']} line {f['line']}: {f['message']}\n{s}"
                                  for s, f in wrong[:3])


def test_each_check_fires_somewhere(checked) -> None:
    fired = {f["code"] for _, found in checked for f in found}
    assert fired == set(CODES)
