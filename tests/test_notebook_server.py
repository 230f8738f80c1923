"""A Jupyter notebook over LSP (notebookDocument/*), driven as VS Code drives it: the cells are
one program, and every answer lands in the right cell at the right UTF-16 position. Each count
is torch's, on the same cells run for real."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_helpers import PUBLISHED, diagnostics_for, hover_text, open_text, replace
from raw_lsp import RawServer

torch = pytest.importorskip("torch")

NOTEBOOK = "file:///tmp/paramlens-test/model.ipynb"
CELLS = {  # cell URIs as VS Code makes them: the notebook's path and a fragment per cell
    "imports": "vscode-notebook-cell:/tmp/paramlens-test/model.ipynb#W0sZmlsZQ%3D%3D",
    "notes": "vscode-notebook-cell:/tmp/paramlens-test/model.ipynb#W1sZmlsZQ%3D%3D",
    "model": "vscode-notebook-cell:/tmp/paramlens-test/model.ipynb#W2sZmlsZQ%3D%3D",
    "inserted": "vscode-notebook-cell:/tmp/paramlens-test/model.ipynb#W3sZmlsZQ%3D%3D",
}
IMPORTS = "import torch.nn as nn\nchannels = 16\n"
NOTES = "# The model\nIts width comes from the first cell."
# the second conv expects 8 channels where conv gives `channels`: a mismatch while channels != 8;
# the emoji before it on its line is two UTF-16 units and one code point
MODEL = ("%matplotlib inline\n"
         "!pip list\n"
         "conv = nn.Conv2d(3, channels, 3)\n"
         "e = '😀'; model = nn.Sequential(conv, nn.Conv2d(8, 4, 1))\n")


def _cell(uri: str, kind: types.NotebookCellKind = types.NotebookCellKind.Code
          ) -> types.NotebookCell:
    return types.NotebookCell(kind=kind, document=uri)


def _item(uri: str, text: str, language: str = "python", version: int = 1
          ) -> types.TextDocumentItem:
    return types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)


def _run_for_real(*cells: str) -> dict[str, int]:
    """The code cells run as Jupyter would (magics and shell lines are IPython's, not Python:
    dropped here), and what torch counts on the objects they bind."""
    return {name: sum(p.numel() for p in value.parameters())
            for name, value in _built(*cells).items() if isinstance(value, torch.nn.Module)}


def _built(*cells: str) -> dict[str, object]:
    """What the cells bind when run for real (IPython's lines dropped)."""
    scope: dict = {}
    for cell in cells:
        code = "\n".join(line for line in cell.splitlines() if not line.startswith(("%", "!")))
        exec(compile(code, "<cell>", "exec"), scope)
    return scope


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def _until(check: Callable[[], object], timeout: float = 20.0) -> None:
    async def wait() -> None:
        while not check():
            await asyncio.sleep(0.02)
    await asyncio.wait_for(wait(), timeout)


async def _hover_until(client: LanguageClient, uri: str, line: int, character: int,
                       wanted: str) -> str:
    """The hover once it shows `wanted` (an edit is analysed once typing pauses)."""
    shown: list[str | None] = [None]

    async def wait() -> None:
        while True:
            shown[0] = await hover_text(client, uri, line, character)
            if shown[0] is not None and wanted in shown[0]:
                return
            await asyncio.sleep(0.05)
    try:
        await asyncio.wait_for(wait(), 20.0)
    except TimeoutError:
        pytest.fail(f"hover never showed {wanted!r}; last: {shown[0]!r}")
    assert shown[0] is not None
    return shown[0]


def _open(client: LanguageClient) -> None:
    for uri in CELLS.values():
        PUBLISHED.pop(uri, None)  # an earlier test's server published for the same cells
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=NOTEBOOK, notebook_type="jupyter-notebook", version=1,
            cells=[_cell(CELLS["imports"]), _cell(CELLS["notes"], types.NotebookCellKind.Markup),
                   _cell(CELLS["model"])]),
        cell_text_documents=[_item(CELLS["imports"], IMPORTS),
                             _item(CELLS["notes"], NOTES, "markdown"),
                             _item(CELLS["model"], MODEL)]))


