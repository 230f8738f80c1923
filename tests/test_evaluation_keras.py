"""Whole Keras programs, evaluated by paramlens the way they run, against Keras running them.

Each test writes a program to disk, runs `paramlens check --format json` on it as a user would,
then runs the same program in this process with Keras (backend torch) and compares. Truth per
layer constructor call site is recorded while the program runs: `Layer.__init__` is wrapped so
that each layer object is mapped to the line of the program that created it, and once the program
has finished (its models built) each layer's `count_params()` is read. Expected numbers always
come from Keras, never from paramlens.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import os
import subprocess
import sys
import textwrap
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

Report = dict[str, Any]


# --- paramlens, as a subprocess ---------------------------------------------------------------

def paramlens(*paths: Path) -> dict[Path, Report]:
    """The JSON report of each file, by resolved path; none of them may be an error."""
    done = subprocess.run(
        [sys.executable, "-m", "paramlens", "check", "--format", "json", *map(str, paths)],
        cwd=paths[0].parent, capture_output=True, text=True, timeout=300)
    assert done.stdout.strip(), f"no JSON (exit {done.returncode}): {done.stderr}"
    files = {Path(f["path"]).resolve(): f for f in json.loads(done.stdout)["files"]}
    for path in paths:
        assert files[path.resolve()]["error"] is None, files[path.resolve()]["error"]
    return files


def shown(entry: Report) -> int | None:
    """The certain count if there is one, else the count under defaults/stated assumptions."""
    return entry["params"] if entry.get("params") is not None else entry.get("params_default")


def layer_at(report: Report, line: int) -> Report:
    found = [layer for layer in report["layers"] if layer["line"] == line]
    assert len(found) == 1, f"{len(found)} layers reported on line {line}: {report['layers']}"
    return found[0]


def models_at(report: Report, line: int) -> list[Report]:
    return [m for m in report["models"] if m["line"] == line]


def builder_entry(report: Report, source: str, name: str) -> Report:
    """The model entry of the module-level builder `name`: at its `def` line, under its name."""
    line = def_line(source, name)
    found = [m for m in report["models"] if m["name"] == name and m["line"] == line]
    assert found, f"no model entry for builder {name} (def on line {line}): {report['models']}"
    return found[0]


def def_line(source: str, name: str) -> int:
    lines = [i for i, text in enumerate(source.splitlines(), 1) if text.startswith(f"def {name}(")]
    assert len(lines) == 1
    return lines[0]


def line_of(source: str, text: str) -> int:
    """The 1-based line holding `text`, which must be on exactly one line of the program."""
    lines = [i for i, line in enumerate(source.splitlines(), 1) if text in line]
    assert len(lines) == 1, f"{text!r} is on lines {lines}"
    return lines[0]


# --- Keras, running the same program ------------------------------------------------------------

@dataclass
class Site:
    """The layer objects one constructor call site of the program created while it ran."""

    line: int
    column: int | None  # 1-based, None on Pythons without instruction positions
    classes: set[type] = field(default_factory=set)
    layers: list[Any] = field(default_factory=list)

    def counts(self) -> Counter[int]:
        """Distinct count → number of layer objects with it (the contexts paramlens must list)."""
        return Counter(layer.count_params() for layer in self.layers)


@dataclass
class Truth:
    namespace: dict[str, Any]
    sites: dict[int, Site]


def run_with_keras(path: Path) -> Truth:
    """Runs the program as `__main__`, recording which line of it created each layer."""
    source = path.read_text()
    filename = str(path)
    original_init = keras.layers.Layer.__init__
    created: dict[int, tuple[Any, int, int | None]] = {}

    def recording_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if id(self) in created:  # one site per object, should a class run Layer.__init__ twice
            return
        frame = sys._getframe(1)
        # The innermost frame in the program that is not this layer's own __init__ chain (a
        # custom layer's `super().__init__(...)` is in the program too, but creates nothing).
        while frame is not None and (frame.f_code.co_filename != filename
                                     or frame.f_locals.get("self") is self):
            frame = frame.f_back
        if frame is None:
            return
        positions = getattr(inspect.getframeinfo(frame, context=0), "positions", None)
        if positions is not None and positions.lineno is not None:
            created[id(self)] = (self, positions.lineno, positions.col_offset + 1)
        else:
            created[id(self)] = (self, frame.f_lineno, None)

    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": filename}
    keras.layers.Layer.__init__ = recording_init
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. Keras on `input_shape=` in Sequential layers
            exec(compile(source, filename, "exec"), namespace)  # the program under test
    finally:
        keras.layers.Layer.__init__ = original_init

    sites: dict[int, Site] = {}
    for layer, line, column in created.values():
        # Models and the InputLayer of keras.Input are not layer constructor call sites.
        if isinstance(layer, (keras.Model, keras.layers.InputLayer)):
            continue
        assert layer.built, f"{layer.name} (line {line}) never built: the truth would be undefined"
        site = sites.setdefault(line, Site(line, column))
        assert site.column == column, f"two constructor calls on line {line}: keep one a line"
        site.classes.add(type(layer))
        site.layers.append(layer)
    return Truth(namespace, sites)


def keras_name(cls: type) -> str | None:
    """`keras.layers.Conv2D` for Keras' own layer classes, None for the program's own."""
    return f"keras.layers.{cls.__name__}" if cls.__module__.startswith("keras.") else None


def site_mismatches(report: Report, truth: Truth) -> list[str]:
    """Every built-in layer site: its class, its shown count, its contexts, as Keras ran it.

    `contexts` holds one entry per distinct count: {params, instances, via}.
    """
    out: list[str] = []
    for line in sorted(truth.sites):
        site = truth.sites[line]
        (cls,) = site.classes
        if keras_name(cls) is None:
            continue
        counts = site.counts()
        found = [layer for layer in report["layers"] if layer["line"] == line]
        if len(found) != 1:
            out.append(f"line {line} {cls.__name__}: {len(found)} layers reported, Keras ran 1 site")
            continue
        ours = found[0]
        if ours["layer"] != keras_name(cls):
            out.append(f"line {line}: layer {ours['layer']}, Keras {keras_name(cls)}")
        if site.column is not None and ours["column"] != site.column:
            out.append(f"line {line}: column {ours['column']}, the call starts at {site.column}")
        if len(counts) == 1 and shown(ours) != next(iter(counts)):
            out.append(f"line {line} {cls.__name__}: params {ours['params']} / params_default "
                       f"{ours.get('params_default')}, Keras {next(iter(counts))}")
        contexts = ours.get("contexts")
        if contexts is None:
            out.append(f"line {line} {cls.__name__}: no contexts, Keras ran {dict(counts)}")
            continue
        got = Counter({c["params"]: c["instances"] for c in contexts})
        if len(got) != len(contexts):
            out.append(f"line {line}: two contexts with the same count: {contexts}")
        if set(got) != set(counts):
            out.append(f"line {line} {cls.__name__}: context counts {sorted(got, key=str)}, "
                       f"Keras {sorted(counts)}")
        elif got != counts:
            out.append(f"line {line} {cls.__name__}: instances {dict(got)}, Keras {dict(counts)}")
        if not all(isinstance(c.get("via"), str) for c in contexts):
            out.append(f"line {line}: a context without a `via` string: {contexts}")
    return out


def write(tmp_path: Path, name: str, source: str) -> tuple[Path, str]:
    source = textwrap.dedent(source)
    path = tmp_path / name
    path.write_text(source)
    return path, source


# --- 1, 2: the seed and a top-level script -------------------------------------------------------

SEED_TWIN = """\
    import keras
    from keras import layers


    def get_model():
        model = keras.Sequential()
        model.add(layers.Conv2D(10, (3, 3), activation="relu"))
        return model


    if __name__ == "__main__":
        model = get_model()
        model.build((None, 24, 24, 3))
    """


def test_seed_twin_conv_shows_its_count_once_the_main_block_builds_it(tmp_path: Path) -> None:
    path, source = write(tmp_path, "seed_twin.py", SEED_TWIN)
    truth = run_with_keras(path)
    conv = truth.namespace["model"].layers[0]
    assert conv.count_params() == 280  # the seed's own number, as Keras counts it
    ours = layer_at(paramlens(path)[path.resolve()], line_of(source, "layers.Conv2D("))
    assert ours["layer"] == "keras.layers.Conv2D"
    assert ours.get("params_default") == conv.count_params() or ours["params"] == conv.count_params()


def test_top_level_script_with_add(tmp_path: Path) -> None:
    path, source = write(tmp_path, "script.py", """\
        import keras
        from keras import layers

        model = keras.Sequential()
        model.add(layers.Dense(8, input_shape=(4,)))
        model.add(layers.Dense(2))
        """)
    truth = run_with_keras(path)
    second = truth.sites[line_of(source, "layers.Dense(2)")]
    assert second.counts() == Counter({18: 1})
    report = paramlens(path)[path.resolve()]
    assert site_mismatches(report, truth) == []
    total = truth.namespace["model"].count_params()
    sequential = models_at(report, line_of(source, "keras.Sequential()"))
    assert [m["kind"] for m in sequential] == ["Sequential"]
    assert shown(sequential[0]) == total, sequential


# --- 3: the beginner CNN and its variants, as a Sequential list and as a functional builder -------

# Each variant: the layers after `Input((28, 28, 1))`, one constructor per line, and as the last
# layer the classifier `Dense(NUM_CLASSES)`. Sequential form: a module-level keras.Sequential([...]);
# functional form: `x = layer(x)` in `def build_cnn(num_classes=10)`, called by the main block.
VARIANTS: dict[str, list[str]] = {
    "classic": ['layers.Conv2D(32, 3, activation="relu")', "layers.MaxPooling2D(2)",
                'layers.Conv2D(64, 3, activation="relu")', "layers.MaxPooling2D(2)",
                "layers.Flatten()"],
    "same_padding": ['layers.Conv2D(32, 3, padding="same")', "layers.MaxPooling2D(2)",
                     'layers.Conv2D(64, (3, 3), padding="same")', "layers.MaxPooling2D((2, 2))",
                     "layers.Flatten()"],
    "strides": ["layers.Conv2D(32, 3, strides=2)", 'layers.Conv2D(64, 3, strides=2, padding="same")',
                "layers.Conv2D(16, 5, strides=(2, 1))", "layers.Flatten()"],
    "pool_size_3": ["layers.Conv2D(32, 3)", "layers.MaxPooling2D(pool_size=3)",
                    "layers.Conv2D(64, 3)", "layers.AveragePooling2D(pool_size=3, strides=2)",
                    "layers.Flatten()"],
    "resampling": ['layers.Conv2D(16, 3, padding="same")', "layers.MaxPooling2D(2)",
                   "layers.UpSampling2D(2)", "layers.ZeroPadding2D(1)", "layers.Conv2D(8, 3)",
                   "layers.Cropping2D(((1, 2), (0, 3)))", "layers.ZeroPadding2D(((2, 0), (1, 1)))",
                   "layers.UpSampling2D(size=(1, 2))", "layers.Flatten()"],
    "global_pool": ["layers.Conv2D(32, 3)", "layers.BatchNormalization()", "layers.Conv2D(48, 3)",
                    "layers.GlobalAveragePooling2D()"],
    "reshape": ["layers.Reshape((784,))", "layers.Dense(64)", "layers.Reshape((8, 8, 1))",
                "layers.Conv2D(4, 3)", "layers.Reshape((-1, 4))", "layers.Dense(3)",
                "layers.Flatten()"],
}


def sequential_program(body: list[str]) -> str:
    rows = "".join(f"    {layer},\n" for layer in body)
    return ("import keras\nfrom keras import layers\n\nNUM_CLASSES = 10\n\n"
            "model = keras.Sequential([\n    keras.Input(shape=(28, 28, 1)),\n"
            f"{rows}    layers.Dense(NUM_CLASSES),\n])\n")


def functional_program(body: list[str]) -> str:
    rows = "".join(f"    x = {layer}(x)\n" for layer in body)
    return ("import keras\nfrom keras import layers\n\n\ndef build_cnn(num_classes=10):\n"
            "    inputs = keras.Input(shape=(28, 28, 1))\n    x = inputs\n"
            f"{rows}    outputs = layers.Dense(num_classes)(x)\n"
            "    return keras.Model(inputs, outputs)\n\n\n"
            'if __name__ == "__main__":\n    model = build_cnn()\n')


MERGES = """\
    import keras
    from keras import layers


    def build_cnn(num_classes=10):
        inputs = keras.Input(shape=(28, 28, 1))
        a = layers.Conv2D(16, 3, padding="same")(inputs)
        b = layers.Conv2D(8, 5, padding="same")(inputs)
        x = layers.Concatenate()([a, b])
        c = layers.Conv2D(24, 1)(x)
        x = layers.Add()([x, c])
        x = layers.MaxPooling2D(2)(x)
        d = layers.AveragePooling2D(2)(c)
        e = layers.Dense(5)(d)
        x = layers.Concatenate(axis=-1)([x, d, e])
        x = layers.Conv2D(12, 3)(x)
        x = layers.Flatten()(x)
        outputs = layers.Dense(num_classes)(x)
        return keras.Model(inputs, outputs)


    if __name__ == "__main__":
        model = build_cnn()
    """

CNN_CASES = [(name, "sequential") for name in VARIANTS] + [(name, "functional") for name in VARIANTS]


@pytest.fixture(scope="module")
def cnn_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Report]:
    """All the CNN programs, written once and checked by one paramlens run."""
    root = tmp_path_factory.mktemp("cnn")
    for name, form in CNN_CASES:
        program = sequential_program if form == "sequential" else functional_program
        (root / f"{name}_{form}.py").write_text(program(VARIANTS[name]))
    (root / "merges_functional.py").write_text(textwrap.dedent(MERGES))
    return paramlens(*sorted(root.glob("*.py")))


@pytest.mark.parametrize(("name", "form"), [*CNN_CASES, ("merges", "functional")])
def test_cnn(name: str, form: str, cnn_reports: dict[Path, Report]) -> None:
    path = next(p for p in cnn_reports if p.name == f"{name}_{form}.py")
    source = path.read_text()
    truth = run_with_keras(path)
    report = cnn_reports[path]

    # The classifier gets its exact count, as Keras built it.
    classifier = line_of(source, "layers.Dense(num") if form == "functional" else \
        line_of(source, "layers.Dense(NUM_CLASSES)")
    dense = layer_at(report, classifier)
    (keras_dense,) = truth.sites[classifier].layers
    assert shown(dense) == keras_dense.count_params(), dense

    assert site_mismatches(report, truth) == []

    if form == "sequential":
        total = truth.namespace["model"].count_params()
        entries = models_at(report, line_of(source, "keras.Sequential(["))
        assert [m["kind"] for m in entries] == ["Sequential"]
        assert shown(entries[0]) == total
        assert entries[0]["unknown_layers"] == 0
    else:
        total = truth.namespace["build_cnn"]().count_params()  # the builder with its defaults
        assert total == truth.namespace["model"].count_params()
        entry = builder_entry(report, source, "build_cnn")
        assert shown(entry) == total, entry
        assert entry["unknown_layers"] == 0
        expression = models_at(report, line_of(source, "keras.Model(inputs, outputs)"))
        assert [m["kind"] for m in expression] == ["Model"]
        assert shown(expression[0]) == total


# --- 4: a block helper called with different widths (keras' MobileNetV2 pattern) -----------------

MOBILE = """\
    import keras
    from keras import layers


    def _make_divisible(v, divisor=8, min_value=None):
        if min_value is None:
            min_value = divisor
        new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
        if new_v < 0.9 * v:
            new_v += divisor
        return new_v


    def _inverted_res_block(x, expansion, stride, alpha, filters, block_id):
        in_channels = x.shape[-1]
        pointwise_filters = _make_divisible(int(filters * alpha), 8)
        inputs = x
        if block_id:
            x = layers.Conv2D(expansion * in_channels, 1, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999)(x)
            x = layers.ReLU(6.0)(x)
        if stride == 2:
            x = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(x)
        padding = "same" if stride == 1 else "valid"
        x = layers.DepthwiseConv2D(3, strides=stride, use_bias=False, padding=padding)(x)
        x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999)(x)
        x = layers.ReLU(6.0)(x)
        x = layers.Conv2D(pointwise_filters, 1, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999)(x)
        if in_channels == pointwise_filters and stride == 1:
            return layers.Add()([inputs, x])
        return x


    def build_mobile(alpha=1.0, num_classes=10):
        first = _make_divisible(32 * alpha, 8)
        inputs = keras.Input(shape=(32, 32, 3))
        x = layers.Conv2D(first, 3, strides=2, padding="same", use_bias=False)(inputs)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU(6.0)(x)
        x = _inverted_res_block(x, filters=16, alpha=alpha, stride=1, expansion=1, block_id=0)
        x = _inverted_res_block(x, filters=24, alpha=alpha, stride=2, expansion=6, block_id=1)
        x = _inverted_res_block(x, filters=24, alpha=alpha, stride=1, expansion=6, block_id=2)
        x = _inverted_res_block(x, filters=32, alpha=alpha, stride=2, expansion=6, block_id=3)
        x = _inverted_res_block(x, filters=32, alpha=alpha, stride=1, expansion=6, block_id=4)
        x = layers.GlobalAveragePooling2D()(x)
        outputs = layers.Dense(num_classes)(x)
        return keras.Model(inputs, outputs)


    if __name__ == "__main__":
    """

MAIN_BLOCKS = {
    "once": "    model = build_mobile()\n",
    "two_widths": "    model = build_mobile()\n    small = build_mobile(alpha=0.5, num_classes=3)\n",
}


@pytest.mark.parametrize("main", MAIN_BLOCKS)
def test_helper_block_sites_have_one_context_per_count(tmp_path: Path, main: str) -> None:
    path, source = write(tmp_path, "mobile.py", textwrap.dedent(MOBILE) + MAIN_BLOCKS[main])
    truth = run_with_keras(path)
    in_helper = [line for line in truth.sites
                 if def_line(source, "_inverted_res_block") < line < def_line(source, "build_mobile")]
    # The helper's sites really do produce several counts (else this would test nothing).
    assert max(len(truth.sites[line].counts()) for line in in_helper) >= 3
    report = paramlens(path)[path.resolve()]
    assert site_mismatches(report, truth) == []
    entry = builder_entry(report, source, "build_mobile")
    assert shown(entry) == truth.namespace["build_mobile"]().count_params()
    assert entry["unknown_layers"] == 0


# --- 5: a custom layer's own weights ---------------------------------------------------------------

def test_custom_layer_weights_count_into_the_model_total(tmp_path: Path) -> None:
    path, source = write(tmp_path, "custom.py", """\
        import keras
        from keras import layers


        class Linear(layers.Layer):
            def __init__(self, units=32, **kwargs):
                super().__init__(**kwargs)
                self.units = units

            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
                self.b = self.add_weight(shape=(self.units,), initializer="zeros")

            def call(self, inputs):
                return keras.ops.matmul(inputs, self.w) + self.b


        model = keras.Sequential([
            keras.Input(shape=(16,)),
            layers.Dense(12),
            Linear(8),
            layers.Dense(4),
        ])
        """)
    truth = run_with_keras(path)
    (custom,) = truth.sites[line_of(source, "Linear(8)")].layers
    assert custom.count_params() == 12 * 8 + 8  # the recording found the call site, not super()
    report = paramlens(path)[path.resolve()]
    assert site_mismatches(report, truth) == []  # the Dense after it: its input is Linear's output
    entries = models_at(report, line_of(source, "keras.Sequential(["))
    assert [m["kind"] for m in entries] == ["Sequential"]
    assert shown(entries[0]) == truth.namespace["model"].count_params(), entries


# --- 6: a builder without an input shape, built by the main block ----------------------------------

def test_layers_of_an_unbuilt_builder_count_as_the_main_block_builds_them(tmp_path: Path) -> None:
    path, source = write(tmp_path, "later.py", """\
        import keras
        from keras import layers


        def get_model(num_classes=10):
            model = keras.Sequential()
            model.add(layers.Conv2D(16, 3, activation="relu"))
            model.add(layers.BatchNormalization())
            model.add(layers.MaxPooling2D(2))
            model.add(layers.Conv2D(32, 3, padding="same"))
            model.add(layers.Flatten())
            model.add(layers.Dense(num_classes))
            return model


        if __name__ == "__main__":
            model = get_model()
            model.build((None, 24, 24, 3))
        """)
    truth = run_with_keras(path)
    assert len(truth.sites) == 6
    report = paramlens(path)[path.resolve()]
    assert site_mismatches(report, truth) == []
    # A builder: it gets an entry. Its total is not asserted: Keras cannot count the model it
    # returns with its defaults (no input shape), only the one the main block builds.
    builder_entry(report, source, "get_model")


# --- 7: Keras' own applications --------------------------------------------------------------------

# This one follows `from keras.applications import ...` into the installed keras source: the
# builders are evaluated from keras' own applications code, never imported.
APPLICATIONS = """\
    from keras.applications import DenseNet121, ResNet50

    model = ResNet50(weights=None)
    model2 = DenseNet121(weights=None)
    """


@pytest.fixture(scope="module")
def applications(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, int]]:
    """The program, and Keras' totals for its two models (built once per session)."""
    path, source = write(tmp_path_factory.mktemp("apps"), "apps.py", APPLICATIONS)
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": str(path)}
    exec(compile(source, str(path), "exec"), namespace)  # the program under test
    totals = {name: namespace[name].count_params() for name in ("model", "model2")}
    keras.backend.clear_session()
    return path, source, totals


