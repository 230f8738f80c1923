"""The language server over stdio, driven like an editor drives it (pytest-lsp)."""

from __future__ import annotations

import asyncio
import sys

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_helpers import ROOT, diagnostics_for, hover_text, open_file, open_text, plain, uri_of

SEED = ROOT / "examples" / "seed.py"


async def test_hover_on_the_seed_shows_280_and_270(client: LanguageClient) -> None:
    uri = uri_of(SEED)
    open_text(client, uri, SEED.read_text())
    first = await hover_text(client, uri, 4, 35)  # on "Conv2D" of line 5
    assert first is not None
    assert "**280 parameters**" in first
    assert "kernel (3, 3, 3, 10) = 270 · bias (10,) = 10" in first
    assert "in_channels = 3 from input_shape=input_shape on line 5" in first
    second = await hover_text(client, uri, 9, 70)  # inside the parentheses of line 10
    assert second is not None and "**270 parameters**" in second
    assert "bias" not in second.split("\n\n")[1]


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def test_hover_where_the_count_is_open_says_what_it_depends_on(client: LanguageClient
                                                                      ) -> None:
    path = ROOT / "examples" / "torch_resnet_block.py"
    uri, text = open_file(client, path)
    await diagnostics_for(client, uri, 1)  # the document is evaluated once typing pauses
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if "self.conv2 = nn.Conv2d(" in line)
    shown = await hover_text(client, uri, row, lines[row].index("Conv2d") + 2)
    # The file does not fix one count here: the hover gives the formula in the code's terms, and
    # the counts the two blocks TinyResNet builds give it, each one counted by torch.
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(path.parent))
    try:
        import torch_resnet_block as module
    finally:
        sys.path.remove(str(path.parent))
    net = module.TinyResNet()
    counts = sorted(sum(p.numel() for p in block.conv2.parameters())
                    for block in (net.layer1, net.layer2))
    del torch
    assert shown is not None and shown.startswith(f"**{counts[0]:,}–{counts[1]:,} parameters**")
    assert all(f"{c:,} ×1" in shown for c in counts)
    assert "formula: `9 × planes × planes`" in shown
    assert "depends on planes" in shown
    # Nothing on a line without a layer, and nothing past the end of the file.
    assert await hover_text(client, uri, 0, 3) is None
    assert await hover_text(client, uri, len(lines) + 40, 0) is None


async def test_utf16_columns_before_a_layer(client: LanguageClient) -> None:
    path = ROOT / "tests" / "fixtures" / "utf16.py"
    uri, text = open_file(client, path)
    line = text.splitlines()[2]
    start = _utf16(line[:line.index("Conv2d")])
    end = _utf16(line[:line.index("Conv2d") + len("Conv2d")])
    assert start == line.index("Conv2d") + 1  # the emoji takes two UTF-16 units, one code point
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=2, character=start)))
    assert result is not None and result.range is not None
    assert "**224 parameters**" in result.contents.value  # type: ignore[union-attr]
    assert (result.range.start.line, result.range.start.character) == (2, start)
    assert result.range.end.character == end
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0),
                          end=types.Position(line=3, character=0))))
    assert [(h.position.line, h.position.character, h.label) for h in hints] == [
        (2, _utf16(line), "# 224 params")]


TWO_CLASSES_AT_ONE_CALL = """\
import torch.nn as nn


def conv_norm(cin, cout, conv_layer=nn.Conv2d):
    return nn.Sequential(conv_layer(cin, cout, 3), nn.ReLU())


def flat():
    return nn.Sequential(conv_norm(3, 8), conv_norm(8, 16))


def video():
    return conv_norm(3, 4, nn.Conv3d)
"""


