"""A model whose blocks live in another module: the evaluator follows the import.

`paramlens check --format json model.py blocks.py`, run from the project root, must give the model
class the total torch gives it, and the layer sites in blocks.py the counts torch builds there
when model.py's entry point runs. The truth comes from importing the project for real (with the
project root on sys.path) under the same `__init__` wrapping as test_evaluation_torch.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

from test_evaluation_torch import assert_agrees, gather_truth, real_path, run_paramlens

BLOCKS = '''\
import torch.nn as nn

EXPANSION = 2


class Block(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.act = nn.ReLU(inplace=True)
        self.skip = nn.Conv2d(cin, cout, 1, stride=stride) if stride != 1 or cin != cout else nn.Identity()


def head(width, classes=10):
    return nn.Linear(width, classes)
'''

MODEL = '''\
import torch.nn as nn

{import_line}

WIDTHS = [8, 16, 16, 32]


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        layers = []
        cin = 3
        for i, w in enumerate(WIDTHS):
            layers.append(Block(cin, w * EXPANSION // 2, stride=2 if i % 2 else 1))
            cin = w
        layers.append(Block(cin, cin * EXPANSION))
        self.body = nn.Sequential(*layers)
        self.head = head(cin * EXPANSION, classes=5)
'''


@pytest.mark.parametrize("layout", ["flat", "package"])
def test_model_total_and_block_sites_across_two_modules(tmp_path: Path, layout: str) -> None:
    if layout == "flat":
        root, folder, prefix = tmp_path / "proj", tmp_path / "proj", ""
        import_line = "from blocks import EXPANSION, Block, head"
    else:
        root, folder, prefix = tmp_path, tmp_path / "pkg", "pkg."
        import_line = "from .blocks import EXPANSION, Block, head"
    folder.mkdir(exist_ok=True)
    if layout == "package":
        (folder / "__init__.py").write_text("")
    blocks, model = folder / "blocks.py", folder / "model.py"
    blocks.write_text(BLOCKS)
    model.write_text(MODEL.format(import_line=import_line))
    names = [prefix + "blocks", prefix + "model"] + (["pkg"] if prefix else [])

    def load() -> dict[Path, ModuleType]:
        importlib.invalidate_caches()
        return {model: importlib.import_module(prefix + "model"), blocks: sys.modules[prefix + "blocks"]}

    sys.path.insert(0, str(root))
    try:
        truth = gather_truth([blocks, model], load, {model: ["Model"], blocks: []})
    finally:
        sys.path.remove(str(root))
        for name in names:
            sys.modules.pop(name, None)
    # conv, bn, act, the skip's conv or Identity, the head's Linear: every layer is built in blocks.py
    assert {path for path, _, _ in truth.sites} == {real_path(blocks)} and len(truth.sites) == 6
    report = run_paramlens([str(model.relative_to(root)), str(blocks.relative_to(root))], root)
    assert_agrees(report, truth, {model: ["Model"], blocks: []})
