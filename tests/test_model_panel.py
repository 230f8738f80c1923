"""`paramlens/modelSummary`, the summary panel's request, driven as the VS Code extension drives
it: from the cursor, from a model's lens (the lens's own position), in a notebook's cell, and
before the document is evaluated. Every tree and shape is checked against the model built for
real by torch or Keras from the same source, never against paramlens' own output."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from lsp_helpers import (
    ROOT,
    diagnostics_for,
    logging_client_fixture,
    open_file,
    open_text,
    plain,
    start,
    until_asleep,
)

torch = pytest.importorskip("torch")

RESNET = ROOT / "examples" / "torch_resnet_block.py"
READY = "paramlens/modelSummaryReady"

# a server whose panel never waits for an evaluation (the one it would wait 5 s for): the
# answer before the background pass is done is always "not analysed yet"
NO_WAIT = ClientServerConfig(server_command=[
    sys.executable, "-c", "import sys; import paramlens.lsp.model_panel as panel; "
    "panel.WAIT = 0.0; from paramlens.cli import main; sys.exit(main(sys.argv[1:]))", "serve"])

logging_client, SLEEP_LOG = logging_client_fixture("model-panel")  # its log says when a document sleeps


@pytest_lsp.fixture(config=NO_WAIT)
async def impatient(lsp_client: LanguageClient):
    # the background pass starts well after the panel's first question
    await start(lsp_client, {"debounceMs": 1500})
    yield
    await lsp_client.shutdown_session()


async def ask(client: LanguageClient, uri: str, line: int | None = None,
              character: int = 0) -> dict:
    params: dict[str, object] = {"textDocument": {"uri": uri}}
    if line is not None:
        params["position"] = {"line": line, "character": character}
    found = plain(await client.protocol.send_request_async("paramlens/modelSummary", params))
    assert isinstance(found, dict)
    return found


def torch_tree(name: str, module: Any, depth: int = 0, limit: int = 3) -> dict:
    """What the panel's tree must be: torch's named_children() and parameters()."""
    return {"name": name, "class": type(module).__name__,
            "params": sum(p.numel() for p in module.parameters()),
            "children": [torch_tree(n, m, depth + 1, limit) for n, m in module.named_children()]
            if depth < limit else []}


def shown(row: dict, name: str | None = None) -> dict:
    return {"name": row["name"] if name is None else name, "class": row["className"],
            "params": row["params"], "children": [shown(c) for c in row["children"]]}


def load(path: Path) -> Any:
    sys.path.insert(0, str(path.parent))
    try:
        namespace: dict = {}
        exec(compile(path.read_text(), str(path), "exec"), namespace)
        return namespace
    finally:
        sys.path.remove(str(path.parent))


async def lenses_of(client: LanguageClient, uri: str) -> list[types.CodeLens]:
    found = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert found is not None
    return found


async def click(client: LanguageClient, uri: str, lens: types.CodeLens) -> dict:
    """What the extension asks when a lens is clicked: the lens's own position."""
    return await ask(client, uri, lens.range.start.line, lens.range.start.character)


# a lens on a class or a call ---------------------------------------------------------------------
async def test_lens_on_a_block_class_shows_the_block_not_the_file_largest(
        client: LanguageClient) -> None:
    """TinyResNet builds BasicBlock twice, with different arguments; BasicBlock alone is never
    built (its __init__ needs them). Its lens opens the largest BasicBlock TinyResNet builds,
    and says which one it is."""
    uri, text = open_file(client, RESNET)
    await diagnostics_for(client, uri, 1)
    lines = text.splitlines()
    net = load(RESNET)["TinyResNet"]()
    lenses = await lenses_of(client, uri)
    block_lens = next(lens for lens in lenses if "class BasicBlock" in lines[lens.range.start.line])
    found = await click(client, uri, block_lens)
    assert found["status"] == "built"
    largest = max((net.layer1, net.layer2), key=lambda b: sum(p.numel() for p in b.parameters()))
    assert largest is net.layer2
    assert shown(found["root"], "layer2") == torch_tree("layer2", net.layer2)
    assert found["total"] == sum(p.numel() for p in net.layer2.parameters())
    assert "not built on its own" in found["note"] and "2 times" in found["note"]
    made = next(i for i, line in enumerate(lines) if "self.layer2 = BasicBlock(" in line)
    assert "BasicBlock(64, 128, stride=2)" in found["note"] and f"line {made + 1}" in found["note"]
    assert found["root"]["line"] == made  # its link leads to the call that built it

    # a lens on a call inside the block: what that call made (the shortcut of layer2)
    shortcut = next(lens for lens in lenses if "self.shortcut = nn.Sequential(" in
                    lines[lens.range.start.line] and lens.range.start.line + 1 < len(lines)
                    and "nn.Conv2d" in lines[lens.range.start.line + 1])
    found = await click(client, uri, shortcut)
    assert found["status"] == "built"
    assert shown(found["root"], "shortcut") == torch_tree("shortcut", net.layer2.shortcut)

    # and TinyResNet's own lens, TinyResNet
    own = next(lens for lens in lenses if "class TinyResNet" in lines[lens.range.start.line])
    found = await click(client, uri, own)
    assert shown(found["root"]) == torch_tree("TinyResNet", net)