async def test_a_call_building_two_classes_shows_each_with_its_counts(
        client: LanguageClient, tmp_path) -> None:
    """`conv_layer(...)` builds a Conv2d for one builder and a Conv3d for another: the hover
    shows each class with the counts torch gives it, and the one inlay hint names both."""
    import torch

    def counts(layers: list[torch.nn.Module]) -> list[int]:
        return sorted({sum(p.numel() for p in layer.parameters()) for layer in layers})

    flat = counts([torch.nn.Conv2d(3, 8, 3), torch.nn.Conv2d(8, 16, 3)])
    video = counts([torch.nn.Conv3d(3, 4, 3)])
    path = tmp_path / "two_classes.py"
    path.write_text(TWO_CLASSES_AT_ONE_CALL)
    uri = uri_of(path)
    open_text(client, uri, TWO_CLASSES_AT_ONE_CALL)
    await diagnostics_for(client, uri, 1)
    lines = TWO_CLASSES_AT_ONE_CALL.splitlines()
    row = next(i for i, line in enumerate(lines) if "conv_layer(cin" in line)
    text = await hover_text(client, uri, row, lines[row].index("conv_layer(cin") + 2)
    assert text is not None
    sections = text.split("\n---\n")
    assert len(sections) == 2, text
    for section, name, found, other in zip(sections, ("Conv2d", "Conv3d"), (flat, video),
                                           (video, flat), strict=True):
        assert f"`{name}`" in section, text
        assert all(f"{count:,}" in section for count in found), (name, found, text)
        assert not any(f"{count:,}" in section for count in other), (name, other, text)
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=row, character=0),
                          end=types.Position(line=row + 1, character=0))))
    end = lines[row].index("conv_layer(cin") + len("conv_layer(cin, cout, 3)")
    assert [(h.position.line, h.position.character, h.label) for h in hints] == [
        # (≈: the call alone does not fix the class; one builder's call gives this count)
        (row, end, f"# Conv2d {flat[0]:,}–{flat[-1]:,} params · Conv3d ≈{video[0]:,} params")], \
        hints


async def test_inlay_hints_cover_the_requested_range_only(client: LanguageClient) -> None:
    path = ROOT / "tests" / "fixtures" / "two_models.py"
    uri, text = open_file(client, path)
    lines = text.splitlines()

    async def hints(first: int, last: int) -> list[tuple[int, int, str]]:
        found = await client.text_document_inlay_hint_async(types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=first, character=0),
                              end=types.Position(line=last, character=0))))
        return [(h.position.line, h.position.character, str(h.label)) for h in found]

    import torch

    def counted(layer: torch.nn.Module) -> str:
        return f"# {sum(p.numel() for p in layer.parameters()):,} params"

    decoder = await hints(13, 20)  # absolute positions, not relative to the range
    up = next(i for i, line in enumerate(lines) if "ConvTranspose2d" in line)
    out = next(i for i, line in enumerate(lines) if "nn.Conv2d(32, 3, 1)" in line)
    assert decoder == [(up, len(lines[up]), counted(torch.nn.ConvTranspose2d(64, 32, 2, stride=2))),
                       (out, len(lines[out]), counted(torch.nn.Conv2d(32, 3, 1)))]
    assert len(await hints(0, len(lines))) == 4
    assert await hints(0, 3) == []


async def test_code_lens_totals_match_torch_and_keras(client: LanguageClient) -> None:
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    path = ROOT / "tests" / "fixtures" / "totals.py"
    text = path.read_text()
    scope: dict = {}
    exec(compile(text, str(path), "exec"), scope)  # the test's own fixture, for the truth
    truth = {
        "Net": sum(p.numel() for p in scope["Net"]().parameters()),
        "twice": sum(p.numel() for p in scope["twice"].parameters()),
        "Model": scope["model"].count_params(),
    }
    uri, _ = open_file(client, path)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    titles = {lens.range.start.line: lens.command.title for lens in lenses if lens.command}
    lines = text.splitlines()
    net = next(i for i, line in enumerate(lines) if line.startswith("class Net"))
    twice = next(i for i, line in enumerate(lines) if line.startswith("twice ="))
    model = next(i for i, line in enumerate(lines) if line.startswith("model ="))
    assert titles[net] == f"Net: {truth['Net']:,} parameters"
    assert titles[twice] == f"Sequential: {truth['twice']:,} parameters"
    assert titles[model] == f"Model: {truth['Model']:,} parameters"


async def test_at_least_when_layers_are_unknown(client: LanguageClient) -> None:
    text = ("import torch.nn as nn\n\n\nclass Head(nn.Module):\n"
            "    def __init__(self, width):\n        super().__init__()\n"
            "        self.a = nn.Linear(10, 10)\n        self.b = nn.Linear(width, 10)\n")
    uri = "untitled:at-least.py"
    open_text(client, uri, text)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [(lens.range.start.line, lens.command.title) for lens in lenses if lens.command] == [
        (3, "Head: at least 110 parameters (1 layer unknown)")]


