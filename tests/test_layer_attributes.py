"""A layer's arguments read back as its attributes (`conv.stride`, `ln.normalized_shape`,
`layers.Conv2D(..., padding="SAME").padding`): each is what the framework made of the
argument (catalogue.LayerSpec.stored), or unknown, never another value.

For every class of the catalogue, built from the refusal test's random valid arguments, each
argument the built layer keeps as a plain value is compared in a builder of its own, which adds
a layer with parameters where the value differs. The framework builds each with none; paramlens
may leave one unknown, never count one. (The tree before kept every argument as given: 185 of
the torch builders and 110 of the Keras ones counted wrong.)"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from test_refusals_against_frameworks import SEED, _cases


def _literal(value: object) -> bool:
    if isinstance(value, (tuple, list)):
        return all(_literal(item) for item in value)
    return value is None or isinstance(value, (bool, int, float, str))


def _builders(framework: str, seed: int, namespace: dict[str, Any], odd: str, model: str
              ) -> list[str]:
    """One builder per (built layer, argument it keeps as a plain value), as source lines."""
    lines: list[str] = []
    for case in _cases(framework, random.Random(seed)):
        if case.spec.short.startswith("Lazy"):  # (their weights wait for a forward)
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                layer = eval(case.call, namespace)  # our own generated constructor text
        except Exception:  # noqa: BLE001 - a refused draw keeps nothing
            continue
        for param in case.spec.signature:
            if not hasattr(layer, param.name):
                continue
            value = getattr(layer, param.name)
            if _literal(value):
                lines += [f"def check_{len(lines)}():  # {case.spec.short}.{param.name}",
                          f"    layer = {case.call}",
                          f"    odd = [{odd}] if layer.{param.name} != {value!r} else []",
                          f"    return {model}", ""]
    return lines


def _wrong(tmp_path: Path, header: list[str], builders: list[str]) -> tuple[list[str], int, int]:
    """(the arguments paramlens counts wrong, how many it knows, how many builders)."""
    path = tmp_path / "kept.py"
    path.write_text("\n".join(header + builders))
    run = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                          "json", path.name], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300, check=False, env={**os.environ, "KERAS_BACKEND": "torch"})
    (file,) = json.loads(run.stdout)["files"]
    source = path.read_text().splitlines()
    totals = {source[m["line"] - 1]: m["params"] for m in file["models"]
              if m["name"].startswith("check_")}
    wrong = sorted(line.split("# ")[1] for line, total in totals.items() if total not in (0, None))
    return wrong, sum(1 for total in totals.values() if total == 0), len(totals)


def test_a_torch_layer_keeps_its_arguments_as_torch_does(tmp_path: Path) -> None:
    """`conv.stride` is (2, 2) for stride=2, `emb.padding_idx` 4 for -1 of 5,
    `ln.normalized_shape` (8,) for 8, a transposed convolution's padding 'same' the tuple of
    its letters."""
    import torch.nn as nn

    builders = _builders("torch", SEED, {"nn": nn}, "nn.Linear(1, 1)", "nn.Sequential(*odd)")
    wrong, known, total = _wrong(tmp_path, ["import torch.nn as nn", ""], builders)
    assert total > 3000 and not wrong, wrong[:40]
    assert known > 0.9 * total, f"{known} of {total} known"


def test_a_keras_layer_keeps_its_arguments_as_keras_does(tmp_path: Path) -> None:
    """`padding="SAME"` is 'same' on a convolution and 'SAME' on a pooling layer, a
    ZeroPadding2D's padding=1 is ((1, 1), (1, 1)), an RNN's dropout is clamped to [0, 1], and
    an `activation` string becomes a function."""
    keras = pytest.importorskip("keras")
    builders = _builders("keras", SEED + 1, {"layers": keras.layers, "keras": keras},
                         "layers.Dense(1)", "keras.Sequential([keras.Input(shape=(2,)), *odd])")
    wrong, known, total = _wrong(tmp_path, ["import keras", "from keras import layers", ""],
                                 builders)
    assert total > 1500 and not wrong, wrong[:40]
    assert known > 0.75 * total, f"{known} of {total} known"