async def test_lens_on_a_class_nothing_builds_says_so(client: LanguageClient) -> None:
    uri = "file:///tmp/paramlens-panel/never.py"
    text = ("from torch import nn\n\n\nclass Block(nn.Module):\n    def __init__(self, width):\n"
            "        super().__init__()\n        self.inner = nn.Linear(width, width)\n\n\n"
            "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.fc = nn.Linear(3, 3)\n")
    open_text(client, uri, text)
    await diagnostics_for(client, uri, 1)
    lines = text.splitlines()
    lenses = await lenses_of(client, uri)
    block = next(lens for lens in lenses if "class Block" in lines[lens.range.start.line])
    found = await click(client, uri, block)
    assert found["status"] == "notBuilt"
    assert "Block is not built on its own" in found["message"]
    # the cursor inside Block says the same; inside Net, Net
    inside = lines.index("        self.inner = nn.Linear(width, width)")
    assert (await ask(client, uri, inside, 8))["status"] == "notBuilt"
    net = (await ask(client, uri, lines.index("        self.fc = nn.Linear(3, 3)"), 8))
    assert net["total"] == sum(p.numel() for p in torch.nn.Linear(3, 3).parameters())


# shapes ------------------------------------------------------------------------------------------
async def test_panel_rows_carry_keras_output_shapes(client: LanguageClient) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    text = ("import keras\nfrom keras import layers\n\n"
            "model = keras.Sequential([keras.Input(shape=(28, 28, 1)),\n"
            "                          layers.Conv2D(6, 5, name='conv'),\n"
            "                          layers.MaxPooling2D(name='pool'),\n"
            "                          layers.Flatten(name='flat'),\n"
            "                          layers.Dense(10, name='out')])\n")
    uri = "file:///tmp/paramlens-panel/shapes.py"
    open_text(client, uri, text)
    await diagnostics_for(client, uri, 1)
    found = await ask(client, uri, 3, 0)
    namespace: dict = {"keras": keras}
    exec(text, namespace)
    model = namespace["model"]
    assert [(row["name"], row["outputShape"]) for row in found["root"]["children"]] == \
        [(layer.name, list(layer.output.shape)) for layer in model.layers]
    assert found["root"]["outputShape"] == list(model.outputs[0].shape)


# before the evaluation is done --------------------------------------------------------------------
async def test_not_analysed_yet_then_the_tree_once_evaluated(impatient: LanguageClient) -> None:
    """Asked before the background pass: "not analysed yet" (not "no model"), and the server
    says when to ask again."""
    client = impatient
    waiting = asyncio.ensure_future(client.wait_for_notification(READY))
    uri, text = open_file(client, RESNET)
    line = next(i for i, t in enumerate(text.splitlines()) if "class TinyResNet" in t)
    early = await ask(client, uri, line)
    assert early["status"] == "pending"
    assert "not analysed yet" in early["message"] and "No model" not in early["message"]
    ready = plain(await asyncio.wait_for(waiting, 30))
    assert ready == {"uri": uri}
    found = await ask(client, uri, line)
    assert found["status"] == "built"
    assert shown(found["root"]) == torch_tree("TinyResNet", load(RESNET)["TinyResNet"]())


async def test_no_model_is_said_only_once_evaluated(impatient: LanguageClient) -> None:
    client = impatient
    waiting = asyncio.ensure_future(client.wait_for_notification(READY))
    uri = "file:///tmp/paramlens-panel/plain.py"
    # two entry points: evaluated one at a time, so not done when the panel asks
    open_text(client, uri, "import math\n\n\ndef area(r=1.0):\n    return math.pi * r * r\n\n\n"
                           "def volume(r=2.0, h=3.0):\n    return area(r) * h\n")
    assert (await ask(client, uri, 0))["status"] == "pending"
    await asyncio.wait_for(waiting, 30)
    found = await ask(client, uri, 0)
    assert found == {"status": "none", "message": "No model is built in this file."}