async def test_diagnostics_errors_hints_and_budget(client: LanguageClient) -> None:
    path = ROOT / "tests" / "fixtures" / "mismatch.py"
    uri, text = open_file(client, path)
    lines = text.splitlines()
    found = await diagnostics_for(client, uri, 1)
    by_code = {}
    for d in found:
        by_code.setdefault(d.code, []).append(d)
        assert d.source == "paramlens"
    mismatch = by_code["channel-mismatch"][0]
    assert mismatch.severity == types.DiagnosticSeverity.Error
    assert mismatch.range.start.line == next(i for i, t in enumerate(lines) if "Conv2d(32" in t)
    assert "32" in mismatch.message and "16" in mismatch.message
    groups = by_code["groups-divisibility"][0]
    assert groups.severity == types.DiagnosticSeverity.Error
    assert groups.range.start.line == next(i for i, t in enumerate(lines) if "groups=4" in t)
    assert "6" in groups.message
    hint = by_code["count-unknown"][0]
    assert hint.severity == types.DiagnosticSeverity.Hint
    assert "in_planes" in hint.message and "planes" in hint.message
    assert "max-params-per-layer" not in by_code

    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"paramlens": {"maxParamsPerLayer": 1_000_000}}))
    budget: list[types.Diagnostic] = []
    for _ in range(200):
        budget = [d for d in client.diagnostics.get(uri, []) if d.code == "max-params-per-layer"]
        if budget:
            break
        await asyncio.sleep(0.02)
    assert len(budget) == 1 and budget[0].severity == types.DiagnosticSeverity.Warning
    assert "16,781,312" in budget[0].message  # 4096 × 4096 + 4096
    assert budget[0].range.start.line == next(i for i, t in enumerate(lines) if "Linear(4096" in t)

    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"paramlens": {"diagnostics": False}}))
    for _ in range(200):
        if not client.diagnostics.get(uri):
            break
        await asyncio.sleep(0.02)
    assert not client.diagnostics.get(uri)  # turning them off clears what was shown


@pytest.mark.parametrize("setting", ["hover", "inlayHints", "codeLens"])
async def test_each_feature_turns_off(client: LanguageClient, setting: str) -> None:
    uri = uri_of(SEED)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"paramlens": {setting: False}}))
    open_text(client, uri, SEED.read_text())
    document = types.TextDocumentIdentifier(uri=uri)
    hover = await hover_text(client, uri, 4, 35)
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=document, range=types.Range(start=types.Position(line=0, character=0),
                                                  end=types.Position(line=20, character=0))))
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=document))
    assert (hover is None) == (setting == "hover")
    assert (not hints) == (setting == "inlayHints")
    assert (not lenses) == (setting == "codeLens")


async def test_bad_setting_is_named_and_the_rest_still_applies(client: LanguageClient) -> None:
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"paramlens": {"hover": "yes", "inlayHints": False}}))
    uri = uri_of(SEED)
    open_text(client, uri, SEED.read_text())
    assert await hover_text(client, uri, 4, 35) is not None  # kept its previous value
    for _ in range(100):
        if client.messages:
            break
        await asyncio.sleep(0.02)
    assert any("paramlens.hover" in m.message for m in client.messages)


async def test_hover_shows_output_shape_and_mult_adds_where_known(client: LanguageClient) -> None:
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    path = ROOT / "examples" / "every_conv_family.py"
    uri, text = open_file(client, path)
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if "layers.Conv2D(32, 3, groups=1)(image)" in line)
    layer = keras.layers.Conv2D(32, 3)
    layer.build((None, 64, 64, 3))
    out = layer.compute_output_shape((None, 64, 64, 3))[1:]
    shown = await hover_text(client, uri, row, lines[row].index("Conv2D") + 1)
    assert shown is not None
    # torchinfo's convention: every parameter is used once per output position.
    mult_adds = layer.count_params() * out[0] * out[1]
    assert f"output {tuple(out)} · {mult_adds:,} multiply-accumulates" in shown


async def test_server_reads_the_project_configuration(client: LanguageClient, tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.paramlens]\nmax-params-per-layer = 100\nchecks = ["max-params-per-layer"]\n')
    path = tmp_path / "model.py"
    path.write_text("import torch.nn as nn\nsmall = nn.Linear(2, 2)\nbig = nn.Linear(64, 64)\n")
    uri, _ = open_file(client, path)
    found = await diagnostics_for(client, uri, 1)
    assert [(d.code, d.range.start.line) for d in found] == [("max-params-per-layer", 2)]
    assert "4,160" in found[0].message  # 64 × 64 + 64