@functools.cache
def checked_once(path: Path) -> dict[Path, Report]:
    return paramlens(path)


@pytest.mark.parametrize(("variable", "call"), [("model", "ResNet50("), ("model2", "DenseNet121(")])
def test_installed_keras_application_totals(
        variable: str, call: str, applications: tuple[Path, str, dict[str, int]]) -> None:
    path, source, totals = applications
    report = checked_once(path)[path.resolve()]
    entries = models_at(report, line_of(source, f"= {call}"))
    assert [shown(m) for m in entries if shown(m) == totals[variable]], \
        f"Keras counts {totals[variable]}; model entries on that line: {entries}"


# --- 7: a layer Keras refuses where the program calls it ------------------------------------------

REFUSED_AT_CALL = {
    "rank": """
        import keras
        from keras import layers

        recurrent = keras.Sequential([keras.Input((6,)), layers.LSTM(4)])  # refused
        """,
    "reshape": """
        import keras
        from keras import layers

        model = keras.Sequential([keras.Input((12,)), layers.Reshape((5, 3)),
                                  layers.Dense(2)])  # refused
        """,
}


@pytest.mark.parametrize("case", sorted(REFUSED_AT_CALL))
def test_a_layer_keras_never_builds_has_no_certain_count(tmp_path: Path, case: str) -> None:
    """The call alone reads as a count (the LSTM's 176 from the Input's 6 channels, the Dense's 8
    from the Reshape's 3), but where the program calls the layer, Keras raises first: the layer
    is never built, and the row may show no certain number. The LSTM itself is refused, so it
    has none under its defaults either."""
    path, source = write(tmp_path, f"refused_{case}.py", textwrap.dedent(REFUSED_AT_CALL[case]))
    with pytest.raises(ValueError):  # Keras' own verdict on the program (ValueError for both)
        run_with_keras(path)
    layer = layer_at(paramlens(path)[path.resolve()], line_of(source, "# refused"))
    assert layer["params"] is None, layer
    if case == "rank":
        assert layer["params_default"] is None, layer


