"""Each source of input channels, one test each. Expected numbers are written as the framework's
formula (out · in/groups · k… + bias), worked by hand from the layer's definition."""

from __future__ import annotations

import textwrap

import pytest

from paramlens.engine.analysis import analyze_source
from paramlens.engine.results import LayerResult


def layers(source: str) -> list[LayerResult]:
    report = analyze_source(textwrap.dedent(source))
    assert report.error is None, report.error
    return report.layers


def at_line(source: str, line: int) -> LayerResult:
    found = [r for r in layers(source) if r.span.line == line]
    assert found, f"no layer on line {line}"
    return found[0]


def test_literals_and_every_import_alias() -> None:
    source = """\
        import torch
        import torch.nn as nn
        from torch import nn as tnn
        from torch.nn import Conv2d as C
        import tensorflow as tf
        from keras import layers
        from tensorflow.keras.layers import Conv2D
        from keras.src import layers as klayers
        a = nn.Conv2d(3, 10, 3)
        b = tnn.Conv2d(3, 10, 3, bias=False)
        c = C(3, 10, kernel_size=3)
        d = torch.nn.Conv2d(3, 10, (3, 3))
        e = torch.nn.modules.conv.Conv2d(3, 10, 3)
        """
    found = layers(source)
    assert [(r.span.line, r.params) for r in found] == [
        (9, 10 * 3 * 3 * 3 + 10), (10, 10 * 3 * 3 * 3), (11, 280), (12, 280), (13, 280)]
    assert {r.layer for r in found} == {"torch.nn.Conv2d"}
    assert found[0].in_channels_from == "literal"


def test_keras_aliases_map_to_keras_layers() -> None:
    source = """\
        import tensorflow as tf
        from tensorflow.keras.layers import Conv2D
        m = tf.keras.Sequential([tf.keras.Input(shape=(24, 24, 3)), Conv2D(10, 3)])
        n = tf.keras.Sequential([tf.keras.layers.Convolution2D(10, 3, input_shape=(8, 8, 3))])
        """
    found = layers(source)
    # Convolution2D is Keras' alias of the Conv2D class: the report names the class.
    assert [(r.layer, r.params) for r in found] == [("keras.layers.Conv2D", 280),
                                                   ("keras.layers.Conv2D", 280)]


def test_module_constants_and_arithmetic() -> None:
    source = """\
        import torch.nn as nn
        C_IN = 3
        WIDTH = 2 * C_IN
        conv = nn.Conv2d(WIDTH, WIDTH * 4, 3)
        """
    r = at_line(source, 4)
    assert r.params == 24 * 6 * 9 + 24
    assert r.in_channels == 6
    assert "WIDTH" in r.in_channels_from


def test_self_attribute_set_earlier_in_init() -> None:
    source = """\
        import torch.nn as nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.inplanes = 64
                self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, bias=False)
                self.conv2 = nn.Conv2d(self.inplanes, 128, 1)
                self.inplanes = 128
                self.conv3 = nn.Conv2d(self.inplanes, 8, 1)
        """
    assert at_line(source, 6).params == 64 * 3 * 49
    assert at_line(source, 7).params == 128 * 64 + 128
    assert at_line(source, 9).params == 8 * 128 + 8


def test_keras_input_shape_and_model_build_and_input_layer() -> None:
    source = """\
        import keras
        from keras import layers
        a = keras.Sequential([layers.Conv2D(10, 3, input_shape=(24, 24, 3))])
        b = keras.Sequential()
        b.add(layers.Conv2D(16, 3))
        b.build((None, 32, 32, 5))
        c = keras.Sequential([layers.InputLayer(shape=(9, 9, 2)), layers.Conv2D(4, 3)])
        inputs = keras.Input(shape=(28, 28, 1))
        x = layers.Conv2D(8, 3)(inputs)
        """
    assert at_line(source, 3).params == 10 * 3 * 9 + 10
    assert at_line(source, 5).params == 16 * 5 * 9 + 16
    assert at_line(source, 7).params == 4 * 2 * 9 + 4
    assert at_line(source, 9).params == 8 * 1 * 9 + 8