async def test_a_sleeping_document_is_woken_for_its_summary(logging_client: LanguageClient
                                                             ) -> None:
    """A document nobody touched lately sleeps as a snapshot of its results, which holds no
    tree: asking wakes it."""
    client = logging_client
    uri, text = open_file(client, RESNET)
    await diagnostics_for(client, uri, 1)
    for k in range(6):  # more than the documents kept live
        other = f"file:///tmp/paramlens-panel/other{k}.py"
        open_text(client, other, f"import torch.nn as nn\nc = nn.Conv2d({k + 1}, 4, 3)\n")
        await diagnostics_for(client, other, 1)
    await until_asleep(SLEEP_LOG, uri, 20)
    line = next(i for i, t in enumerate(text.splitlines()) if "class TinyResNet" in t)
    found = await ask(client, uri, line)
    assert found["status"] == "built"
    assert shown(found["root"]) == torch_tree("TinyResNet", load(RESNET)["TinyResNet"]())


# a notebook ----------------------------------------------------------------------------------
NOTEBOOK = "file:///tmp/paramlens-panel/blocks.ipynb"
CELL = "vscode-notebook-cell:/tmp/paramlens-panel/blocks.ipynb#W{}sZmlsZQ%3D%3D"
IMPORTS = "import torch\nfrom torch import nn\n"
BLOCK = ("class Block(nn.Module):\n"
         "    def __init__(self, width):\n"
         "        super().__init__()\n"
         "        self.inner = nn.Linear(width, width)\n"
         "        self.norm = nn.LayerNorm(width)\n")
MODEL = ("%matplotlib inline\n"
         "model = nn.Sequential(\n"
         "    Block(4),\n"
         "    nn.Linear(4, 8),\n"
         "    Block(8),\n"
         "    nn.Linear(8, 2),\n"
         ")\n")


def open_notebook(client: LanguageClient) -> dict[str, str]:
    """Its code cells with a markdown cell between them, as VS Code syncs them."""
    cells = {"imports": CELL.format(0), "notes": CELL.format(1), "block": CELL.format(2),
             "model": CELL.format(3)}
    texts = {"imports": IMPORTS, "notes": "# Blocks", "block": BLOCK, "model": MODEL}
    kinds = {name: types.NotebookCellKind.Markup if name == "notes" else
             types.NotebookCellKind.Code for name in cells}
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=NOTEBOOK, notebook_type="jupyter-notebook", version=1,
            cells=[types.NotebookCell(kind=kinds[name], document=uri)
                   for name, uri in cells.items()]),
        cell_text_documents=[types.TextDocumentItem(
            uri=uri, language_id="markdown" if name == "notes" else "python", version=1,
            text=texts[name]) for name, uri in cells.items()]))
    return cells


def run_cells(*cells: str) -> dict:
    """The code cells run as Jupyter runs them (IPython's own lines dropped)."""
    namespace: dict = {}
    for cell in cells:
        exec("\n".join(line for line in cell.splitlines() if not line.startswith("%")),
             namespace)
    return namespace


async def ask_until_built(client: LanguageClient, uri: str, line: int, character: int = 0
                          ) -> dict:
    """The answer once the notebook is evaluated (the panel asks again when told to)."""
    deadline = time.monotonic() + 30
    while True:
        found = await ask(client, uri, line, character)
        if found["status"] != "pending":
            return found
        assert time.monotonic() < deadline, "never evaluated"
        await asyncio.sleep(0.1)


async def test_summary_in_a_notebook_cell(client: LanguageClient) -> None:
    cells = open_notebook(client)
    model = run_cells(IMPORTS, BLOCK, MODEL)["model"]
    lines = MODEL.splitlines()
    found = await ask_until_built(client, cells["model"], 1, 4)  # on `model = ...`
    assert found["status"] == "built"
    assert shown(found["root"], "model") == torch_tree("model", model)
    # each row's link leads to the cell that made it, at its line there
    first = found["root"]["children"][0]
    assert (first["uri"], first["line"]) == (cells["model"], lines.index("    Block(4),"))
    inner = first["children"][0]
    assert (inner["uri"], inner["line"]) == (
        cells["block"], BLOCK.splitlines().index("        self.inner = nn.Linear(width, width)"))

    # in the block's cell: the Block the model's cell builds, the largest of the two
    inside = BLOCK.splitlines().index("        self.norm = nn.LayerNorm(width)")
    found = await ask(client, cells["block"], inside, 8)
    assert found["status"] == "built"
    assert shown(found["root"], "2") == torch_tree("2", model[2])
    # its call named as the notebook's user finds it: cell 4 (the markdown cell counts), line 5
    made = lines.index("    Block(8),") + 1
    assert f"cell 4, line {made}" in found["note"] and "Python cell" not in found["note"]
    assert "`Block(8)`" in found["note"]
    assert "2 times" in found["note"], found["note"]