def _mismatches(uri: str) -> list[types.Diagnostic]:
    published = PUBLISHED.get(uri)
    return [d for d in published.diagnostics if d.code == "channel-mismatch"] \
        if published is not None else []


async def test_notebook_cells_are_one_program(client: LanguageClient) -> None:
    _open(client)
    lines = MODEL.splitlines()
    conv_line = 2  # 0-based, in the model cell
    counts = _run_for_real(IMPORTS, MODEL)

    # hover on the conv of the third cell: its out_channels is `channels` of the first cell
    shown = await _hover_until(client, CELLS["model"], conv_line,
                               lines[conv_line].index("Conv2d") + 2, "parameters**")
    assert shown.startswith(f"**{counts['conv']:,} parameters**")

    # inlay hints of the third cell, at the end of each call, in its own lines
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=CELLS["model"]),
        range=types.Range(start=types.Position(line=0, character=0),
                          end=types.Position(line=len(lines), character=0))))
    assert hints is not None
    at = {(h.position.line, h.position.character): str(h.label) for h in hints}
    conv_end = (conv_line, _utf16(lines[conv_line]))
    assert f"{counts['conv']:,}" in at[conv_end]
    assert all(line in (2, 3) for line, _c in at)  # nothing on the skipped magic lines

    # the mismatch is published for the third cell, at the second conv, in UTF-16 units
    await _until(lambda: _mismatches(CELLS["model"]))
    [mismatch] = _mismatches(CELLS["model"])
    row = lines[3]
    start = row.index("nn.Conv2d(8")
    assert mismatch.range.start == types.Position(line=3, character=_utf16(row[:start]))
    end = start + len("nn.Conv2d(8, 4, 1)")
    assert mismatch.range.end == types.Position(line=3, character=_utf16(row[:end]))
    # a line of another cell is named by the cell's rank among all cells, as the CLI and VS Code's
    # status bar number it: the imports are cell 1, the markdown cell 2, the model cell 3
    assert "16 channels" in mismatch.message and "(Conv2d on cell 3, line 3)" in \
        mismatch.message
    assert not PUBLISHED[CELLS["imports"]].diagnostics  # every code cell gets its list

    # its quick fix edits that cell: in_channels becomes what torch's conv gives
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=CELLS["model"]), range=mismatch.range,
        context=types.CodeActionContext(diagnostics=[mismatch])))
    assert actions is not None
    [fix] = [a for a in actions if isinstance(a, types.CodeAction) and a.edit is not None
             and a.kind == types.CodeActionKind.QuickFix]
    assert fix.edit is not None and fix.edit.changes is not None
    [edit] = fix.edit.changes[CELLS["model"]]
    eight = row.index("8", start)
    assert edit.range == types.Range(start=types.Position(line=3, character=_utf16(row[:eight])),
                                     end=types.Position(line=3, character=_utf16(row[:eight]) + 1))
    assert edit.new_text == str(_built(IMPORTS, MODEL)["conv"].out_channels)
    assert CELLS["notes"] not in PUBLISHED  # the markdown cell is not Python

    # the code lens of the Sequential sits on its line of the third cell
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=CELLS["model"])))
    assert lenses is not None
    assert [lens.range.start.line for lens in lenses] == [3]
    assert not await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=CELLS["imports"])))


