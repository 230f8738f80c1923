"""The names the evaluator takes as all that torch defines (engine/evaluate/torch_names.py)
against the installed torch: a name torch has that the list lacks would make the evaluator say
that reading it raises."""

import json
import pkgutil
import random
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch
import torch.nn as nn
import torch.nn.functional  # noqa: F401  (the namespaces below, imported as the code would)
import torch.nn.init  # noqa: F401

from paramlens.engine.evaluate.torch_names import (
    CONTAINER_ATTRIBUTES,
    LAYER_ATTRIBUTES,
    MODULE_ATTRIBUTES,
    NAMESPACES,
)
from test_refusals_against_frameworks import SEED, _cases


def test_every_attribute_of_a_new_module_is_listed() -> None:
    assert set(dir(nn.Module())) <= MODULE_ATTRIBUTES


@pytest.mark.parametrize("kind", sorted(CONTAINER_ATTRIBUTES))
def test_every_attribute_of_a_new_container_is_listed(kind: str) -> None:
    assert set(dir(getattr(nn, kind)())) <= CONTAINER_ATTRIBUTES[kind]


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_every_name_of_the_namespace_is_listed(namespace: str) -> None:
    module = torch
    for part in namespace.split(".")[1:]:
        module = getattr(module, part)
    subpackages = {m.name for m in pkgutil.iter_modules(getattr(module, "__path__", None) or [])}
    assert set(dir(module)) | subpackages <= NAMESPACES[namespace]


def test_a_name_torch_does_not_have_is_not_listed() -> None:
    """(So that the lists are not everything.)"""
    assert not hasattr(nn, "Lin") and "Lin" not in NAMESPACES["torch.nn"]
    assert not hasattr(nn.Module(), "add") and "add" not in MODULE_ATTRIBUTES
    assert not hasattr(nn.ModuleList(), "add") and "add" not in CONTAINER_ATTRIBUTES["ModuleList"]


def _built_layers(seed: int) -> list[tuple[str, str, nn.Module]]:
    """(class, constructor text, layer) for each random valid configuration of every torch class
    of the catalogue (the refusal test's draws) that torch builds."""
    built = []
    for case in _cases("torch", random.Random(seed)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                layer = eval(case.call, {"nn": nn})  # our own generated constructor text
        except Exception:  # noqa: BLE001 - a refused draw has no attributes to list
            continue
        built.append((case.spec.short, case.call, layer))
    return built


def test_every_attribute_of_a_built_layer_is_listed() -> None:
    """What dir() gives for a layer, but its parameters (the evaluator knows those from the
    arguments) and what every module has, is in its class's list: else reading it would be
    taken as raising."""
    problems = []
    layers = _built_layers(SEED) + _built_layers(SEED + 1)
    for short, call, layer in layers:
        names = set(dir(layer)) - MODULE_ATTRIBUTES - set(layer._parameters)
        missing = names - LAYER_ATTRIBUTES.get(short, frozenset())
        if missing:
            problems.append(f"{call}: {sorted(missing)}")
    assert {short for short, _, _ in layers} == set(LAYER_ATTRIBUTES)
    assert not problems, "\n".join(problems[:20])


def test_every_listed_attribute_is_one_every_layer_of_the_class_has() -> None:
    """(So that a name is not listed for a class whose instances lack it: `hasattr` on a layer
    says True for a listed name.)"""
    problems = []
    for short, call, layer in _built_layers(SEED):
        absent = {name for name in LAYER_ATTRIBUTES[short] if not hasattr(layer, name)}
        if absent:
            problems.append(f"{call}: {sorted(absent)}")
    assert not problems, "\n".join(problems[:20])


def test_every_layer_called_without_an_input_raises() -> None:
    """The evaluator takes a catalogued torch layer called with no argument as raising
    (`self.fc()`: TypeError, forward() missing its input): so it is, for each one built."""
    quiet = []
    for _short, call, layer in _built_layers(SEED):
        try:
            layer()
        except TypeError:
            continue
        quiet.append(call)
    assert not quiet, quiet[:20]


def test_the_evaluator_finds_every_attribute_of_a_built_layer(tmp_path: Path) -> None:
    """End to end: for one built layer of each class, a builder counts a Linear(1, 1) for each
    name dir() lists that `hasattr` denies, and one more if `hasattr` admits a name torch does
    not have. torch builds each with no parameter; paramlens must say 0, certain, for each."""
    first: dict[str, tuple[str, nn.Module]] = {}
    for short, call, layer in _built_layers(SEED):
        if not short.startswith("Lazy"):  # (their parameters are unknown until a forward)
            first.setdefault(short, (call, layer))
    lines = ["import torch.nn as nn", ""]
    for short, (call, layer) in sorted(first.items()):
        lines += ["", f"def check_{short}():", f"    layer = {call}",
                  f"    names = {sorted(dir(layer))!r}",
                  "    denied = [nn.Linear(1, 1) for name in names if not hasattr(layer, name)]",
                  "    admitted = [nn.Linear(1, 1)] if hasattr(layer, 'no_such_attribute') else []",
                  "    return nn.Sequential(*denied, *admitted)", ""]
    path = tmp_path / "attributes.py"
    path.write_text("\n".join(lines))
    namespace: dict = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # our own generated program
    truth = {f"check_{short}": sum(p.numel() for p in namespace[f"check_{short}"]().parameters())
             for short in first}
    run = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                          "json", path.name], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300, check=False)
    (file,) = json.loads(run.stdout)["files"]
    ours = {m["name"]: m["params"] for m in file["models"] if m["name"].startswith("check_")}
    assert set(truth.values()) == {0}
    assert ours == truth