# --- 8: the image data format the program sets ---------------------------------------------------

CHANNELS_FIRST = """
    import keras
    from keras import layers

    keras.config.set_image_data_format("channels_first")
    model = keras.Sequential([
        keras.Input((3, 16, 16)),
        layers.Conv2D(8, 3),
        layers.BatchNormalization(),
        layers.MaxPooling2D(2),
        layers.DepthwiseConv2D(3),
        layers.Flatten(),
        layers.Dense(10),
    ])
    """


def test_counts_follow_the_image_data_format_the_program_sets(tmp_path: Path) -> None:
    """After set_image_data_format("channels_first"), every layer built with data_format=None
    reads its channels from axis 1: each site's count and the model's total are Keras'."""
    path, source = write(tmp_path, "first.py", CHANNELS_FIRST)
    try:
        truth = run_with_keras(path)
    finally:
        keras.config.set_image_data_format("channels_last")  # process-wide: the other tests'
    report = paramlens(path)[path.resolve()]
    assert site_mismatches(report, truth) == []
    (model,) = models_at(report, line_of(source, "model = "))
    assert model["params"] == truth.namespace["model"].count_params()


# --- 9: programs Keras refuses as they build a model ---------------------------------------------

RAISES_AT_BUILD = {
    "a keyword argument Dense does not take": """
        import keras
        from keras import layers

        inp = keras.Input((8,))
        x = layers.Dense(4, use_bais=False)(inp)  # raises
        model = keras.Model(inp, x)
        """,
    "a layer with weights of an integer dtype": """
        import keras
        from keras import layers

        inp = keras.Input((8,))
        x = layers.Dense(4, dtype="int32")(inp)  # raises
        model = keras.Model(inp, x)
        """,
    "an initializer Keras has no name for": """
        import keras
        from keras import layers

        inp = keras.Input((8,))
        x = layers.Dense(4, bias_initializer="nope")(inp)  # raises
        model = keras.Model(inp, x)
        """,
    "a weight of the project's with an initializer Keras has no name for": """
        import keras
        from keras import layers


        class Project(layers.Layer):
            def build(self, shape):
                self.w = self.add_weight(shape=(shape[-1], 4), initializer="nonexistent")

            def call(self, x):
                return x @ self.w


        inp = keras.Input((8,))
        model = keras.Model(inp, Project()(inp))  # raises
        """,
    "a dropout rate past 1, then the model": """
        import keras
        from keras import layers

        inp = keras.Input((8,))
        x = layers.Dense(4)(inp)
        x = layers.Dropout(1.5)(x)  # raises
        model = keras.Model(inp, x)
        """,
    "groups that do not divide the filters, then the model": """
        import keras
        from keras import layers

        inp = keras.Input((4, 4, 8))
        x = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same")(inp)
        x = layers.Conv2D(8, 1, groups=16)(x)  # raises
        model = keras.Model(inp, x)
        """,
    "an Add of shapes that do not broadcast": """
        import keras
        from keras import layers

        a = keras.Input((8,))
        b = keras.Input((6,))
        model = keras.Model([a, b], layers.Add()([layers.Dense(4)(a), layers.Dense(5)(b)]))  # raises
        """,
    "an output computed from an input the model is not given": """
        import keras
        from keras import layers

        a = keras.Input((4,))
        b = keras.Input((4,))
        y = layers.Dense(2)(b)
        model = keras.Model(inputs=a, outputs=y)  # raises
        """,
    "one of two merged inputs left out": """
        import keras
        from keras import layers

        a = keras.Input((4,))
        b = keras.Input((4,))
        merged = layers.add([layers.Dense(3)(a), layers.Dense(3)(b)])
        model = keras.Model(a, layers.Dense(1)(merged))  # raises
        """,
    "reshape to another size": """
        import keras
        from keras import layers

        model = keras.Sequential([keras.Input((12,)), layers.Reshape((5, 3)), layers.Dense(2)])  # raises
        """,
    "two -1 in a reshape": """
        import keras
        from keras import layers

        model = keras.Sequential([keras.Input((12,)), layers.Reshape((-1, -1)), layers.Dense(2)])  # raises
        """,
    "a second Input": """
        import keras
        from keras import layers

        model = keras.Sequential([keras.Input((4,)), keras.Input((5,)), layers.Dense(2)])  # raises
        """,
    "an int as a shape": """
        import keras
        from keras import layers

        model = keras.Sequential([keras.Input(shape=7), layers.Dense(2)])  # raises
        """,
    "a model called on other channels": """
        import keras
        from keras import layers

        encoder = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
        inputs = keras.Input((5,))
        model = keras.Model(inputs, encoder(inputs))  # raises
        """,
    "two layers of one name in a Sequential": """
        import keras
        from keras import layers

        first, second = layers.Dense(3, name="x"), layers.Dense(3, name="x")
        model = keras.Sequential([keras.Input((4,)), first, second])  # raises
        """,
    "two layers of one name in a functional model": """
        import keras
        from keras import layers

        inputs = keras.Input((4,))
        hidden = layers.Dense(3, name="d")(inputs)
        model = keras.Model(inputs, layers.Dense(3, name="d")(hidden))  # raises
        """,
    "a concatenation axis past the rank": """
        import keras
        from keras import layers

        a, b = keras.Input((4,)), keras.Input((4,))
        model = keras.Model([a, b], layers.Dense(1)(layers.Concatenate(axis=2)([a, b])))  # raises
        """,
}