def test_channels_first_data_format() -> None:
    source = """\
        import keras
        from keras import layers
        inputs = keras.Input(shape=(3, 32, 32))
        x = layers.Conv2D(8, 3, data_format="channels_first")(inputs)
        y = layers.Conv2D(8, 3)(inputs)
        """
    assert at_line(source, 4).params == 8 * 3 * 9 + 8
    assert at_line(source, 5).params == 8 * 32 * 9 + 8


def test_sequential_and_functional_chains() -> None:
    source = """\
        import torch.nn as nn
        import keras
        from keras import layers
        net = nn.Sequential(nn.Conv2d(3, 16, 3), nn.BatchNorm2d(16), nn.ReLU(), nn.LazyConv2d(32, 1))
        inputs = keras.Input(shape=(32, 32, 3))
        x = layers.Conv2D(64, 3, padding="same")(inputs)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D()(x)
        y = layers.Conv2D(32, 1)(x)
        z = layers.Concatenate()([x, y])
        z = layers.SeparableConv2D(10, 3, depth_multiplier=2)(z)
        w = layers.Add()([y, y])
        w = layers.DepthwiseConv2D(3)(w)
        f = layers.Flatten()(layers.Input(shape=(4, 4, 2)))
        d = layers.Dense(7)(f)
        """
    assert at_line(source, 4).params is not None
    lazy = [r for r in layers(source) if r.layer == "torch.nn.LazyConv2d"][0]
    assert lazy.params == 32 * 16 + 32
    assert at_line(source, 7).params == 4 * 64
    assert at_line(source, 10).params == 32 * 64 + 32
    assert at_line(source, 12).params == 3 * 3 * 96 * 2 + 96 * 2 * 10 + 10
    assert at_line(source, 14).params == 3 * 3 * 32 + 32
    assert at_line(source, 16).params == 32 * 7 + 7


def test_function_parameter_from_every_call_in_the_file() -> None:
    source = """\
        import torch.nn as nn
        def block(cin, cout):
            return nn.Conv2d(cin, cout, 3)
        def other(cin):
            return nn.Conv2d(cin, 4, 1)
        a = block(8, 16)
        b = block(8, 16)
        c = other(2)
        d = other(5)
        """
    same = at_line(source, 3)
    assert same.params is None  # another module could call block() with other values
    assert same.params_default == 16 * 8 * 9 + 16
    assert "call" in "; ".join(same.assumptions)
    differ = at_line(source, 5)
    assert differ.params is None and differ.params_default is None
    assert differ.formula == "4 × cin + 4"


def test_default_arguments_give_params_default_only() -> None:
    source = """\
        import torch.nn as nn
        class Head(nn.Module):
            def __init__(self, in_planes, num_classes=1000):
                super().__init__()
                self.fc = nn.Conv2d(512, num_classes, kernel_size=1)
                self.conv = nn.Conv2d(in_planes, 64, 3)
        """
    fc = at_line(source, 5)
    assert fc.params is None and fc.params_default == 1000 * 512 + 1000
    conv = at_line(source, 6)
    assert conv.params is None and conv.params_default is None
    assert conv.formula == "576 × in_planes + 64"
    assert any("in_planes" in u for u in conv.unknowns)


def test_kwargs_make_the_count_uncertain_unless_literal() -> None:
    source = """\
        import torch.nn as nn
        def make(opts, **kwargs):
            a = nn.Conv2d(3, 8, 3, **kwargs)
            b = nn.Conv2d(3, 8, 3, **{"bias": False})
            c = nn.Conv2d(3, 8, 3, **dict(groups=1, bias=False))
            return a, b, c
        """
    a = at_line(source, 3)
    assert a.params is None and a.params_default == 8 * 3 * 9 + 8
    assert at_line(source, 4).params == 8 * 3 * 9
    assert at_line(source, 5).params == 8 * 3 * 9