async def test_editing_a_cell_and_inserting_one_updates_the_results(client: LanguageClient
                                                                    ) -> None:
    _open(client)
    lines = MODEL.splitlines()
    hover_at = (2, lines[2].index("Conv2d") + 2)
    await _until(lambda: _mismatches(CELLS["model"]))

    # `channels = 16` → `channels = 8` in the first cell: the second conv now fits
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(uri=NOTEBOOK, version=2),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(
            text_content=[types.NotebookDocumentCellContentChanges(
                document=types.VersionedTextDocumentIdentifier(uri=CELLS["imports"], version=2),
                changes=[types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=1, character=11),
                                      end=types.Position(line=1, character=13)),
                    text="8")])]))))
    edited = IMPORTS.replace("16", "8")
    counts = _run_for_real(edited, MODEL)
    shown = await _hover_until(client, CELLS["model"], *hover_at,
                               f"**{counts['conv']:,} parameters**")
    assert shown
    await _until(lambda: CELLS["model"] in PUBLISHED and not _mismatches(CELLS["model"]))

    # a cell inserted between the first and the markdown one sets channels = 4 (cells run in
    # order: the model cell now sees 4) and shifts no line of the model cell
    inserted = "channels = 4\n"
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(uri=NOTEBOOK, version=3),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(
            structure=types.NotebookDocumentCellChangeStructure(
                array=types.NotebookCellArrayChange(start=1, delete_count=0,
                                                    cells=[_cell(CELLS["inserted"])]),
                did_open=[_item(CELLS["inserted"], inserted)])))))
    counts = _run_for_real(edited, inserted, MODEL)
    shown = await _hover_until(client, CELLS["model"], *hover_at,
                               f"**{counts['conv']:,} parameters**")
    await _until(lambda: _mismatches(CELLS["model"]))
    [mismatch] = _mismatches(CELLS["model"])
    assert "4 channels" in mismatch.message and mismatch.range.start.line == 3
    # the inserted cell is cell 2 now: the model cell is the fourth
    assert "cell 4, line 3" in mismatch.message and "Python cell" not in mismatch.message
    assert not PUBLISHED[CELLS["inserted"]].diagnostics

    # closing the notebook clears what its cells showed
    client.notebook_document_did_close(types.DidCloseNotebookDocumentParams(
        notebook_document=types.NotebookDocumentIdentifier(uri=NOTEBOOK),
        cell_text_documents=[types.TextDocumentIdentifier(uri=uri) for uri in CELLS.values()]))
    await _until(lambda: not PUBLISHED[CELLS["model"]].diagnostics)
    assert await hover_text(client, CELLS["model"], *hover_at) is None


def test_the_server_registers_for_jupyter_notebooks_and_all_their_cells() -> None:
    """The capability as VS Code's client reads it (it then syncs those notebooks; a client that
    does not say it syncs notebooks is not offered it, pygls' rule). No cell selector: LSP then
    syncs every cell, markdown too, so that the server knows each Python cell's number."""
    server = RawServer()
    try:
        reply = server.response(server.send("initialize", {
            "processId": None, "rootUri": None,
            "capabilities": {"notebookDocument": {"synchronization": {}}}}))
        assert reply["result"]["capabilities"]["notebookDocumentSync"] == {
            "notebookSelector": [{"notebook": "jupyter-notebook"}]}
    finally:
        server.stop()


async def test_an_edited_constant_is_evaluated_again_in_a_file_too(client: LanguageClient
                                                                   ) -> None:
    """The edit above, in a .py document: the module body that reads the constant runs again
    (it was lent whole from the last evaluation, and kept the old count in its contexts)."""
    uri = "file:///tmp/paramlens-test/model.py"
    text = IMPORTS + "conv = nn.Conv2d(3, channels, 3)\n"
    open_text(client, uri, text)
    await diagnostics_for(client, uri, 1)
    replace(client, uri, 2, 1, 11, 1, 13, "8")
    await diagnostics_for(client, uri, 2)
    counts = _run_for_real(IMPORTS.replace("16", "8") + "conv = nn.Conv2d(3, channels, 3)\n")
    shown = await hover_text(client, uri, 2, 10)
    assert shown is not None and shown.startswith(f"**{counts['conv']:,} parameters**")