@pytest.mark.parametrize("case", sorted(RAISES_AT_BUILD))
def test_a_model_keras_refuses_to_build_has_no_certain_total(tmp_path: Path, case: str) -> None:
    """Keras raises in the statement that builds the model, so there is no model: no certain
    total may stand on that line, nor a certain count for a layer it never built."""
    path, source = write(tmp_path, "raises.py", textwrap.dedent(RAISES_AT_BUILD[case]))
    with pytest.raises((ValueError, IndexError, NotImplementedError)):  # Keras' own verdict
        run_with_keras(path)
    report = paramlens(path)[path.resolve()]
    line = line_of(source, "# raises")
    # (nor on a model of the statements after it, which Python never runs)
    assert [m for m in report["models"] if m["line"] >= line and m["params"] is not None] == []
    assert [m for m in report["models"] if m["line"] > line and m["trainable"] is not None] == []
    counted = [layer for layer in report["layers"] if layer["line"] == line and
               layer["params"] and not any(c["params"] for c in layer["contexts"])]
    assert counted == [], counted


def test_a_model_bound_after_the_statement_that_raises_is_never_made(tmp_path: Path) -> None:
    """Keras raises where the layer built on 8 columns is called on 6 (`x @ self.w` in its own
    `call`); Python stops the module there, so `model`, bound on the next line, does not exist:
    no certain total for it."""
    path, source = write(tmp_path, "after.py", textwrap.dedent("""
        import keras
        from keras import layers


        class Project(layers.Layer):
            def build(self, shape):
                self.w = self.add_weight(shape=(shape[-1], 4))

            def call(self, x):
                return x @ self.w


        layer = Project()
        inp = keras.Input((8,))
        y = layer(inp)
        z = layer(keras.Input((6,)))  # raises
        model = keras.Model(inp, y)
        """))
    with pytest.raises(Exception, match="(?i)shape|size|dimension|mat"):  # Keras' own verdict
        run_with_keras(path)
    report = paramlens(path)[path.resolve()]
    after = [m for m in report["models"] if m["line"] >= line_of(source, "# raises")]
    assert [m for m in after if m["params"] is not None] == [], after


SET_BEFORE_BUILT = {
    "a Dense's units": """
        d = layers.Dense(4)
        d.units = 10
        inp = keras.Input((8,))
        model = keras.Model(inp, d(inp))
        """,
    "a Conv2D's filters": """
        conv = layers.Conv2D(4, 3)
        conv.filters = 16
        model = keras.Sequential([keras.Input((8, 8, 3)), conv])
        """,
    "an LSTM cell's units": """
        lstm = layers.LSTM(4)
        lstm.cell.units = 8
        inp = keras.Input((5, 3))
        model = keras.Model(inp, lstm(inp))
        """,
    "a Dense's units set through vars()": """
        d = layers.Dense(4)
        vars(d)["units"] = 10
        inp = keras.Input((8,))
        model = keras.Model(inp, d(inp))
        """,
    "an Embedding's output_dim, its input size known": """
        e = layers.Embedding(100, 8)
        e.output_dim = 4
        inp = keras.Input((5,), dtype="int32")
        model = keras.Model(inp, e(inp))
        """,
}


@pytest.mark.parametrize("case", sorted(SET_BEFORE_BUILT))
def test_an_argument_set_before_keras_builds_the_layer_is_what_it_builds(
        tmp_path: Path, case: str) -> None:
    """Keras makes a layer's weights when it builds it, from its attributes then: `d.units =
    10` before the first call makes a Dense of 10 units. The count is Keras' or none (the tree
    before counted the constructor's arguments: 36 where Keras builds 90)."""
    path, source = write(tmp_path, "set.py", "import keras\nfrom keras import layers\n" +
                         textwrap.dedent(SET_BEFORE_BUILT[case]))
    built = run_with_keras(path).namespace["model"].count_params()
    report = paramlens(path)[path.resolve()]
    certain = [m["params"] for m in report["models"] if m["params"] is not None]
    certain += [layer["params"] for layer in report["layers"] if layer["params"] is not None]
    assert set(certain) <= {built}, (certain, built)


# Each program builds `model`; PARAMLENS_TEST_FLAG decides what it is. Keras builds it with the
# flag unset and set: where the two differ, paramlens may give no certain count for it; where
# they agree, only that count. (Each was counted certain, and wrong for one of the two, on the
# tree before.)
UNDER_A_CONDITION = {
    "a Sequential's last layer popped in one arm": """
        model = keras.Sequential([
            keras.Input((8,)),
            layers.Dense(4),
            layers.Dense(2),
        ])
        if os.environ.get("PARAMLENS_TEST_FLAG"):
            model.pop()
        """,
    "a custom layer's `while True` left by a break under a condition": """
        class Block(layers.Layer):
            def __init__(self):
                super().__init__()
                self.ds = []
                while True:
                    self.ds.append(layers.Dense(4))
                    if os.environ.get("PARAMLENS_TEST_FLAG") or len(self.ds) == 2:
                        break

            def call(self, x):
                for d in self.ds:
                    x = d(x)
                return x

        inp = keras.Input((4,))
        model = keras.Model(inp, Block()(inp))
        """,
}


@pytest.mark.parametrize("case", sorted(UNDER_A_CONDITION))
def test_what_a_condition_decides_is_not_certain(tmp_path: Path, case: str) -> None:
    path, source = write(tmp_path, "cond.py", "import os\n\nimport keras\nfrom keras import layers\n"
                         + textwrap.dedent(UNDER_A_CONDITION[case]))
    totals = []
    for flag in ("", "1"):
        saved = os.environ.pop("PARAMLENS_TEST_FLAG", None)
        try:
            if flag:
                os.environ["PARAMLENS_TEST_FLAG"] = flag
            totals.append(run_with_keras(path).namespace["model"].count_params())
        finally:
            os.environ.pop("PARAMLENS_TEST_FLAG", None)
            if saved is not None:
                os.environ["PARAMLENS_TEST_FLAG"] = saved
    unset, set_ = totals
    report = paramlens(path)[path.resolve()]
    certain = [m["params"] for m in report["models"] if m["params"] is not None and
               m["name"] in ("Sequential", "Model", "Block")]
    allowed = {unset} if unset == set_ else set()
    assert unset != set_ and set(certain) <= allowed, (certain, unset, set_)


def test_a_file_walk_total_counts_no_model_whose_graph_it_does_not_see(tmp_path: Path) -> None:
    """When the evaluation gives a Model no total (here the module body stops at its step
    budget before the model is made), the file's own walk counts the Keras layers its scope
    builds; a layer of the project's (`Block()`) is built where that walk does not look: the
    tree before said Model 0, certain, where Keras builds 40."""
    path, source = write(tmp_path, "walk.py", """
        import keras
        from keras import layers


        class Block(layers.Layer):
            def __init__(self):
                super().__init__()
                self.d = layers.Dense(8)

            def call(self, x):
                return self.d(x)


        n = 0
        while n < 2_000_000:
            n += 1
        inp = keras.Input((4,))
        model = keras.Model(inp, Block()(inp))
        """)
    built = run_with_keras(path).namespace["model"].count_params()
    assert built == 40
    report = paramlens(path)[path.resolve()]
    certain = [m["params"] for m in report["models"] if m["params"] is not None]
    assert set(certain) <= {built}, report["models"]


def test_a_lambda_owns_no_weights_and_passes_its_given_shape_on(tmp_path: Path) -> None:
    """Keras' Lambda tracks no weight (count_params() 0). A graph through it is totalled: after
    it, a layer learns its input from `output_shape` where the code gives one; where it does not,
    the shape is Keras' to work out by running the function, and the count stays unknown."""
    path, source = write(tmp_path, "lambdas.py", """\
        import keras
        from keras import layers


        def doubled():
            inputs = keras.Input(shape=(8,))
            x = layers.Dense(16)(inputs)
            outputs = layers.Lambda(lambda t: t * 2)(x)
            return keras.Model(inputs, outputs)


        def shaped():
            inputs = keras.Input(shape=(8,))
            x = layers.Lambda(lambda t: t * 2, output_shape=(8,))(inputs)
            outputs = layers.Dense(4)(x)
            return keras.Model(inputs, outputs)


        def sliced():
            inputs = keras.Input(shape=(8,))
            x = layers.Lambda(lambda t: t[:, :4])(inputs)
            outputs = layers.Dense(4)(x)
            return keras.Model(inputs, outputs)


        a, b, c = doubled(), shaped(), sliced()
        """)
    truth = run_with_keras(path)
    report = paramlens(path)[path.resolve()]
    assert shown(builder_entry(report, source, "doubled")) == truth.namespace["a"].count_params()
    assert shown(builder_entry(report, source, "shaped")) == truth.namespace["b"].count_params()
    assert builder_entry(report, source, "sliced")["params"] is None
    assert builder_entry(report, source, "sliced")["params_default"] is None
    for line in (line_of(source, "Lambda(lambda t: t * 2)("), line_of(source, "t[:, :4]")):
        assert layer_at(report, line)["params"] == 0