def test_loops_make_reassigned_names_unknown() -> None:
    source = """\
        import torch.nn as nn
        ch = 16
        blocks = []
        for i in range(3):
            blocks.append(nn.Conv2d(ch, ch * 2, 3))
            ch = ch * 2
        last = nn.Conv2d(ch, 10, 1)
        """
    assert at_line(source, 5).params is None
    assert at_line(source, 7).params is None


def test_branch_values_join_and_rest_on_defaults() -> None:
    source = """\
        import torch.nn as nn
        def build(num_keypoints=None, wide=False):
            if num_keypoints is None:
                num_keypoints = 17
            width = 64
            if wide:
                width = 128
            return nn.ConvTranspose2d(512, num_keypoints, 4, stride=2), nn.Conv2d(3, width, 1)
        """
    deconv, conv = layers(source)
    assert deconv.params is None and deconv.params_default == 512 * 17 * 16 + 17
    assert conv.params is None and conv.params_default == 64 * 3 + 64


def test_a_value_no_arm_changes_keeps_no_assumption_of_the_condition() -> None:
    # `width` is 16 whichever way the test goes: the conv's count is certain, and it does not
    # rest on norm_layer's default (the branch changes norm_layer alone)
    source = """\
        import torch.nn as nn
        def block(norm_layer=None):
            width = 16
            if norm_layer is None:
                norm_layer = nn.BatchNorm2d
            return nn.Conv2d(width, 32, 3), norm_layer(32)
        """
    conv = at_line(source, 6)
    assert conv.params == 32 * 16 * 9 + 32
    assert not any("norm_layer" in a for a in conv.assumptions), conv.assumptions


def test_a_call_inside_a_method_call_is_one_call() -> None:
    # Python evaluates `block(3)` once, though the method it is passed to is unknown: one call
    # fixes `c`. A Sequential handed once to a method it cannot follow is as unknown as one
    # handed once to a function it cannot follow.
    source = """\
        import logging
        import torch.nn as nn
        def block(c):
            return nn.Conv2d(c, 16, 3)
        logging.getLogger("x").info(block(3))
        """
    conv = at_line(source, 4)
    assert conv.params_default == 16 * 3 * 9 + 16
    assert any("the call on line 5" in a for a in conv.assumptions), conv.assumptions
    # the same through a method of the class, whose arguments are bound where it is called
    in_method = """\
        import torch.nn as nn
        def block(c):
            return nn.Conv2d(c, 16, 3)
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.keep(block(3))
            def keep(self, layer):
                self.layer = layer
        """
    conv = at_line(in_method, 3)
    assert any("the call on line 7" in a for a in conv.assumptions), conv.assumptions
    unknown = []
    for handed in ("pickle.loads(pickle.dumps(seq))", "save(seq)"):
        report = analyze_source(f"import pickle\nimport torch.nn as nn\n"
                                f"seq = nn.Sequential(nn.Linear(4, 2))\n{handed}\n")
        (seq,) = report.models
        unknown.append(seq.unknown_layers)
    assert unknown[0] == unknown[1] > 0, unknown


def test_a_list_a_function_may_change_is_lost_once_not_at_every_call() -> None:
    # register() may append to REG: after the first top-level call REG is unknown, and the
    # thousand calls after it add nothing (each adding an unknown would cost the walk
    # quadratically: a tuple copied per call)
    calls = "\n".join(f"register({i})" for i in range(1000))
    source = (f"import torch.nn as nn\nREG = []\ndef register(i):\n    REG.append(nn.ReLU())\n"
              f"{calls}\nmodel = nn.Sequential(*REG)\n")
    (model,) = analyze_source(source).models
    assert 0 < model.unknown_layers <= 2, model


