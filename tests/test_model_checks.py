"""The model checks (unregistered-layers, unused-layer, layer-in-forward, redundant-bias): each on
a true positive and on near misses that must stay silent. The fact behind every true positive is
asserted with torch itself on the same source, executed for real; the line a finding must stand
on is marked in the source with `# <- code`, never taken from our own output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import torch
import torch.nn as nn

from paramlens.review.registry import CHECKS

CASES: dict[str, str] = {
    "unregistered.py": """
        import torch.nn as nn


        class Stack(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = [nn.Linear(4, 4), nn.Linear(4, 2)]  # <- unregistered-layers
                self.heads = {"a": nn.Linear(2, 3)}  # <- unregistered-layers
                self.out = nn.Linear(3, 3)
                self.refs = [self.out]  # registered as self.out: no finding

            def forward(self, x):
                for layer in self.layers:
                    x = layer(x)
                return self.out(self.heads["a"](x))


        class Fine(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 2)])
                self.plain = [1, 2, 3]

            def forward(self, x):
                for layer in self.layers:
                    x = layer(x)
                return x
    """,
    "unused.py": """
        import torch.nn as nn


        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 8)
                self.spare = nn.Linear(8, 100)  # <- unused-layer
                self.act = nn.ReLU()
                self.act2 = nn.ReLU()  # unused, but it owns no parameters

            def forward(self, x):
                return self.act(self.fc(x))
    """,
    "unused_near.py": """
        import torch.nn as nn


        class ByName(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 8)
                self.extra = nn.Linear(8, 8)

            def forward(self, x):
                return getattr(self, "extra")(self.fc(x))


        class ByLoop(nn.Module):
            def __init__(self):
                super().__init__()
                self.first = nn.Linear(8, 8)
                self.second = nn.Linear(8, 8)

            def forward(self, x):
                for child in self.children():
                    x = child(x)
                return x


        class ByPath(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 8)
                self.scale = nn.Linear(1, 1)

            def forward(self, x):
                return self.fc(x) * (self.get_parameter("scale.weight") +
                                     self.get_parameter("scale.bias"))
    """,
    "in_forward.py": """
        import torch
        import torch.nn as nn


        class Fresh(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 8)

            def forward(self, x):
                x = nn.Linear(8, 8)(x)  # <- layer-in-forward
                proj = nn.Linear(8, 4)  # <- layer-in-forward
                x = torch.relu(nn.ReLU()(x))  # owns no parameters: no finding
                return proj(self.fc(x))


        class BuiltOnce(nn.Module):
            def __init__(self):
                super().__init__()
                self.head = None

            def forward(self, x):
                if self.head is None:
                    self.head = nn.Linear(x.shape[-1], 4)  # kept on the module: no finding
                return self.head(x)
    """,
    "bias.py": """
        import torch.nn as nn


        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 16, 3)  # <- redundant-bias
                self.bn = nn.BatchNorm2d(16)
                self.seq = nn.Sequential(
                    nn.Conv2d(16, 32, 3),  # <- redundant-bias
                    nn.BatchNorm2d(32),
                    nn.ReLU(),
                    nn.Conv2d(32, 32, 3),  # a ReLU stands between it and the norm: no finding
                    nn.ReLU(),
                    nn.BatchNorm2d(32),
                    nn.Conv2d(32, 8, 3, bias=False),
                    nn.BatchNorm2d(8),
                )

            def forward(self, x):
                x = self.bn(self.conv(x))
                return self.seq(x)


        class Shared(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 3, 1)  # used twice, once with no norm: no finding
                self.bn = nn.BatchNorm2d(3)

            def forward(self, x):
                return self.bn(self.conv(x)) + self.conv(x)
    """,
    "vgg_like.py": """
        import torch.nn as nn


        def make_layers(batch_norm=False):
            layers = []
            for v in (8, 16):
                conv = nn.Conv2d(3 if not layers else 8, v, 3)  # followed by a norm only if batch_norm
                layers += [conv, nn.BatchNorm2d(v), nn.ReLU()] if batch_norm else [conv, nn.ReLU()]
            return nn.Sequential(*layers)


        def plain():
            return make_layers()


        def with_norm():
            return make_layers(batch_norm=True)
    """,
    "keras_models.py": """
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input((12, 12, 3)),
            layers.Conv2D(8, 3),  # <- redundant-bias
            layers.BatchNormalization(),
            layers.Conv2D(8, 3),  # the norm normalises axis 1, not the channels: no finding
            layers.BatchNormalization(axis=1),
            layers.Dense(4, use_bias=False),
            layers.BatchNormalization(),
        ])
        activated = keras.Sequential([
            keras.Input((6,)),
            layers.Dense(8, activation="relu"),  # the relu between: the bias moves its cut
            layers.BatchNormalization(),
        ])


        class Tower(keras.Model):
            def __init__(self):
                super().__init__()
                self.blocks = [layers.Dense(4), layers.Dense(2)]  # Keras tracks lists: no finding

            def call(self, x):
                for block in self.blocks:
                    x = block(x)
                return x
    """,
}
CODES = ("unregistered-layers", "unused-layer", "layer-in-forward", "redundant-bias")


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    folder = tmp_path_factory.mktemp("model_checks")
    for name, source in CASES.items():
        (folder / name).write_text(textwrap.dedent(source).lstrip())
    done = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                           "json", *sorted(CASES)], cwd=folder, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PARAMLENS_CACHE_DIR": str(folder)})
    assert done.returncode in (0, 1), done.stderr
    return folder, {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}


def _namespace(folder: Path, name: str) -> dict:
    namespace: dict = {"__name__": name[:-3]}
    exec(compile((folder / name).read_text(), str(folder / name), "exec"), namespace)
    return namespace


def _marked(name: str) -> set[tuple[str, int]]:
    lines = textwrap.dedent(CASES[name]).lstrip().splitlines()
    return {(line.split("# <- ")[1].strip(), number) for number, line in enumerate(lines, 1)
            if "# <- " in line}


@pytest.mark.parametrize("name", sorted(CASES))
def test_findings_stand_exactly_on_the_marked_lines(checked, name: str) -> None:
    _, files = checked
    found = {(d["code"], d["line"]) for d in files[name]["diagnostics"] if d["code"] in CODES}
    assert found == _marked(name)
    for d in files[name]["diagnostics"]:
        if d["code"] in CODES:
            assert d["severity"] == CHECKS[d["code"]].severity


def _total(files: dict, name: str, model: str) -> int | None:
    for m in files[name]["models"]:
        if m["name"] == model:
            return m["params"] if m["unknown_layers"] == 0 else None
    return None


def test_unregistered_layers_are_left_out_by_torch_and_by_our_total(checked) -> None:
    folder, files = checked
    stack = _namespace(folder, "unregistered.py")["Stack"]()
    torch_total = sum(p.numel() for p in stack.parameters())
    in_lists = sum(p.numel() for layer in [*stack.layers, *stack.heads.values()]
                   for p in layer.parameters())
    assert in_lists > 0 and torch_total == stack.out.weight.numel() + stack.out.bias.numel()
    assert not any(p is q for layer in stack.layers for p in layer.parameters()
                   for q in stack.parameters())
    assert _total(files, "unregistered.py", "Stack") == torch_total
    messages = [d["message"] for d in files["unregistered.py"]["diagnostics"]
                if d["code"] == "unregistered-layers"]
    assert any(f"({sum(p.numel() for m in stack.layers for p in m.parameters()):,} parameters)"
               in m for m in messages)


def test_unused_layer_gets_no_gradient_in_torch(checked) -> None:
    folder, files = checked
    head = _namespace(folder, "unused.py")["Head"]()
    head(torch.randn(2, 8)).sum().backward()
    assert head.spare.weight.grad is None and head.fc.weight.grad is not None
    (message,) = [d["message"] for d in files["unused.py"]["diagnostics"]
                  if d["code"] == "unused-layer"]
    assert f"{sum(p.numel() for p in head.spare.parameters()):,} parameters" in message
    # the near misses really use their layers
    near = _namespace(folder, "unused_near.py")
    for cls in ("ByName", "ByLoop", "ByPath"):
        model = near[cls]()
        model(torch.randn(2, 8)).sum().backward()
        assert all(p.grad is not None for p in model.parameters())


def test_layer_in_forward_makes_new_weights_on_every_call(checked) -> None:
    folder, files = checked
    torch.manual_seed(0)
    fresh = _namespace(folder, "in_forward.py")["Fresh"]()
    x = torch.randn(2, 8)
    assert not torch.allclose(fresh(x), fresh(x))
    registered = sum(p.numel() for p in fresh.parameters())
    assert registered == fresh.fc.weight.numel() + fresh.fc.bias.numel()
    assert _total(files, "in_forward.py", "Fresh") == registered
    once = _namespace(folder, "in_forward.py")["BuiltOnce"]()
    assert torch.allclose(once(x), once(x))


def test_redundant_bias_does_not_change_the_output_in_training(checked) -> None:
    folder, files = checked
    torch.manual_seed(0)
    block = _namespace(folder, "bias.py")["Block"]().train()
    x = torch.randn(4, 3, 12, 12)
    before = block(x)
    with torch.no_grad():
        block.conv.bias.add_(torch.randn_like(block.conv.bias) * 5)
        block.seq[0].bias.add_(torch.randn_like(block.seq[0].bias) * 5)
    assert torch.allclose(block(x), before, atol=1e-4)
    with torch.no_grad():  # the near miss: a ReLU between conv and norm, so its bias matters
        block.seq[3].bias.add_(5.0)
    assert not torch.allclose(block(x), before, atol=1e-4)
    messages = sorted(d["message"] for d in files["bias.py"]["diagnostics"]
                      if d["code"] == "redundant-bias")
    assert [f"saves {block.conv.bias.numel()} parameters" in m for m in messages].count(True) == 1
    assert [f"saves {block.seq[0].bias.numel()} parameters" in m for m in messages].count(True) == 1
    shared = _namespace(folder, "bias.py")["Shared"]().train()
    y = torch.randn(4, 3, 5, 5)
    out = shared(y)
    with torch.no_grad():
        shared.conv.bias.add_(1.0)
    assert not torch.allclose(shared(y), out)


HOOKED = """
    import torch.nn as nn


    class Hooked(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
            self.taps = []
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    m.register_forward_hook(lambda mod, i, o: self.taps.append(o))

        def forward(self, x):
            self.taps.clear()
            return self.body(x).mean() + self.taps[0].mean()
    """


def test_a_bias_a_hook_taps_is_not_reported(tmp_path: Path) -> None:
    """The conv before the norm has a forward hook that keeps its output: its bias changes what
    forward returns, so no redundant-bias. (Checked alone: the `self.modules()` here would
    keep the other cases' forward pairs from being read.)"""
    (tmp_path / "hooked.py").write_text(textwrap.dedent(HOOKED).lstrip())
    done = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                           "json", "hooked.py"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    codes = [d["code"] for d in json.loads(done.stdout)["files"][0]["diagnostics"]]
    assert "redundant-bias" not in codes
    torch.manual_seed(0)
    model = _namespace(tmp_path, "hooked.py")["Hooked"]().train()
    x = torch.randn(4, 3, 10, 10)
    before = model(x)
    with torch.no_grad():
        model.body[0].bias.add_(3.0)
    assert abs(float(model(x) - before)) > 1.0


def test_a_bias_cancelled_in_only_some_builds_is_not_reported(checked) -> None:
    folder, _ = checked
    namespace = _namespace(folder, "vgg_like.py")
    plain, normed = namespace["plain"]().train(), namespace["with_norm"]().train()
    x = torch.randn(2, 3, 9, 9)
    before = plain(x)
    with torch.no_grad():
        plain[0].bias.add_(3.0)
    assert not torch.allclose(plain(x), before)  # without the norm the bias matters
    before = normed(x)
    with torch.no_grad():
        normed[0].bias.add_(3.0)
    assert torch.allclose(normed(x), before, atol=1e-4)


def test_keras_bias_before_a_channel_norm_changes_nothing_and_lists_are_tracked(checked) -> None:
    folder, files = checked
    namespace = _namespace(folder, "keras_models.py")
    model = namespace["model"]
    conv, norm = model.layers[0], model.layers[1]
    x = keras.random.normal((4, 12, 12, 3))
    before = keras.ops.convert_to_numpy(norm(conv(x), training=True))
    conv.bias.assign(conv.bias + 5.0)
    after = keras.ops.convert_to_numpy(norm(conv(x), training=True))
    assert abs(after - before).max() < 1e-3
    (message,) = [d["message"] for d in files["keras_models.py"]["diagnostics"]
                  if d["code"] == "redundant-bias"]
    assert f"saves {conv.bias.shape[0]} parameters" in message and "use_bias=False" in message
    dense, norm = namespace["activated"].layers
    x = keras.random.normal((16, 6))
    before = keras.ops.convert_to_numpy(norm(dense(x), training=True))
    dense.bias.assign(dense.bias + 1.0)
    after = keras.ops.convert_to_numpy(norm(dense(x), training=True))
    assert abs(after - before).max() > 1e-2  # (so no finding on it: the marks say none)
    tower = namespace["Tower"]()
    tower(keras.ops.ones((1, 3)))
    assert tower.count_params() == 3 * 4 + 4 + 4 * 2 + 2  # both Dense layers are tracked


def test_a_layer_read_only_by_a_file_not_checked_is_not_unused(tmp_path: Path) -> None:
    """model.py checked alone, while train.py beside it reads `model.projector`: the projector
    gets its gradient in torch, so no unused-layer; without train.py, the finding stands."""
    (tmp_path / "model.py").write_text(textwrap.dedent("""
        import torch.nn as nn


        class SimCLR(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = nn.Linear(32, 16)
                self.projector = nn.Linear(16, 8)

            def forward(self, x):
                return self.encoder(x)
        """))
    (tmp_path / "train.py").write_text("import torch\nfrom model import SimCLR\n\n"
                                       "model = SimCLR()\n"
                                       "loss = model.projector(model(torch.randn(4, 32))).sum()\n"
                                       "loss.backward()\n")

    def findings() -> list[str]:
        done = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache",
                               "--format", "json", "model.py"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        return [d["code"] for d in json.loads(done.stdout)["files"][0]["diagnostics"]]

    assert "unused-layer" not in findings()
    sys.path.insert(0, str(tmp_path))
    try:
        namespace = _namespace(tmp_path, "train.py")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("model", None)
    assert namespace["model"].projector.weight.grad is not None  # torch: it is used
    (tmp_path / "train.py").unlink()
    assert findings().count("unused-layer") == 1


def test_model_dict_keys_torch_refuses_are_the_ones_we_list() -> None:
    from paramlens.engine.evaluate.model_checks import _MODULE_DICT_ATTRIBUTES

    refused = set()
    for name in dir(nn.ModuleDict()) + ["fit", "summary", "layers"]:
        try:
            nn.ModuleDict({name: nn.ReLU()})
        except KeyError:
            refused.add(name)
    assert refused == set(dir(nn.ModuleDict()))  # (a Keras name is a key like any other)
    assert refused <= _MODULE_DICT_ATTRIBUTES and "fit" not in _MODULE_DICT_ATTRIBUTES


def test_every_engine_code_is_in_the_registry() -> None:
    root = Path(__file__).parent.parent / "server" / "paramlens" / "engine"
    text = "\n".join(p.read_text() for p in root.rglob("*.py"))
    for code in CODES + ("channel-mismatch", "groups-divisibility", "refused-arguments",
                         "refused-call", "merge-mismatch"):
        assert f'"{code}"' in text and code in CHECKS


def test_the_readme_describes_every_check() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for code, check in CHECKS.items():
        assert f"| `{code}` | {check.level} |" in readme, code
        assert f'"{code}"' in readme.split("[tool.paramlens]\ninclude")[1].split("```")[0], code
