"""The server across files: a helper module shows the counts its importers build with it, files
changed on disk are read again, and a top-level script's flow crosses its blocks. Every expected
count is torch's or Keras' own."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_helpers import (
    PUBLISHED,
    SERVER,
    diagnostics_for,
    hover_text,
    logging_client_fixture,
    open_text,
    start,
    until_asleep,
    uri_of,
)

torch = pytest.importorskip("torch")

BLOCKS = """import torch.nn as nn


class Block(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3)
"""

MODEL = """import torch.nn as nn
from blocks import Block


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = Block(3, {a})
        self.b = Block({a}, 32)
"""


def torch_counts(a: int) -> list[int]:
    """What torch builds at the Block's conv for Net(), counted by torch."""
    def conv(c_in: int, c_out: int) -> int:
        return sum(p.numel() for p in torch.nn.Conv2d(c_in, c_out, 3).parameters())
    return sorted({conv(3, a), conv(a, 32)})


NET_ROW = MODEL.splitlines().index("class Net(nn.Module):")


def net_total(kernel: int = 3, a: int = 16) -> str:
    """How a hover on Net's class starts: Net()'s total as torch counts it, its Block's conv of
    this kernel size."""
    def conv(c_in: int, c_out: int) -> int:
        return sum(p.numel() for p in torch.nn.Conv2d(c_in, c_out, kernel).parameters())
    return f"**{conv(3, a) + conv(a, 32):,} parameters**"


def write_project(folder: Path) -> tuple[str, str]:
    """blocks.py and model.py (Net with a=16) in `folder`: (model's URI, blocks' URI)."""
    (folder / "blocks.py").write_text(BLOCKS)
    (folder / "model.py").write_text(MODEL.format(a=16))
    return uri_of(folder / "model.py"), uri_of(folder / "blocks.py")


def replace_text(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def net_hover(client: LanguageClient, uri: str, starting: str = "") -> str:
    """The hover on Net's class; with `starting`, once it starts so (an importer is evaluated
    again once typing pauses), for up to 5 s."""
    for _ in range(50):
        shown = await hover_text(client, uri, NET_ROW, 7) or ""
        if shown.startswith(starting):
            break
        await asyncio.sleep(0.1)
    return shown


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "blocks.py").write_text(BLOCKS)
    (root / "model.py").write_text(MODEL.format(a=16))
    return root


@pytest_lsp.fixture(config=SERVER)
async def workspace_client(lsp_client: LanguageClient, project: Path):
    await start(lsp_client, workspace=project)
    yield
    await lsp_client.shutdown_session()


async def test_a_helper_module_shows_what_its_importers_build(workspace_client: LanguageClient,
                                                              project: Path) -> None:
    lsp_client = workspace_client
    path = project / "blocks.py"
    uri = uri_of(path)
    open_text(lsp_client, uri, path.read_text())
    await diagnostics_for(lsp_client, uri, 1)
    row = BLOCKS.splitlines().index("        self.conv = nn.Conv2d(c_in, c_out, 3)")
    shown = await hover_text(lsp_client, uri, row, 21)
    counts = torch_counts(16)
    assert shown is not None and shown.startswith(f"**{counts[0]:,}–{counts[1]:,} parameters**")
    assert "Net" in shown  # the context names the model that builds it

    # model.py changes on disk, and the client says so: the counts follow.
    (project / "model.py").write_text(MODEL.format(a=24))
    os.utime(project / "model.py", (1, 1))  # a different modification time, whatever the clock
    PUBLISHED.pop(uri, None)
    lsp_client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri_of(project / "model.py"), type=types.FileChangeType.Changed)]))
    await diagnostics_for(lsp_client, uri, 1)
    shown = await hover_text(lsp_client, uri, row, 21)
    counts = torch_counts(24)
    assert shown is not None and shown.startswith(f"**{counts[0]:,}–{counts[1]:,} parameters**")


@pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`")  # the script is written so
async def test_a_top_level_keras_script_flows_across_its_blocks(workspace_client: LanguageClient
                                                                 ) -> None:
    lsp_client = workspace_client
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    text = ("import keras\nfrom keras import layers\n\nmodel = keras.Sequential()\n"
            "model.add(layers.Dense(8, input_shape=(4,)))\nmodel.add(layers.Dense(2))\n")
    scope: dict = {}
    exec(compile(text, "script.py", "exec"), scope)  # the truth, from Keras
    second = scope["model"].layers[-1].count_params()
    total = scope["model"].count_params()
    del keras
    uri = "untitled:script.py"
    open_text(lsp_client, uri, text)
    await diagnostics_for(lsp_client, uri, 1)
    shown = await hover_text(lsp_client, uri, 5, 16)
    assert shown is not None and shown.startswith(f"**{second:,} parameters** · `Dense`")
    lenses = await lsp_client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert any(lens.command and lens.command.title == f"Sequential: {total:,} parameters"
               for lens in lenses)



CALLS = """import torch.nn as nn


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3)


def build(width=16):
    stem = Block(width)
    return nn.Sequential(stem, Block(width * 2))
"""


async def test_hover_on_a_call_that_makes_a_model(workspace_client: LanguageClient) -> None:
    """The total of what a call of the project's code returns, then its children, as torch
    counts them."""
    scope: dict = {}
    exec(compile(CALLS, "calls.py", "exec"), scope)
    built = scope["build"]()
    uri = "untitled:calls.py"
    open_text(workspace_client, uri, CALLS)
    await diagnostics_for(workspace_client, uri, 1)
    lines = CALLS.splitlines()
    row = lines.index("    return nn.Sequential(stem, Block(width * 2))")
    inner = await hover_text(workspace_client, uri, row, lines[row].index("Block(") + 2)
    second = sum(p.numel() for p in built[1].parameters())
    assert inner is not None and inner.startswith(f"**{second:,} parameters") and "`Block`" in inner
    outer = await hover_text(workspace_client, uri, row, lines[row].index("Sequential") + 2)
    total = sum(p.numel() for p in built.parameters())
    assert outer is not None and outer.startswith(f"**{total:,} parameters")
    first = sum(p.numel() for p in built[0].parameters())
    assert f"| 0 | `Block` | {first:,} |" in outer and f"| 1 | `Block` | {second:,} |" in outer


async def test_a_project_whose_path_needs_escapes_follows_every_edit(
        workspace_client: LanguageClient, tmp_path: Path) -> None:
    """VS Code sends `file:///.../my%20proj%C3%A9/model.py` for a folder with a space and an
    accent. Each edit of the open model, and of the open helper it imports, is followed: the
    hover on the model's class shows torch's total after each."""
    client = workspace_client
    root = tmp_path / "my proj é"
    root.mkdir()
    model_uri, blocks_uri = write_project(root)
    assert "%20" in model_uri and "%C3%A9" in model_uri
    open_text(client, model_uri, MODEL.format(a=16))
    await diagnostics_for(client, model_uri, 1)
    assert (await net_hover(client, model_uri)).startswith(net_total(3))
    replace_text(client, model_uri, 2, MODEL.format(a=24))
    await diagnostics_for(client, model_uri, 2)
    assert (await net_hover(client, model_uri)).startswith(net_total(3, a=24))
    open_text(client, blocks_uri, BLOCKS)
    replace_text(client, blocks_uri, 2, BLOCKS.replace("c_out, 3)", "c_out, 5)"))
    await diagnostics_for(client, blocks_uri, 2)
    shown = await net_hover(client, model_uri, net_total(5, a=24))
    assert shown.startswith(net_total(5, a=24)), shown


async def test_a_file_rewritten_with_its_old_time_and_size_is_read_again(
        workspace_client: LanguageClient, tmp_path: Path) -> None:
    """`cp -p`, `rsync -t` and `tar x` keep a file's modification time, and a one-digit change
    keeps its size: the client's watched-file event is what says it changed, and the counts
    follow it."""
    client = workspace_client
    model_uri, blocks_uri = write_project(tmp_path)
    open_text(client, model_uri, MODEL.format(a=16))
    await diagnostics_for(client, model_uri, 1)
    assert (await net_hover(client, model_uri)).startswith(net_total(3))
    before = os.stat(tmp_path / "blocks.py")
    (tmp_path / "blocks.py").write_text(BLOCKS.replace("c_out, 3)", "c_out, 5)"))
    os.utime(tmp_path / "blocks.py", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(tmp_path / "blocks.py").st_size == before.st_size
    PUBLISHED.pop(model_uri, None)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=blocks_uri, type=types.FileChangeType.Changed)]))
    await diagnostics_for(client, model_uri, 1)
    assert (await net_hover(client, model_uri)).startswith(net_total(5))


async def test_a_module_created_after_its_importer_is_found(
        workspace_client: LanguageClient, tmp_path: Path) -> None:
    """model.py imports late_blocks.py, which does not exist yet: nothing is counted through it.
    Once it is created on disk (the client's watched-file event says so), the model's total is
    torch's."""
    client = workspace_client
    model = MODEL.format(a=16).replace("from blocks import", "from late_blocks import")
    (tmp_path / "model.py").write_text(model)
    model_uri = uri_of(tmp_path / "model.py")
    open_text(client, model_uri, model)
    await diagnostics_for(client, model_uri, 1)
    assert not (await net_hover(client, model_uri)).startswith(net_total(3))
    (tmp_path / "late_blocks.py").write_text(BLOCKS)
    PUBLISHED.pop(model_uri, None)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri_of(tmp_path / "late_blocks.py"),
                        type=types.FileChangeType.Created)]))
    await diagnostics_for(client, model_uri, 1)
    shown = await net_hover(client, model_uri)
    assert shown.startswith(net_total(3)), shown


