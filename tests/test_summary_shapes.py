"""The summary's Output Shape column against Keras itself, layer by layer.

Each model is built for real by Keras (KERAS_BACKEND=torch) from the same source the engine
reads. The expected shapes are Keras' own: `layer.output.shape`, and the Output Shape cell of
`model.summary()`. For a layer called twice the two differ (`layer.output` is its first call's,
the summary shows its last): ours is the summary's. Torch rows have no shape: the evaluator does
not run `forward`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import runpy
import sys
import types
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from paramlens.cli import main  # noqa: E402
from paramlens.engine.evaluate.tree import ModelSummary, SummaryRow, walk_rows  # noqa: E402
from paramlens.review.formats.summary import shape_cell  # noqa: E402
from paramlens.review.summary_command import find_models  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Every layer named, so that each row meets its Keras layer by name. Two inputs, a layer called
# on two tensors of different shapes, a merge, a reshape with -1, and a Sequential called inside
# the graph (its layers listed under it).
FUNCTIONAL = '''
import keras
from keras import layers


def build_model(vocab=100):
    tokens = keras.Input(shape=(12,), name="tokens")
    image = keras.Input(shape=(32, 32, 3), name="image")
    seq = layers.Embedding(vocab, 16, name="embed")(tokens)
    seq = layers.LSTM(24, return_sequences=True, name="lstm")(seq)
    pooled = layers.GlobalAveragePooling1D(name="seq_pool")(seq)
    x = layers.Conv2D(8, 3, strides=2, name="conv")(image)
    x = layers.MaxPooling2D(2, name="pool")(x)
    x = layers.Flatten(name="flat")(x)
    x = layers.Dense(24, name="proj")(x)
    shared = layers.Dense(6, name="shared")
    a = shared(x)
    b = shared(seq)
    b = layers.Flatten(name="flat_seq")(b)
    both = layers.Concatenate(name="cat")([a, b, pooled])
    grid = layers.Reshape((6, -1), name="grid")(both)
    head = keras.Sequential([layers.Dense(4, name="h1"), layers.Dense(2, name="h2")],
                            name="head")
    out = head(layers.Flatten(name="flat_grid")(grid))
    return keras.Model([tokens, image], out)


def build_sequential(width=20):
    model = keras.Sequential(name="built")
    model.add(layers.Dense(width, name="d1"))
    model.add(layers.Dropout(0.1, name="drop"))
    model.add(layers.Dense(3, name="d2"))
    model.build((None, 8))
    return model
'''


def _load(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch) -> None:
    # Keras' summary cuts names (`batch_normalizatio…`) to the terminal's width
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture(scope="module")
def functional_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("shapes") / "functional.py"
    path.write_text(FUNCTIONAL)
    return path


@pytest.fixture
def tensorflow_is_keras(monkeypatch) -> None:
    """examples/seed.py says `tf.keras`: here that is Keras 3 itself (TensorFlow is not
    installed, and tf.keras 2.16+ is Keras 3)."""
    shim = types.ModuleType("tensorflow")
    shim.keras = keras  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tensorflow", shim)


def _tree(path: Path, name: str) -> ModelSummary:
    found, error = find_models(str(path), 3)
    assert error is None
    [tree] = [m.summary for m in found if m.summary.root.name == name]
    return tree


def _summary_cells(model: Any) -> dict[str, str]:
    """Layer name → the Output Shape cell of Keras' own `model.summary()` (a cell too wide for
    its column goes on over the row's next lines)."""
    printed: list[str] = []
    model.summary(line_length=180, print_fn=lambda text, **_: printed.append(text))
    cells: dict[str, str] = {}
    row: list[list[str]] = []
    for line in [*"\n".join(printed).splitlines(), "└"]:
        if line.startswith("│"):
            row.append([part.strip() for part in line.split("│")[1:3]])
            continue
        if row and row[0][0]:  # a row ends at the next rule
            cells[row[0][0].split()[0]] = " ".join(part[1] for part in row if part[1])
        row = []
    return cells


def _output_shape(layer: Any) -> tuple:
    return tuple(layer.output.shape)


def _against_keras(rows: tuple[SummaryRow, ...], layers: list[Any], model: Any,
                   called_twice: frozenset[str] = frozenset()) -> None:
    cells = _summary_cells(model)
    assert len(rows) == len(layers)
    for row, layer in zip(rows, layers, strict=True):
        assert row.class_name == type(layer).__name__
        if layer.name not in called_twice:
            assert row.output_shape == _output_shape(layer), layer.name
        assert shape_cell(row) == cells[layer.name], layer.name
        if row.children:  # a model inside the model: its layers under it
            _against_keras(row.children, list(layer.layers), layer)


