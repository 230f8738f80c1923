"""Random valid layer configurations, counted by torch and by Keras (backend torch), against ours.

Each configuration is written as source code, analysed statically, then built for real. The
expected number always comes from the framework, never from paramlens.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import Any

import pytest

from paramlens.engine.analysis import analyze_source

os.environ.setdefault("KERAS_BACKEND", "torch")
torch = pytest.importorskip("torch")
nn = torch.nn

CASES_PER_FAMILY = 120


def _kernel(rng: random.Random, ndim: int) -> object:
    if rng.random() < 0.5:
        return rng.randint(1, 4)
    return tuple(rng.randint(1, 4) for _ in range(ndim))


def _torch_configs(rng: random.Random) -> list[str]:
    """Constructor calls as source text, valid for torch."""
    out: list[str] = []
    for _ in range(CASES_PER_FAMILY):
        ndim = rng.randint(1, 3)
        groups = rng.choice([1, 1, 2, 3, 4])
        cin, cout = groups * rng.randint(1, 6), groups * rng.randint(1, 6)
        kernel = _kernel(rng, ndim)
        bias = rng.choice([True, False])
        kind = rng.choice(["Conv", "ConvTranspose"])
        extra = rng.choice(["", ", stride=2", ", padding=1, dilation=2", ", padding_mode='zeros'"])
        if rng.random() < 0.5:
            out.append(f"nn.{kind}{ndim}d({cin}, {cout}, {kernel!r}, groups={groups}, "
                       f"bias={bias}{extra})")
        else:
            out.append(f"nn.{kind}{ndim}d(in_channels={cin}, out_channels={cout}, "
                       f"kernel_size={kernel!r}, bias={bias}, groups={groups})")
    for _ in range(CASES_PER_FAMILY // 2):
        a, b, c = rng.randint(1, 40), rng.randint(1, 40), rng.randint(1, 40)
        bias = rng.choice([True, False])
        out += [f"nn.Linear({a}, {b}, bias={bias})", f"nn.Linear({a}, {b})",
                f"nn.Bilinear({a}, {b}, {c}, bias={bias})",
                f"nn.Embedding({a}, {b})", f"nn.Embedding({a}, {b}, padding_idx=0)"]
    for _ in range(CASES_PER_FAMILY // 2):
        c = rng.randint(1, 64)
        g = rng.choice([1, 2, 4])
        affine = rng.choice([True, False])
        nd = rng.randint(1, 3)
        shape = rng.choice([c, (c,), (rng.randint(1, 5), c)])
        out += [f"nn.BatchNorm{nd}d({c}, affine={affine})", f"nn.BatchNorm{nd}d({c})",
                f"nn.InstanceNorm{nd}d({c}, affine={affine})",
                f"nn.LayerNorm({shape!r}, elementwise_affine={affine})",
                f"nn.LayerNorm({shape!r}, bias={rng.choice([True, False])})",
                f"nn.GroupNorm({g}, {g * c}, affine={affine})",
                f"nn.PReLU({rng.choice([1, c])})"]
    for _ in range(CASES_PER_FAMILY // 2):
        heads = rng.choice([1, 2, 4])
        embed = heads * rng.randint(1, 8)
        kdim = rng.choice(["None", str(rng.randint(1, 9)), str(embed)])
        vdim = rng.choice(["None", str(rng.randint(1, 9))])
        out.append(f"nn.MultiheadAttention({embed}, {heads}, bias={rng.choice([True, False])}, "
                   f"add_bias_kv={rng.choice([True, False])}, kdim={kdim}, vdim={vdim})")
        size, hidden = rng.randint(1, 12), rng.randint(1, 12)
        layers, bidir, bias = rng.randint(1, 3), rng.choice([True, False]), rng.choice([True, False])
        proj = rng.choice([0, 0, rng.randint(1, hidden)]) if hidden > 1 else 0
        kind = rng.choice(["LSTM", "GRU", "RNN"])
        proj_arg = f", proj_size={proj}" if kind == "LSTM" else ""
        out.append(f"nn.{kind}({size}, {hidden}, num_layers={layers}, bias={bias}, "
                   f"bidirectional={bidir}{proj_arg})")
        out.append(f"nn.{kind}(input_size={size}, hidden_size={hidden})")
        cell = rng.choice(["LSTMCell", "GRUCell", "RNNCell"])
        out.append(f"nn.{cell}({size}, {hidden}, bias={bias})")
    return out


def _analyse_lines(header: str, calls: list[str]) -> dict[int, object]:
    source = header + "".join(f"layer_{i} = {call}\n" for i, call in enumerate(calls))
    report = analyze_source(source)
    assert report.error is None, report.error
    first = header.count("\n") + 1
    return {r.span.line - first: r for r in report.layers}


def _assert_agree(cases: list, ours: dict[int, object], truth_of: Callable[[Any], int],
                  framework: str) -> None:
    """Case i is the layer on line i of the analysed source; the framework gives the truth."""
    mismatches = []
    for i, case in enumerate(cases):
        truth = truth_of(case)
        result = ours.get(i)
        got = result.params if result is not None else None  # type: ignore[attr-defined]
        if got != truth:
            mismatches.append(f"{case}: {framework} {truth}, paramlens {got}")
    assert not mismatches, "\n".join(mismatches[:20])


def test_torch_layers_match_torch() -> None:
    rng = random.Random(20261125)
    calls = _torch_configs(rng)
    ours = _analyse_lines("import torch.nn as nn\n", calls)

    def torch_count(call: str) -> int:
        module = eval(call, {"nn": nn})  # our own generated constructor text, not user code
        return sum(p.numel() for p in module.parameters())

    assert len(calls) >= 500
    _assert_agree(calls, ours, torch_count, "torch")


def _keras_configs(rng: random.Random) -> list[tuple[str, tuple[int, ...]]]:
    """(constructor text, input shape without batch), valid for Keras."""
    out: list[tuple[str, tuple[int, ...]]] = []
    for _ in range(CASES_PER_FAMILY):
        ndim = rng.randint(1, 3)
        groups = rng.choice([1, 1, 2, 3])
        cin, filters = groups * rng.randint(1, 5), groups * rng.randint(1, 5)
        kernel = _kernel(rng, ndim)
        spatial = tuple(rng.randint(6, 9) for _ in range(ndim))
        use_bias = rng.choice([True, False])
        out.append((f"layers.Conv{ndim}D({filters}, {kernel!r}, groups={groups}, "
                    f"use_bias={use_bias}, padding='{rng.choice(['valid', 'same'])}')",
                    (*spatial, cin)))
        out.append((f"layers.Conv{ndim}DTranspose(filters={filters}, kernel_size={kernel!r}, "
                    f"use_bias={use_bias}, strides={rng.randint(1, 2)})", (*spatial, cin)))
        if ndim <= 2:
            dm = rng.randint(1, 3)
            out.append((f"layers.SeparableConv{ndim}D({filters}, {kernel!r}, depth_multiplier={dm}, "
                        f"use_bias={use_bias})", (*spatial, cin)))
            out.append((f"layers.DepthwiseConv{ndim}D({kernel!r}, depth_multiplier={dm}, "
                        f"use_bias={use_bias})", (*spatial, cin)))
        if ndim == 2:
            out.append((f"layers.Conv2D({filters}, {kernel!r}, data_format='channels_first')",
                        (cin, *spatial)))
    for _ in range(CASES_PER_FAMILY // 2):
        d, u = rng.randint(1, 30), rng.randint(1, 30)
        use_bias = rng.choice([True, False])
        center, scale = rng.choice([True, False]), rng.choice([True, False])
        g = rng.choice([1, 2, 4])
        out += [(f"layers.Dense({u}, use_bias={use_bias})", (d,)),
                (f"layers.Dense(units={u})", (rng.randint(2, 5), d)),
                (f"layers.Embedding({d}, {u})", (5,)),
                (f"layers.BatchNormalization(center={center}, scale={scale})", (4, d)),
                (f"layers.LayerNormalization(center={center}, scale={scale})", (3, d)),
                (f"layers.GroupNormalization(groups={g}, center={center})", (3, g * d)),
                (f"layers.LSTM({u}, use_bias={use_bias})", (4, d)),
                (f"layers.GRU({u}, use_bias={use_bias}, reset_after={rng.choice([True, False])})",
                 (4, d)),
                (f"layers.SimpleRNN({u}, use_bias={use_bias})", (4, d)),
                (f"layers.PReLU(shared_axes={rng.choice(['None', '[1]', '[1, 2]', '2'])})",
                 (rng.randint(1, 4), rng.randint(1, 4), d))]
    return out


def test_keras_attention_matches_keras() -> None:
    keras = pytest.importorskip("keras")
    rng = random.Random(20261127)
    cases = []
    for _ in range(CASES_PER_FAMILY // 2):
        q, v, k = rng.randint(1, 12), rng.randint(1, 12), rng.randint(1, 12)
        heads, key_dim = rng.randint(1, 4), rng.randint(1, 6)
        value_dim = rng.choice(["None", str(rng.randint(1, 6))])
        output_shape = rng.choice(["None", str(rng.randint(1, 6))])
        use_bias = rng.choice([True, False])
        with_key = rng.choice([True, False])
        cases.append((q, v, k if with_key else None,
                      f"layers.MultiHeadAttention({heads}, {key_dim}, value_dim={value_dim}, "
                      f"use_bias={use_bias}, output_shape={output_shape})"))
    source = "import keras\nfrom keras import layers\n"
    for i, (q, v, k, call) in enumerate(cases):
        key = f", key_{i}" if k is not None else ""
        source += (f"query_{i} = keras.Input(shape=(5, {q}))\n"
                   f"value_{i} = keras.Input(shape=(7, {v}))\n"
                   f"key_{i} = keras.Input(shape=(7, {k or 1}))\n"
                   f"out_{i} = {call}(query_{i}, value_{i}{key})\n")
    report = analyze_source(source)
    ours = sorted(report.layers, key=lambda r: r.span.line)
    assert len(ours) == len(cases)
    mismatches = []
    for (q, v, k, call), result in zip(cases, ours, strict=True):
        layer = eval(call, {"layers": keras.layers})  # our own generated constructor text
        query, value = keras.Input(shape=(5, q)), keras.Input(shape=(7, v))
        if k is not None:
            layer(query, value, keras.Input(shape=(7, k)))
        else:
            layer(query, value)
        if result.params != layer.count_params():
            mismatches.append(f"{call} q={q} v={v} k={k}: keras {layer.count_params()}, "
                              f"paramlens {result.params}")
    assert not mismatches, "\n".join(mismatches[:20])


def test_keras_layers_match_keras() -> None:
    keras = pytest.importorskip("keras")
    rng = random.Random(20261126)
    configs = _keras_configs(rng)
    calls = [f"keras.Sequential([keras.Input(shape={shape!r}), {call}])" for call, shape in configs]
    ours = _analyse_lines("import keras\nfrom keras import layers\n", calls)

    def keras_count(config: tuple[str, tuple[int, ...]]) -> int:
        call, shape = config
        layer = eval(call, {"layers": keras.layers})  # our own generated constructor text
        layer.build((None, *shape))
        return layer.count_params()

    assert len(configs) >= 500
    _assert_agree(configs, ours, keras_count, "keras")


def test_the_torch_classes_taken_as_weightless_own_no_parameters() -> None:
    """catalogue.WEIGHTLESS_TORCH: a model holding one of these adds nothing to its total. Each
    name must be a class torch has, and an instance of it must hold no parameter."""
    import importlib

    from paramlens.engine.catalogue import WEIGHTLESS_TORCH

    problems = []
    for name in sorted(WEIGHTLESS_TORCH):
        module, _, attr = name.rpartition(".")
        try:
            cls = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as missing:
            problems.append(f"{name}: {missing!r}")
            continue
        made = cls(torch.zeros(3)) if attr == "Buffer" else cls()
        owned = sum(p.numel() for p in made.parameters()) if isinstance(made, nn.Module) else 0
        if isinstance(made, nn.Parameter) or owned:
            problems.append(f"{name}: {type(made).__name__} with {owned} parameters")
    assert not problems, "\n".join(problems)
