"""Random edits and requests thrown at one server: every request gets a well-formed answer and
the process survives."""

from __future__ import annotations

import asyncio
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pytest_lsp import make_test_lsp_client

from lsp_helpers import ROOT, start

SOURCE = (ROOT / "examples" / "torch_resnet_block.py").read_text()
PIECES = ["(", ")", "[", "]", ":", "\n", "    ", "'''", '"', "#", "=", ",", "😀", "模",
          "nn.Conv2d(3, 8, 3)", "def f(", "class X(nn.Module):\n", "\\", "import torch.nn as nn\n",
          "x", "1", " "]

edit = st.tuples(st.just("edit"), st.integers(0, 60), st.integers(0, 90), st.integers(0, 3),
                 st.integers(0, 40), st.lists(st.sampled_from(PIECES), max_size=4).map("".join))
request = st.tuples(st.sampled_from(["hover", "hints", "lens"]), st.integers(0, 70),
                    st.integers(0, 120))
operations = st.lists(st.one_of(edit, request), min_size=5, max_size=40)


async def drive(steps: list[tuple]) -> None:
    client = make_test_lsp_client()
    await client.start_io(sys.executable, "-m", "paramlens", "serve")
    try:
        await start(client, {"debounceMs": 0})
        uri = "untitled:fuzz.py"
        document = types.TextDocumentIdentifier(uri=uri)
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1,
                                                 text=SOURCE)))
        version = 1
        for step in steps:
            if step[0] == "edit":
                _, line, char, lines, end_char, text = step
                version += 1
                # Positions may point past the end: editors clamp them, and so must the server.
                client.text_document_did_change(types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[types.TextDocumentContentChangePartial(
                        range=types.Range(start=types.Position(line=line, character=char),
                                          end=types.Position(line=line + lines,
                                                             character=end_char)),
                        text=text)]))
                continue
            kind, line, char = step
            position = types.Position(line=line, character=char)
            if kind == "hover":
                result = await asyncio.wait_for(client.text_document_hover_async(
                    types.HoverParams(text_document=document, position=position)), 10)
                # a layer's count, or (on a call that makes a model) the model's total, which may
                # rest on defaults: "**230,144 parameters if defaults hold**"
                assert result is None or (result.contents.value.startswith("**")  # type: ignore
                                          and "parameters" in result.contents.value)  # type: ignore
            elif kind == "hints":
                hints = await asyncio.wait_for(client.text_document_inlay_hint_async(
                    types.InlayHintParams(text_document=document, range=types.Range(
                        start=types.Position(line=0, character=0), end=position))), 10)
                assert all("params" in str(h.label) for h in hints or [])
            else:
                lenses = await asyncio.wait_for(client.text_document_code_lens_async(
                    types.CodeLensParams(text_document=document)), 10)
                assert all(lens.command and "parameters" in lens.command.title
                           for lens in lenses or [])
        final = await asyncio.wait_for(client.text_document_code_lens_async(
            types.CodeLensParams(text_document=document)), 10)
        assert final is not None
        assert client.error is None
        shown = [d for found in client.diagnostics.values() for d in found]
        assert not [d for d in shown if d.code == "internal-error"]
        await client.shutdown_session()
    finally:
        # (bounded: a failed assertion above leaves no shutdown, and the test must fail, not
        # wait for a server that still waits for its client)
        await asyncio.wait_for(client.stop(), 30)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_random_edits_and_requests(steps: list[tuple]) -> None:
    asyncio.run(drive(steps))