REGISTERED: list[types.RegistrationParams] = []


@pytest_lsp.fixture(config=SERVER)
async def watching_client(lsp_client: LanguageClient):
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        REGISTERED.append(params)

    capabilities = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
            dynamic_registration=True)))
    await start(lsp_client, capabilities=capabilities)
    yield
    await lsp_client.shutdown_session()


async def test_the_server_asks_the_client_to_watch_python_files(
        watching_client: LanguageClient) -> None:
    """A client that can watch files for the server (VS Code) is asked to report every Python
    file created, changed or deleted: what the open documents import may change outside the
    editor (a git checkout)."""
    for _ in range(50):
        if REGISTERED:
            break
        await asyncio.sleep(0.1)
    (params,) = REGISTERED
    (registration,) = params.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    options = registration.register_options
    watchers = options.watchers if hasattr(options, "watchers") else options["watchers"]
    patterns = [w.glob_pattern if hasattr(w, "glob_pattern") else w["globPattern"]
                for w in watchers]
    assert patterns == ["**/*.py"]


logging_client, SLEEP_LOG = logging_client_fixture("workspace")


async def test_a_sleeping_importer_follows_the_module_it_imports(logging_client: LanguageClient,
                                                                 tmp_path: Path) -> None:
    """model.py goes to sleep (more documents are open than are kept live) as a snapshot of its
    counts; blocks.py, which it imports, is then edited without being saved. The sleeping
    model's total follows the edit, as torch builds it."""
    client = logging_client
    model_uri, blocks_uri = write_project(tmp_path)
    open_text(client, model_uri, MODEL.format(a=16))
    await diagnostics_for(client, model_uri, 1)
    open_text(client, blocks_uri, BLOCKS)
    await diagnostics_for(client, blocks_uri, 1)
    for k in range(6):  # more than the documents kept live
        other = uri_of(tmp_path / f"other{k}.py")
        open_text(client, other, f"import torch.nn as nn\nc = nn.Conv2d({k + 1}, 4, 3)\n")
        await diagnostics_for(client, other, 1)
    await until_asleep(SLEEP_LOG, model_uri, 20)
    replace_text(client, blocks_uri, 2, BLOCKS.replace("c_out, 3)", "c_out, 5)"))
    await diagnostics_for(client, blocks_uri, 2)
    shown = await net_hover(client, model_uri, net_total(5))
    assert shown.startswith(net_total(5)), shown


async def test_closing_an_edited_import_unsaved_puts_its_file_back(
        workspace_client: LanguageClient, tmp_path: Path) -> None:
    """blocks.py is edited without saving, then closed: the model that imports it is evaluated
    again at once (its diagnostics are published anew) on the file's text, which torch builds."""
    client = workspace_client
    model_uri, blocks_uri = write_project(tmp_path)
    open_text(client, model_uri, MODEL.format(a=16))
    await diagnostics_for(client, model_uri, 1)
    open_text(client, blocks_uri, BLOCKS)
    replace_text(client, blocks_uri, 2, BLOCKS.replace("c_out, 3)", "c_out, 5)"))
    await diagnostics_for(client, blocks_uri, 2)
    assert (await net_hover(client, model_uri, net_total(5))).startswith(net_total(5))
    PUBLISHED.pop(model_uri, None)
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=blocks_uri)))
    await diagnostics_for(client, model_uri, 1)
    assert (await net_hover(client, model_uri)).startswith(net_total(3))