def test_channel_mismatch_and_groups_are_errors() -> None:
    source = """\
        import torch.nn as nn
        from keras import layers
        import keras
        net = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.Conv2d(32, 8, 3))
        x = keras.Input(shape=(8, 8, 6))
        y = layers.Conv2D(8, 3, groups=4)(x)
        """
    report = analyze_source(textwrap.dedent(source))
    codes = sorted((d.span.line, d.code) for d in report.diagnostics)
    assert codes == [(4, "channel-mismatch"), (6, "groups-divisibility")]
    assert "16" in report.diagnostics[0].message and "32" in report.diagnostics[0].message


def test_output_shape_and_mult_adds_for_known_input() -> None:
    source = """\
        import keras
        from keras import layers
        m = keras.Sequential([layers.Conv2D(10, 3, input_shape=(24, 24, 3))])
        n = keras.Sequential([layers.Conv2D(4, 3, strides=2, padding="same", input_shape=(9, 9, 1))])
        """
    r = at_line(source, 3)
    assert r.output_shape == (22, 22, 10)
    assert r.mult_adds == 280 * 22 * 22  # torchinfo: params × output positions
    assert at_line(source, 4).output_shape == (5, 5, 4)


def test_seed_example() -> None:
    from pathlib import Path

    text = (Path(__file__).parent.parent / "examples" / "seed.py").read_text()
    found = analyze_source(text).layers
    assert [r.params_default for r in found] == [280, 270]
    assert [r.in_channels_default for r in found] == [3, 3]
    assert all("input_shape" in r.in_channels_from for r in found)


def test_class_attributes_certain_by_class_name_assumed_through_self() -> None:
    source = """\
        import torch.nn as nn
        class Block(nn.Module):
            expansion = 4
            def __init__(self):
                super().__init__()
                self.a = nn.Linear(8, 2 * self.expansion)
        head = nn.Linear(16 * Block.expansion, 10)
        """
    through_self = at_line(source, 6)
    assert through_self.params is None and through_self.params_default == 8 * 8 + 8
    assert at_line(source, 7).params == 64 * 10 + 10


def test_names_rebound_through_global_are_not_certain() -> None:
    source = """\
        import torch.nn as nn
        WIDTH = 8
        def widen():
            global WIDTH
            WIDTH = 16
        def make():
            return nn.Conv2d(WIDTH, 4, 1)
        """
    assert at_line(source, 7).params is None


def test_layer_classes_held_in_variables_rest_on_assumptions() -> None:
    source = """\
        from functools import partial
        import torch.nn as nn
        class Block(nn.Module):
            def __init__(self, dim=96, norm_layer=None, act=nn.LayerNorm):
                super().__init__()
                if norm_layer is None:
                    norm_layer = partial(nn.BatchNorm2d, eps=1e-3, affine=False)
                self.norm = norm_layer(dim)
                self.ln = act(dim)
        """
    norm, ln = layers(source)
    assert norm.layer == "torch.nn.BatchNorm2d"
    assert norm.params is None and norm.params_default == 0  # affine=False preset by partial
    assert ln.layer == "torch.nn.LayerNorm"
    assert ln.params is None and ln.params_default == 2 * 96


def test_reshape_with_minus_one_takes_its_size_from_the_input() -> None:
    """`Reshape((-1, 4))` after 26×26×4 values: the per-function analysis (what an editor shows
    before the program is evaluated) gives the next layers Keras' own counts, never a -1 taken
    as a size."""
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    source = ("import keras\nfrom keras import layers\n\n"
              "model = keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(4, 3),\n"
              "                          layers.Reshape((-1, 4)), layers.Dense(3),\n"
              "                          layers.Flatten(), layers.Dense(10)])\n")
    scope: dict = {}
    exec(compile(source, "reshape.py", "exec"), scope)
    truth = [layer.count_params() for layer in scope["model"].layers if layer.count_params()]
    del keras
    counts = [r.params for r in analyze_source(source).layers if r.params]
    assert counts == truth