def _by_creation(layers: list[Any]) -> list[Any]:
    """Keras numbers unnamed layers of a class in the order they are made (`conv2d`,
    `conv2d_1`): that order, class by class, is the order the code made them in, as ours."""
    def made(layer: Any) -> int:
        stem, _, number = layer.name.rpartition("_")
        return int(number) if stem and number.isdigit() else 0
    return sorted(layers, key=made)


def test_functional_example_shapes_against_keras() -> None:
    """examples/keras_separable.py: unnamed layers, met class by class in the order made."""
    path = EXAMPLES / "keras_separable.py"
    tree = _tree(path, "build_model")
    model = _load(path, "shapes_separable").build_model()
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    cells = _summary_cells(model)
    classes = {type(layer).__name__ for layer in layers}
    for name in classes:
        ours = [row for row in tree.root.children if row.class_name == name]
        theirs = _by_creation([layer for layer in layers if type(layer).__name__ == name])
        assert [row.output_shape for row in ours] == [_output_shape(la) for la in theirs], name
        assert [shape_cell(row) for row in ours] == [cells[la.name] for la in theirs], name
    assert sum(1 for _ in tree.root.children) == len(layers)
    assert tree.root.output_shape == tuple(model.output.shape)


def test_named_functional_shapes_against_keras(functional_file: Path) -> None:
    tree = _tree(functional_file, "build_model")
    model = _load(functional_file, "shapes_functional").build_model()
    by_name = {row.name: row for row in tree.root.children}
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    assert sorted(by_name) == sorted(layer.name for layer in layers)
    _against_keras(tuple(by_name[layer.name] for layer in layers), layers, model,
                   called_twice=frozenset({"shared"}))
    # its last call's shape, not its first's: the two calls' outputs differ
    assert by_name["shared"].output_shape != _output_shape(model.get_layer("shared"))
    assert tree.root.output_shape == tuple(model.output.shape)


def test_sequential_built_with_a_shape_against_keras(functional_file: Path) -> None:
    tree = _tree(functional_file, "build_sequential")
    model = _load(functional_file, "shapes_sequential").build_sequential()
    _against_keras(tree.root.children, list(model.layers), model)
    assert tree.root.output_shape == tuple(model.outputs[0].shape)


@pytest.mark.usefixtures("tensorflow_is_keras")
@pytest.mark.parametrize(("name", "builder"), [("model", "get_model"),
                                               ("model_without_bias", "get_model_without_bias")])
def test_seed_shapes_against_keras(name: str, builder: str) -> None:
    """examples/seed.py: a Sequential whose first layer has `input_shape`, as its main block
    builds it."""
    path = EXAMPLES / "seed.py"
    tree = _tree(path, name)
    model = getattr(_load(path, "shapes_seed"), builder)((24, 24, 3))
    _against_keras(tree.root.children, list(model.layers), model)
    assert tree.root.output_shape == tuple(model.outputs[0].shape)


def test_json_output_shape_is_keras_shape(functional_file: Path, capsys) -> None:
    assert main(["summary", f"{functional_file}:build_model", "--format", "json"]) == 0
    tree = json.loads(capsys.readouterr().out)["models"][0]["tree"]
    model = _load(functional_file, "shapes_json").build_model()
    conv = next(child for child in tree["children"] if child["name"] == "conv")
    assert conv["output_shape"] == list(model.get_layer("conv").output.shape)
    assert tree["output_shape"] == list(model.output.shape)


def test_torch_rows_have_no_shape(capsys) -> None:
    """No input is fixed for TinyResNet: no shape is made up, and the text has no Output Shape
    column (torchinfo's layout when it is given no input); JSON says null."""
    tree = _tree(EXAMPLES / "torch_resnet_block.py", "TinyResNet")
    assert all(row.output_shape is None for row in walk_rows(tree.root))
    assert main(["summary", f"{EXAMPLES / 'torch_resnet_block.py'}:TinyResNet",
                 "--depth", "1"]) == 0
    out = capsys.readouterr().out
    assert "Output Shape" not in out and "Param #" in out
    stem = next(line for line in out.splitlines() if "(stem)" in line)
    namespace = runpy.run_path(str(EXAMPLES / "torch_resnet_block.py"))
    stem_count = sum(p.numel() for p in namespace["TinyResNet"]().stem.parameters())
    # Sequential (stem): 1-1, then torch's count of it, then its line
    assert stem.split()[3] == f"{stem_count:,}"