async def test_file_summary_for_the_status_bar(client: LanguageClient) -> None:
    path = ROOT / "tests" / "fixtures" / "two_models.py"
    uri, _ = open_file(client, path)
    summary = await client.protocol.send_request_async("paramlens/fileSummary", {"uri": uri})
    import torch

    layers = [torch.nn.Conv2d(3, 32, 3), torch.nn.Conv2d(32, 64, 3),
              torch.nn.ConvTranspose2d(64, 32, 2, stride=2), torch.nn.Conv2d(32, 3, 1)]
    total = sum(p.numel() for layer in layers for p in layer.parameters())
    assert summary.params == total and summary.exact is True  # every layer once
    # The text is one model's total, the largest, worded as its lens: two models in a file are
    # alternatives, not one model.
    encoder = sum(p.numel() for layer in layers[:2] for p in layer.parameters())
    decoder = total - encoder
    name, largest = ("Encoder", encoder) if encoder >= decoder else ("Decoder", decoder)
    assert summary.text == f"{name}: {largest:,} parameters"
    seed = await client.protocol.send_request_async("paramlens/fileSummary",
                                                    {"uri": "file:///not/open.py"})
    assert seed is None
    # Where each model lies, for the status bar to show the one at the cursor: a class from its
    # line to the end of its body (0-based lines).
    extents = {e.title.split(":")[0]: (e.start, e.end, e.size) for e in summary.extents}
    assert extents == {"Encoder": (3, 10, encoder), "Decoder": (13, 20, decoder)}


async def test_file_summary_extents_of_builders_and_scripts(client: LanguageClient) -> None:
    uri, _ = open_file(client, ROOT / "examples" / "seed.py")
    summary = await client.protocol.send_request_async("paramlens/fileSummary", {"uri": uri})
    found = sorted((e.start, e.end, e.title) for e in summary.extents)
    # each builder's Sequential from its line to its layer's, and the script's statements that
    # bind the models
    assert found == [(3, 4, "Sequential: 280 parameters if defaults hold"),
                     (8, 9, "Sequential: 270 parameters if defaults hold"),
                     (14, 14, "model: 280 parameters"), (15, 15, "model_without_bias: 270 parameters")]


async def test_model_summary_for_the_panel_is_torchs_tree(client: LanguageClient) -> None:
    path = ROOT / "examples" / "torch_resnet_block.py"
    uri, text = open_file(client, path)
    lines = text.splitlines()
    inside = next(i for i, line in enumerate(lines) if "self.layer1 = BasicBlock" in line)
    found = plain(await client.protocol.send_request_async(
        "paramlens/modelSummary", {"textDocument": {"uri": uri},
                                   "position": {"line": inside, "character": 8}}))
    assert isinstance(found, dict)
    import importlib.util

    spec = importlib.util.spec_from_file_location("torch_resnet_block", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.TinyResNet()  # built for real: the expected tree is torch's own

    def expected(name: str, module_: object, depth: int) -> dict:
        return {"name": name, "class": type(module_).__name__, "depth": depth,
                "params": sum(p.numel() for p in module_.parameters()),
                "children": [expected(n, m, depth + 1) for n, m in module_.named_children()]
                if depth < 3 else []}

    def shown(row: dict) -> dict:
        return {"name": row["name"], "class": row["className"], "depth": row["depth"],
                "params": row["params"], "children": [shown(c) for c in row["children"]]}

    assert shown(found["root"]) == expected("TinyResNet", model, 0)
    total = sum(p.numel() for p in model.parameters())
    assert found["total"] == total and found["trainable"] == total
    # each row's line is where the document makes it (0-based), for the panel's links
    stem = found["root"]["children"][0]
    assert "self.stem = nn.Sequential(" in lines[stem["line"]]
    assert "nn.Conv2d(3, STEM_WIDTH" in lines[stem["children"][0]["line"]]
    assert "class TinyResNet" in lines[found["root"]["line"]]
    # by name, and nothing for a document that is not open
    named = plain(await client.protocol.send_request_async(
        "paramlens/modelSummary", {"textDocument": {"uri": uri}, "model": "TinyResNet"}))
    assert isinstance(named, dict) and named["total"] == total
    assert await client.protocol.send_request_async(
        "paramlens/modelSummary", {"textDocument": {"uri": "file:///not/open.py"}}) is None