def _image_pipeline(rng: Any, i: int) -> str:
    """One model: augmentations, maybe a resize or a crop, a convolution and a Dense over the
    flattened images, in either data format; valid or not, Keras decides."""
    first = rng.random() < 0.25
    fmt = ", data_format='channels_first'" if first else ""
    shape = (3, 9, 8) if first else (9, 8, 3)
    steps = [rng.choice([
        "layers.RandomFlip('horizontal')", "layers.RandomRotation(0.1)",
        "layers.RandomZoom(0.2, 0.1)", "layers.RandomTranslation(0.1, 0.1)",
        "layers.RandomContrast(0.2)", "layers.RandomBrightness(0.1)", "layers.RandomZoom(-1.0)",
        "layers.RandomRotation(2)"]) for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.7:
        kind = rng.choice(["Resizing", "CenterCrop", "RandomCrop"])
        height, width = rng.choice([4, 6, 12, 2.5]), rng.choice([5, 7, 10])
        steps.append(f"layers.{kind}({height}, {width}{fmt})")
    steps += [f"layers.Conv2D(4, 3{fmt})", "layers.Flatten()", "layers.Dense(3)"]
    if rng.random() < 0.5:
        return f"model_{i} = keras.Sequential([keras.Input({shape}), {', '.join(steps)}])\n"
    nested = "x"
    for step in steps:
        nested = f"{step}({nested})"
    return f"x = keras.Input({shape}); model_{i} = keras.Model(x, {nested})\n"


def _random_programs_against_keras(tmp_path: Path, name: str, make: Any, count: int,
                                   trainable: bool = False) -> tuple[int, int, list[str]]:
    """`count` programs from `make(rng, i)`, each binding `model_{i}`, checked by one paramlens
    run and run by Keras one by one: (how many Keras built, how many it refused, the programs
    whose certain total (and trainable count) is not Keras', or that have one Keras refuses)."""
    import random
    rng = random.Random(sum(map(ord, name)))
    programs = [write(tmp_path, f"{name}_{i}.py", "import keras\nfrom keras import layers\n\n" +
                      make(rng, i)) for i in range(count)]
    reports = paramlens(*(path for path, _ in programs))
    built = refused = 0
    problems = []
    for i, (path, source) in enumerate(programs):
        namespace: dict[str, Any] = {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - generated
            model = namespace[f"model_{i}"]
            truth: Any = model.count_params()
            if trainable:
                truth = (truth, sum(math.prod(w.shape) for w in model.trainable_weights))
        except Exception:  # noqa: BLE001 - whatever Keras raises is its refusal
            truth = None
        found = [m for m in models_at(reports[path.resolve()], line_of(source, f"model_{i} = "))
                 if m["name"] in ("Sequential", "Model")]
        totals = [(m["params"], m["trainable"]) if trainable else m["params"] for m in found]
        built += truth is not None
        refused += truth is None
        if truth is None and any(m["params"] is not None for m in found):
            problems.append(f"{source!r}: Keras refuses, paramlens {totals}")
        elif truth is not None and totals != [truth]:
            problems.append(f"{source!r}: Keras {truth}, paramlens {totals}")
    return built, refused, problems


def _as_keras(tmp_path: Path, name: str, make: Any, count: int, built: int, refused: int,
              trainable: bool = False) -> None:
    """`_random_programs_against_keras`, asserted: no program whose total is not Keras', and
    at least `built` programs Keras builds and `refused` it refuses (the draw reaches both)."""
    made, not_made, problems = _random_programs_against_keras(tmp_path, name, make, count,
                                                              trainable)
    assert made >= built and not_made >= refused, (made, not_made)
    assert not problems, "\n".join(problems)


def test_image_preprocessing_keeps_or_sets_the_image_size_as_keras(tmp_path: Path) -> None:
    """Random pipelines through Keras' augmentation, resizing and cropping layers, one program
    each: the model's total is Keras' count_params() where Keras builds it, and none where Keras
    refuses."""
    _as_keras(tmp_path, "images", _image_pipeline, 60, built=30, refused=5)


def _wrapped_program(rng: Any, i: int) -> str:
    """One model through TimeDistributed or Bidirectional, valid or not (Keras decides), the
    wrapper or its layer sometimes frozen, before or after the model is made."""
    if rng.random() < 0.4:
        t, c = rng.randint(2, 5), rng.randint(1, 6)
        if rng.random() < 0.5:
            shape = rng.choice([(t, c), (t, c), (c,), (t, 2, c)])
            inner = f"layers.Dense({rng.randint(1, 5)}, use_bias={rng.choice([True, False])})"
            wrapper = "layers.TimeDistributed(inner)"
            rest = ["layers.Flatten()", "layers.Dense(2)"]
        else:
            shape = (t, 6, 6, c)
            inner = f"layers.Conv2D({rng.randint(1, 4)}, 3)"
            wrapper = "layers.TimeDistributed(inner)"
            rest = ["layers.TimeDistributed(layers.Flatten())", f"layers.LSTM({rng.randint(1, 4)})"]
    else:
        shape = (rng.randint(2, 6), rng.randint(1, 6))
        sequences = rng.random() < 0.5
        inner = f"layers.{rng.choice(['LSTM', 'GRU', 'SimpleRNN'])}({rng.randint(1, 5)}, " \
            f"return_sequences={sequences})"
        if rng.random() < 0.3:  # an RNN of a cell, or of stacked cells, which Keras copies too
            cells = [f"layers.{rng.choice(['LSTMCell', 'GRUCell', 'SimpleRNNCell'])}"
                     f"({rng.randint(1, 4)})" for _ in range(rng.choice([1, 1, 2]))]
            given = cells[0] if len(cells) == 1 and rng.random() < 0.7 else \
                f"[{', '.join(cells)}]"
            backwards = ", go_backwards=True" if rng.random() < 0.15 else ""
            inner = f"layers.RNN({given}, return_sequences={sequences}{backwards})"
        elif rng.random() < 0.25:
            inner = rng.choice(["layers.Dense(3)", "layers.LSTM(2, go_backwards=True)", "3"])
        mode = rng.choice(["'concat'", "'concat'", "'sum'", "'ave'", "'mul'", "'bogus'"]
                          if rng.random() < 0.5 else ["'concat'"])
        wrapper = f"layers.Bidirectional(inner, merge_mode={mode})"
        rest = ["layers.Flatten()", "layers.Dense(2)"] if sequences else ["layers.Dense(2)"]
    freeze = rng.choice(["", "", "wrapper.trainable = False\n", "inner.trainable = False\n"])
    model = f"model_{i} = keras.Sequential([keras.Input({shape}), wrapper, {', '.join(rest)}])\n"
    made = f"inner = {inner}\nwrapper = {wrapper}\n"
    return made + (freeze + model if rng.random() < 0.5 else model + freeze)


def test_wrapped_layers_count_as_keras_builds_them(tmp_path: Path) -> None:
    """TimeDistributed counts its very layer, built on each time step; Bidirectional two copies
    of its recurrent layer (the one given is never built); freezing the wrapper freezes what it
    holds. Random models, one program each: the total and the trainable count are Keras'
    (count_params(), trainable_weights) where Keras builds the model, none where it refuses."""
    _as_keras(tmp_path, "wrapped", _wrapped_program, 60, built=30, refused=8, trainable=True)


def _sequence_program(rng: Any, i: int) -> str:
    """One model through Attention, AdditiveAttention, RepeatVector, Permute or 3-d global
    pooling, valid or not: Keras decides."""
    kind = rng.choice(["attention", "repeat", "permute", "pool3d"])
    if kind == "attention":
        d = rng.randint(1, 5)
        layer = rng.choice([f"layers.Attention(use_scale={rng.choice([True, False])}, "
                            f"score_mode={rng.choice(['dot', 'concat', 'dot', 'bogus'])!r})",
                            f"layers.AdditiveAttention(use_scale={rng.choice([True, False])})"])
        inputs = rng.choice(["[q, v]", "[q, v, v]", "[q]", "q"])
        return (f"q = keras.Input(({rng.randint(2, 5)}, {d}))\n"
                f"v = keras.Input(({rng.randint(2, 5)}, {d}))\n"
                f"x = {layer}({inputs})\n"
                f"model_{i} = keras.Model([q, v], layers.Dense(2)(layers.Flatten()(x)))\n")
    if kind == "repeat":
        shape = rng.choice(["(4,)", "(4,)", "(3, 4)"])
        n = rng.choice([1, 2, 3, 0])
        body = [f"layers.Dense({rng.randint(1, 4)})", f"layers.RepeatVector({n})",
                f"layers.LSTM({rng.randint(1, 4)})", "layers.Dense(1)"]
    elif kind == "permute":
        shape = f"({rng.randint(1, 4)}, {rng.randint(1, 4)})"
        dims = rng.choice(["(2, 1)", "(1, 2)", "(2, 1)", "(1, 3)", "(3, 2, 1)"])
        body = [f"layers.Permute({dims})", f"layers.Dense({rng.randint(1, 4)})", "layers.Flatten()",
                "layers.Dense(1)"]
    else:
        shape = f"(4, 4, 4, {rng.randint(1, 3)})"
        pool = rng.choice(["GlobalAveragePooling3D", "GlobalMaxPooling3D", "GlobalAvgPool3D"])
        body = [f"layers.Conv3D({rng.randint(1, 3)}, 3)",
                f"layers.{pool}(keepdims={rng.choice([True, False])})", "layers.Flatten()",
                "layers.Dense(2)"]
    return f"model_{i} = keras.Sequential([keras.Input({shape}), {', '.join(body)}])\n"


def test_attention_repeat_permute_and_3d_pooling_as_keras(tmp_path: Path) -> None:
    """Random models through Attention, AdditiveAttention, RepeatVector, Permute and 3-d global
    pooling, one program each: the total is Keras' count_params() where Keras builds the model,
    none where it refuses."""
    _as_keras(tmp_path, "sequence", _sequence_program, 60, built=30, refused=8)


def test_the_keras_tutorials_example_as_keras_builds_it() -> None:
    """examples/keras_tutorials.py: each builder's total is Keras' count_params() (its data
    augmentation pipeline and bidirectional LSTMs included)."""
    import runpy

    path = Path(__file__).resolve().parents[1] / "examples" / "keras_tutorials.py"
    report = paramlens(path)[path]
    source = path.read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        namespace = runpy.run_path(str(path))
    for name in ("image_classifier", "text_classifier"):
        assert builder_entry(report, source, name)["params"] == namespace[name]().count_params()


BUILT_EARLIER_OR_CHANNELS_FIRST = {
    "global pooling keeps its dims, channels first": """
        inputs = keras.Input(shape=(6, 20))
        x = layers.GlobalAveragePooling1D(data_format="channels_first", keepdims=True)(inputs)
        model = keras.Model(inputs, layers.Dense(2)(x))
        """,
    "then a channels-first convolution": """
        inputs = keras.Input(shape=(8, 16, 16))
        x = layers.GlobalMaxPooling2D(data_format="channels_first", keepdims=True)(inputs)
        x = layers.Conv2D(4, 1, data_format="channels_first")(x)
        model = keras.Model(inputs, layers.Flatten()(x))
        """,
    "a recurrent layer built before Bidirectional copies it": """
        lstm = layers.LSTM(6)
        lstm.build((None, 5, 3))
        inputs = keras.Input(shape=(20, 8))
        model = keras.Model(inputs, layers.Bidirectional(lstm)(inputs))
        """,
    "one called before": """
        lstm = layers.LSTM(6)
        _ = lstm(keras.Input(shape=(5, 3)))
        inputs = keras.Input(shape=(20, 8))
        model = keras.Model(inputs, layers.Bidirectional(lstm)(inputs))
        """,
    "Bidirectional built, then called on other sizes": """
        bi = layers.Bidirectional(layers.LSTM(8))
        bi.build((None, 5, 3))
        inputs = keras.Input(shape=(5, 2))
        model = keras.Model(inputs, bi(inputs))
        """,
}


@pytest.mark.parametrize("case", sorted(BUILT_EARLIER_OR_CHANNELS_FIRST))
def test_shapes_keras_keeps_from_before_or_puts_first(tmp_path: Path, case: str) -> None:
    """Probe round 9 (/tmp/probeI/a): keepdims pooling puts the channels where data_format
    says, and a wrapper's layers keep the build Keras gave them first; each total is Keras'."""
    path, source = write(tmp_path, "built.py", "import keras\nfrom keras import layers\n" +
                         textwrap.dedent(BUILT_EARLIER_OR_CHANNELS_FIRST[case]))
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - Keras' own count
    report = paramlens(path)[path.resolve()]
    totals = [m["params"] for m in models_at(report, line_of(source, "model = "))]
    assert totals == [namespace["model"].count_params()], totals


def test_a_wrapper_built_on_a_layer_the_evaluator_does_not_hold_has_no_total(
        tmp_path: Path) -> None:
    """TimeDistributed of a custom layer, built by `td.build(shape)`: Keras counts the custom
    layer's weights (15); paramlens holds no layer inside, so it gives no total (it gave a
    certain 0)."""
    path, source = write(tmp_path, "custom.py", textwrap.dedent("""
        import keras
        from keras import layers


        class Custom(layers.Layer):
            def build(self, shape):
                self.w = self.add_weight(shape=(shape[-1], 3))

            def call(self, x):
                return x @ self.w


        td = layers.TimeDistributed(Custom())
        td.build((None, 4, 5))
        model = keras.Sequential([keras.Input((4, 5)), td])
        """))
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - Keras' own count
    assert namespace["model"].count_params() == 15
    report = paramlens(path)[path.resolve()]
    totals = [m["params"] for m in models_at(report, line_of(source, "model = "))]
    assert totals == [None]
    assert layer_at(report, line_of(source, "td = "))["params"] is None


def _normalizing_program(rng: Any, i: int) -> str:
    """One model through Normalization (adapted later or given its mean and variance), unit
    normalization or adaptive pooling, then Flatten and Dense; valid or not, Keras decides."""
    kind = rng.choice(["normalization", "unit", "adaptive"])
    if kind == "normalization":
        shape = rng.choice([(5,), (3, 4), (2, 3, 4)])
        axis = rng.choice(["-1", "-1", "None", "1", "(1, 2)", "[-1, -2]", "0", "(2, 2)", "5"])
        stats = rng.choice(["", "", ", mean=0.5, variance=2.0", ", mean=[1.0] * 4, variance=[2.0] * 4",
                            ", mean=1.0"])
        layer = f"layers.Normalization(axis={axis}{stats})"
    elif kind == "unit":
        shape = rng.choice([(5,), (3, 4)])
        layer = f"layers.UnitNormalization(axis={rng.choice(['-1', '1', '[1, 2]', '2', '-4', '0'])})"
    else:
        n = rng.randint(1, 3)
        first = rng.random() < 0.3
        shape = tuple(rng.randint(3, 6) for _ in range(n + 1)) if rng.random() < 0.9 else (4, 3)
        # (not 0: an axis pooled to nothing is left unknown, where Keras counts what follows)
        size = rng.choice([str(rng.randint(1, 4)), str((2,) * n), "-1", str([3] * n),
                           "(2, None)" if n == 2 else "2"])
        fmt = ", data_format='channels_first'" if first else ""
        layer = f"layers.Adaptive{rng.choice(['Average', 'Max'])}Pooling{n}D({size}{fmt})"
    body = [layer, "layers.Flatten()", f"layers.Dense({rng.randint(1, 4)})"]
    if rng.random() < 0.5:
        return f"model_{i} = keras.Sequential([keras.Input({shape}), {', '.join(body)}])\n"
    return f"norm = {layer}\nx = keras.Input({shape})\n" \
        f"model_{i} = keras.Model(x, {body[2]}({body[1]}(norm(x))))\n"


def test_normalization_unit_normalization_and_adaptive_pooling_as_keras(tmp_path: Path) -> None:
    """Normalization keeps a mean, a variance (over the axes `axis` names) and a count as
    non-trainable weights unless it is given its statistics; UnitNormalization owns nothing;
    adaptive pooling makes the spatial axes `output_size`. Random models, one program each: the
    total and the trainable count are Keras' where Keras builds the model, none where it
    refuses."""
    _as_keras(tmp_path, "normalizing", _normalizing_program, 80,
              built=40, refused=8, trainable=True)


ADAPTED = """\
import keras
import numpy as np
from keras import layers

norm = layers.Normalization(axis={axis})
norm.adapt(np.ones({data}))
x = keras.Input((3, 4))
flat = layers.Flatten()(norm(x))
model = keras.Model(x, layers.Dense(2)(flat))
"""


@pytest.mark.parametrize("axis, data", [("-1", "(8, 3, 4)"), ("-1", "(8, 3, 1)"),
                                        ("0", "(8, 3, 4)")])
def test_normalization_adapted_to_data_is_built_on_the_data(tmp_path: Path, axis: str,
                                                             data: str) -> None:
    """`adapt(data)` builds the layer on the data's shape (numpy's, not followed), not on what
    it is called on later: its count and the model's total are not certain, where the Dense
    after it is Keras' own."""
    path, source = write(tmp_path, "adapted.py", ADAPTED.format(axis=axis, data=data))
    truth = run_with_keras(path)
    report = paramlens(path)[path.resolve()]
    norm, dense = layer_at(report, line_of(source, "norm = ")), \
        layer_at(report, line_of(source, "model = "))
    model = truth.namespace["model"]
    assert norm["params"] is None
    assert dense["params"] == model.layers[-1].count_params()
    assert [m["params"] for m in models_at(report, line_of(source, "model = "))] == [None]


def _conv_lstm_program(rng: Any, i: int) -> str:
    """One model through one or two ConvLSTM layers (sequences of 1-, 2- or 3-d images), either
    data format, then Flatten and Dense; valid or not, Keras decides."""
    n = rng.randint(1, 3)
    first = rng.random() < 0.3
    spatial = tuple(rng.randint(2, 7) for _ in range(n))
    channels = rng.randint(1, 4)
    shape = (rng.randint(2, 4), channels, *spatial) if first else (rng.randint(2, 4), *spatial,
                                                                    channels)
    if rng.random() < 0.1:
        shape = shape[1:]  # (a rank Keras refuses)
    fmt = ", data_format='channels_first'" if first else ""
    steps = []
    for depth in range(rng.randint(1, 2)):
        sequences = depth == 0 and rng.random() < 0.6
        steps.append(f"layers.ConvLSTM{n}D({rng.randint(1, 4)}, {rng.choice([1, 2, 3, (2,) * n])}, "
                     f"strides={rng.choice([1, 1, 2, 0])}, padding={rng.choice(['valid', 'same'])!r}"
                     f", return_sequences={sequences}, use_bias={rng.choice([True, False])}{fmt})")
        if not sequences:
            break
    steps += ["layers.Flatten()", f"layers.Dense({rng.randint(1, 3)})"]
    return f"model_{i} = keras.Sequential([keras.Input({shape}), {', '.join(steps)}])\n"


def test_conv_lstm_counts_and_shapes_as_keras(tmp_path: Path) -> None:
    """ConvLSTM1D/2D/3D: four gates of convolution kernels over the input and the state, each
    step convolved as Conv*D would, the time axis kept where it returns sequences. Random models,
    one program each: the total is Keras' count_params() where Keras builds the model, none
    where it refuses."""
    _as_keras(tmp_path, "conv_lstm", _conv_lstm_program, 60, built=25, refused=8)


def _rnn_cell_program(rng: Any, i: int) -> str:
    """One model through keras.layers.RNN over a cell or a list of them, valid or not (Keras
    decides): a cell built earlier, a cell of no int state size, a layer that is no cell."""
    def cell() -> str:
        kind = rng.choice(["LSTMCell", "GRUCell", "SimpleRNNCell"])
        units = rng.choice([rng.randint(1, 6)] * 8 + [2.5, 0])
        extra = f", reset_after={rng.choice([True, False])}" if kind == "GRUCell" else ""
        return f"layers.{kind}({units}, use_bias={rng.choice([True, False])}{extra})"
    given = rng.choice([cell(), cell(), cell(), f"[{cell()}, {cell()}]", f"[{cell()}]",
                        "layers.Dense(3)"])
    sequences = rng.random() < 0.4
    shape = rng.choice([(rng.randint(2, 5), rng.randint(1, 5))] * 6 + [(4,)])
    rest = ["layers.Flatten()", "layers.Dense(2)"] if sequences else ["layers.Dense(2)"]
    made = f"cell = {given}\n"
    if rng.random() < 0.15 and not given.startswith("["):
        made += f"cell.build((None, {rng.randint(1, 5)}))\n"  # (built before: the RNN keeps it)
    return made + f"model_{i} = keras.Sequential([keras.Input({shape}), " \
        f"layers.RNN(cell, return_sequences={sequences}), {', '.join(rest)}])\n"


def test_rnn_over_cells_counts_as_keras(tmp_path: Path) -> None:
    """keras.layers.RNN counts its cell, built on each step of its input; a list of cells is
    stacked, each built on the one before's output. Random models, one program each: the total
    is Keras' count_params() where Keras builds the model, none where it refuses."""
    _as_keras(tmp_path, "rnn_cells", _rnn_cell_program, 60, built=25, refused=8)


_EINSUM_CASES = [("abc,cd->abd", "(None, 4)", "'d'"), ("abc,cd->abd", "(3, 2)", "None"),
                 ("...b,bc->...c", "4", "'c'"), ("abc,cde->abde", "(None, 2, 3)", "'de'"),
                 ("abc,cde->abde", "(3, 2, 3)", "'e'"), ("abc,cd->ad", "(4,)", "'d'"),
                 ("ab...,bc->ac...", "(3, None)", "'c'"), ("ab,bc->ac", "5", "None"),
                 ("abc,cd->abd", "(4, 2)", "'d'"), ("abc,cd->abz", "(None, 4)", "None")]


def _einsum_program(rng: Any, i: int) -> str:
    """One model through EinsumDense (equations with and without an ellipsis, some Keras
    refuses), then Flatten and Dense, or Dense alone."""
    equation, output, bias = rng.choice(_EINSUM_CASES)
    shape = rng.choice([(3, rng.randint(1, 5))] * 4 + [(rng.randint(1, 5),)])
    rest = rng.choice([["layers.Flatten()", "layers.Dense(2)"], ["layers.Dense(2)"]])
    layer = f"layers.EinsumDense({equation!r}, output_shape={output}, bias_axes={bias})"
    return f"model_{i} = keras.Sequential([keras.Input({shape}), {layer}, {', '.join(rest)}])\n"


def test_einsum_dense_counts_and_shapes_as_keras(tmp_path: Path) -> None:
    """EinsumDense's kernel and bias take their sizes from the equation, the input and the
    output shape, and so does the shape it passes on. Random models, one program each: the
    total is Keras' count_params() where Keras builds the model, none where it refuses."""
    _as_keras(tmp_path, "einsum", _einsum_program, 60, built=25, refused=10)


REWEIGHED_UNRUN = """\
import keras
from keras import layers


def quantized(block_size):
    layer = layers.Dense(units=32)
    layer.build((None, 128))
    layer.quantize("int8")
    return keras.Sequential([layer])


def with_lora(rank):
    layer = layers.Dense(units=16)
    layer.build((None, 8))
    layer.enable_lora(rank)
    inputs = keras.Input((8,))
    return keras.Model(inputs, layer(inputs))


def plain(block_size):
    layer = layers.Dense(units=32)
    layer.build((None, 128))
    return keras.Sequential([layer])
"""


def test_a_layer_quantized_or_given_lora_leaves_the_model_total_open(tmp_path: Path) -> None:
    """In functions the evaluation does not run (each needs an argument), the file's own
    reading sizes a layer by its build(shape), and a model holding one that quantize() or
    enable_lora() changed has no certain total: its weights are Keras' new ones."""
    path, source = write(tmp_path, "reweighed.py", REWEIGHED_UNRUN)
    report = paramlens(path)[path.resolve()]
    namespace = run_with_keras(path).namespace
    for name, arg in (("quantized", 64), ("with_lora", 4), ("plain", 64)):
        model = namespace[name](arg)
        weights = sum(math.prod(w.shape) for w in model.weights)
        at = [m for m in report["models"] if m["kind"] in ("Sequential", "Model") and
              def_line(source, name) < m["line"] <= def_line(source, name) + 6]
        assert len(at) == 1, (name, report["models"])
        expected = weights if name == "plain" else None
        assert at[0]["params"] == expected, (name, at[0], weights)


def _attention_program(rng: Any, i: int) -> str:
    """One functional model through MultiHeadAttention or GroupQueryAttention whose value (and
    key) may come through layers of their own, and may not fit the query or each other: Keras
    decides."""
    q_dim = rng.choice([4, 8])
    v_len, k_len = rng.choice([(7, 7), (7, 7), (7, 5)])
    v_dim = rng.choice([q_dim, q_dim, 6])
    lines = [f"q = keras.Input(({rng.randint(2, 5)}, {q_dim}))",
             f"v = keras.Input(({v_len}, {v_dim}))", f"k = keras.Input(({k_len}, {v_dim}))"]
    value = rng.choice(["v", f"layers.Dense({q_dim})(v)"])
    key = rng.choice(["", ", k", f", layers.Dense({rng.randint(2, 5)})(k)"])
    if rng.random() < 0.5:
        layer = f"layers.MultiHeadAttention({rng.randint(1, 3)}, {rng.randint(1, 4)})"
    else:
        kv = rng.randint(1, 2)
        layer = f"layers.GroupQueryAttention({rng.randint(1, 4)}, {kv * rng.randint(1, 2)}, " \
            f"{kv}, use_gate={rng.choice([True, False])})"
    lines.append(f"x = {layer}(q, {value}{key})")
    lines.append(f"model_{i} = keras.Model([q, v, k], layers.Dense(2)(x))")
    return "\n".join(lines) + "\n"


def test_attention_counts_what_its_value_and_key_come_through(tmp_path: Path) -> None:
    """MultiHeadAttention and GroupQueryAttention: the model counts the layers its value and key
    come through, and has no total where Keras refuses their shapes (a key and a value of other
    lengths; GroupQueryAttention, a value of another size than the query). Random models, one
    program each: the total is Keras' count_params() where Keras builds the model, none where
    it refuses."""
    _as_keras(tmp_path, "attention", _attention_program, 60, built=25, refused=8)


CALLED_ON_SHAPES_REFUSED = """\
import keras
from keras import layers

q = keras.Input((5, 16))
v = keras.Input((7, {value}))
k = keras.Input(({key}, {value}))
attention = layers.{layer}
try:
    out = attention(q, v, k)
except ValueError:
    out = None
"""


@pytest.mark.parametrize("layer, value, key", [
    ("MultiHeadAttention(2, 8)", 16, 6),  # the build refuses the key and value lengths
    ("GroupQueryAttention(4, 4, 2)", 12, 7),  # the weights are made, then the output refused
    ("GroupQueryAttention(4, 4, 2)", 16, 6),
    ("MultiHeadAttention(2, 8)", 12, 7),  # accepted: a count
])
def test_an_attention_refused_where_it_is_called_has_the_weights_keras_made(
        tmp_path: Path, layer: str, value: int, key: int) -> None:
    """Keras' MultiHeadAttention checks the value and the key in its build, before any weight
    exists: refused there, it never has a count. GroupQueryAttention builds its weights first
    and refuses the shapes after: it keeps them. The layer's count is `count_params()` of the
    layer after the call, as Keras left it, and none where Keras left it unbuilt."""
    source = CALLED_ON_SHAPES_REFUSED.format(layer=layer, value=value, key=key)
    path, _ = write(tmp_path, "refused_attention.py", source)
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - the program above
    made = namespace["attention"]
    truth = made.count_params() if made.built else None
    found = layer_at(paramlens(path)[path.resolve()], line_of(source, "attention = "))
    assert found["params"] == truth, (found, truth)


REFUSED_CALL_IN_A_BUILDER = """\
import keras
from keras import layers


def build():
    q = keras.Input((5, 16))
    v = keras.Input((7, 16))
    k = keras.Input(({key}, 16))
    attention = layers.{layer}
    out = attention(q, v, k)
    return keras.Model([q, v, k], out)


q = keras.Input((5, 16))
v = keras.Input((7, 16))
k = keras.Input(({key}, 16))
made = keras.Model([q, v, k], layers.Dense(3)(layers.{layer}(q, v, k)))
"""


@pytest.mark.parametrize("layer, key", [
    ("MultiHeadAttention(2, 8)", 6),  # refused in its build: no weights
    ("GroupQueryAttention(4, 4, 2)", 6),  # its weights are made, then the call refused
    ("MultiHeadAttention(2, 8)", 7),
    ("GroupQueryAttention(4, 4, 2)", 7),
])
def test_a_call_keras_refuses_is_an_error_where_it_is_and_the_model_after_it_has_no_total(
        tmp_path: Path, layer: str, key: int) -> None:
    """Where Keras refuses to call a layer (an attention's value and key of other lengths), the
    error is on the call Keras raises at, whether or not the layer made its weights first, and
    a model made after it, which Python never reaches, has no total. Where Keras accepts the
    call, no error, and the model's total is count_params()."""
    source = REFUSED_CALL_IN_A_BUILDER.format(layer=layer, key=key)
    path, _ = write(tmp_path, "refused_call.py", source)
    namespace: dict[str, Any] = {"__name__": "refused_call"}
    code = compile(source, str(path), "exec")

    def keras_runs(action: Any) -> tuple[int | None, int | None]:
        """(the model's count_params(), None) or (None, the file's line Keras raised at)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return action().count_params(), None
            except ValueError as error:
                frames = [f for f in traceback.extract_tb(error.__traceback__)
                          if f.filename == str(path)]
                return None, frames[-1].lineno

    def module_body() -> Any:
        exec(code, namespace)  # noqa: S102 - the program above
        return namespace["made"]

    module_total, module_raised = keras_runs(module_body)
    build_total, build_raised = keras_runs(lambda: namespace["build"]())
    totals = [build_total, module_total]
    raised_at = sorted(line for line in (build_raised, module_raised) if line is not None)
    report = paramlens(path)[path.resolve()]
    # (refused-arguments where the layer is never built, refused-call where it keeps weights)
    errors = sorted(d["line"] for d in report["diagnostics"] if d["severity"] == "error" and
                    d["code"] == ("refused-arguments" if "MultiHead" in layer else "refused-call"))
    calls = [line_of(source, "out = attention("), line_of(source, "made = keras.Model(")]
    assert [line for line in errors if line in calls] == raised_at, (report["diagnostics"],
                                                                     raised_at)
    for line, total in zip((line_of(source, "return keras.Model("), calls[1]), totals,
                           strict=True):
        shown = [(m["params"], m["params_default"]) for m in models_at(report, line)]
        # (a module body Python stops in lists no model after the statement that raises)
        assert shown == [(total, total)] if total is not None else \
            all(counts == (None, None) for counts in shown), (shown, total)
    # the builder's own entry says where Python raises: the line of the call, not the layer's
    builder = models_at(report, line_of(source, "def build("))
    said = [m["raised"].split(",")[0] for m in builder if m["raised"] is not None]
    assert said == ([] if build_raised is None else [f"refused_call.py:{build_raised}"]), \
        (builder, build_raised)


def _emptying_builder(rng: Any, i: int) -> str:
    """One builder through a pooling or a crop on a small image, which may leave no output
    (Keras raises), then Flatten and Dense."""
    h, w = rng.randint(1, 5), rng.randint(1, 5)
    kind = rng.choice(["MaxPooling2D", "AveragePooling2D", "Cropping2D", "MaxPooling1D",
                       "Cropping1D"])
    shape = f"({h}, {w}, 2)" if kind.endswith("2D") else f"({h}, 2)"
    if kind.startswith("Cropping"):
        crop = [(rng.randint(0, 3), rng.randint(0, 3)) for _ in range(2 if "2D" in kind else 1)]
        layer = f"layers.{kind}({tuple(crop) if len(crop) == 2 else crop[0]})"
    else:
        pool = rng.randint(1, 5) if "1D" in kind else (rng.randint(1, 5), rng.randint(1, 5))
        strides = rng.choice(["None", str(rng.randint(1, 3))])
        padding = rng.choice(["'valid'", "'valid'", "'same'"])
        layer = f"layers.{kind}({pool}, strides={strides}, padding={padding})"
    return (f"def build_{i}():\n"
            f"    x = keras.Input({shape})\n"
            f"    y = {layer}(x)\n"
            f"    return keras.Model(x, layers.Dense(3)(layers.Flatten()(y)))\n\n\n")


def test_a_window_or_a_crop_larger_than_its_input_raises_where_keras_raises(
        tmp_path: Path) -> None:
    """Keras' pooling (padding 'valid') and cropping raise where the output would have an axis
    of zero or less. Random builders, one file: where Keras builds the model, the builder's
    total is count_params(); where it raises, the builder has no total and says the code raises
    on the line Keras raised at."""
    import random
    rng = random.Random(7)
    source = "import keras\nfrom keras import layers\n\n\n" + \
        "".join(_emptying_builder(rng, i) for i in range(60))
    path, _ = write(tmp_path, "emptied.py", source)
    namespace: dict[str, Any] = {}
    exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - the program above
    report = paramlens(path)[path.resolve()]
    outcomes = Counter()
    problems = []
    for i in range(60):
        entry = builder_entry(report, source, f"build_{i}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                truth, raised_at = namespace[f"build_{i}"]().count_params(), None
            except ValueError as error:
                frames = [f for f in traceback.extract_tb(error.__traceback__)
                          if f.filename == str(path)]
                truth, raised_at = None, frames[-1].lineno
        outcomes["built" if truth is not None else "raised"] += 1
        if truth is not None and entry["params"] != truth:
            problems.append(f"build_{i}: Keras {truth}, paramlens {entry['params']}")
        if truth is None and (entry["params"] is not None or entry["params_default"] is not None
                              or f"emptied.py:{raised_at}," not in (entry["raised"] or "")):
            problems.append(f"build_{i}: Keras raises on line {raised_at}, paramlens {entry}")
    assert outcomes["built"] >= 20 and outcomes["raised"] >= 10, outcomes
    assert not problems, "\n".join(problems)


def _states_program(rng: Any, i: int) -> str:
    """One encoder-decoder model: a recurrent encoder returns its states, which start a
    decoder (initial_state) whose only other input is a model input (states of another size or
    number: Keras makes the model all the same), or one that unpacks them wrongly."""
    kind = rng.choice(["LSTM", "GRU", "SimpleRNN"])
    units = rng.randint(2, 6)
    other = rng.choice([kind, kind, kind, "LSTM", "GRU"])
    dec_units = rng.choice([units, units, units, units + 1])
    states = 2 if kind == "LSTM" else 1
    names = ", ".join(f"s{j}" for j in range(states + (rng.random() < 0.15)))
    shape = rng.choice(["(3, 2)", "(3, 2)", "(3, 2)", "(None, 2)", "(4,)"])
    # the states from the encoder, or from a Dense over the encoder's input (a context vector)
    encoder = f"enc_out, {names} = layers.{kind}({units}, return_state=True)(enc_in)\n" \
        if rng.random() < 0.7 else \
        f"{names} = {', '.join(f'layers.Dense({units})(enc_in)' for _ in names.split(', '))}\n"
    if not encoder.startswith("enc_out"):
        shape = rng.choice(["(7,)", "(3,)"])
    return (f"enc_in = keras.Input({shape})\n"
            f"dec_in = keras.Input(({rng.randint(2, 5)}, {rng.randint(1, 4)}))\n"
            f"{encoder}"
            f"dec = layers.{other}({dec_units}, return_sequences=True)(dec_in, "
            f"initial_state=[{names}])\n"
            f"model_{i} = keras.Model([enc_in, dec_in], layers.Dense(2)(dec))\n")


def test_recurrent_states_count_what_they_come_from(tmp_path: Path) -> None:
    """return_state=True gives the output and the states (LSTM two, GRU and SimpleRNN one);
    a decoder started from them (initial_state) takes the encoder into the model. Random
    models, one program each: the total is Keras' count_params() where Keras builds the model,
    none where it refuses."""
    _as_keras(tmp_path, "states", _states_program, 60, built=25, refused=5)


BUILT_UNDER_A_CONDITION = """\
import keras
from keras import layers


made = []


def head(small):
    dense = layers.Dense(3)
    made.append(dense)
    if small:
        dense.build((None, 8))
    x = keras.Input((16,))
    return keras.Model(x, dense(x))
"""


def test_a_build_that_may_not_run_does_not_size_the_layer(tmp_path: Path) -> None:
    """build(shape) under a condition the code does not fix: Keras builds the layer on that
    shape (and then refuses the call), or on what it is called on; neither count is certain,
    nor the model's total."""
    path, source = write(tmp_path, "conditional_build.py", BUILT_UNDER_A_CONDITION)
    namespace = run_with_keras(path).namespace
    counts = {}
    for flag in (True, False):
        try:
            namespace["head"](flag)
        except ValueError:  # (built on 8 channels, called on 16)
            pass
        counts[flag] = namespace["made"][-1].count_params()
    assert counts[True] != counts[False]
    report = paramlens(path)[path.resolve()]
    assert layer_at(report, line_of(source, "layers.Dense(3)"))["params"] is None
    assert [m["params"] for m in report["models"]] in ([], [None])


def _spectral_program(rng: Any, i: int) -> str:
    """One model through SpectralNormalization around a layer with a kernel (or embeddings),
    or one Keras refuses (none, or a power_iterations of 0)."""
    inner, shape = rng.choice([
        (f"layers.Dense({rng.randint(1, 5)})", f"({rng.randint(1, 5)},)"),
        (f"layers.Conv2D({rng.randint(1, 4)}, 3)", "(6, 6, 2)"),
        (f"layers.Conv2DTranspose({rng.randint(1, 4)}, 3)", "(5, 5, 3)"),
        (f"layers.DepthwiseConv2D(3, depth_multiplier={rng.randint(1, 3)})", "(6, 6, 2)"),
        (f"layers.Embedding({rng.randint(5, 20)}, {rng.randint(1, 5)})", "(4,)"),
        ("layers.EinsumDense('ab,bc->ac', 4)", "(5,)"), ("layers.LSTM(3)", "(4, 2)"),
        ("layers.BatchNormalization()", "(4,)"), ("layers.SeparableConv2D(3, 3)", "(6, 6, 2)")])
    power = rng.choice([1, 1, 1, 2, 0])
    return f"model_{i} = keras.Sequential([keras.Input({shape}), " \
        f"layers.SpectralNormalization({inner}, power_iterations={power}), " \
        f"layers.Flatten(), layers.Dense(2)])\n"


def test_spectral_normalization_counts_its_layer_and_its_vector(tmp_path: Path) -> None:
    """SpectralNormalization holds its layer, built on its input, and a non-trainable
    `vector_u` as wide as the last axis of the layer's kernel (or embeddings); Keras refuses a
    layer with neither. Random models, one program each: the total and the trainable count are
    Keras' where Keras builds the model, none where it refuses."""
    _as_keras(tmp_path, "spectral", _spectral_program, 60, built=20, refused=8, trainable=True)


QUERY_NOT_FOLLOWED = """\
import keras
from keras import layers

q = keras.Input((5, 16))
doubled = layers.Lambda(lambda t: t * 2)(q)
v = keras.Input((7, 16))
out = layers.GroupQueryAttention(4, 4, 2)(doubled, v)
model = keras.Model([q, v], out)
"""


def test_an_attention_on_a_query_of_no_known_shape_is_not_refused(tmp_path: Path) -> None:
    """A query whose shape the evaluator does not follow (a Lambda without output_shape): Keras
    makes the model, and paramlens neither says it refuses nor gives a total."""
    path, source = write(tmp_path, "unknown_query.py", QUERY_NOT_FOLLOWED)
    namespace = run_with_keras(path).namespace
    assert namespace["model"].count_params() > 0
    report = paramlens(path)[path.resolve()]
    assert [d for d in report["diagnostics"] if d["code"] == "refused-arguments"] == []
    assert layer_at(report, line_of(source, "GroupQueryAttention"))["params"] is None
    assert [m["params"] for m in models_at(report, line_of(source, "model = "))] == [None]
