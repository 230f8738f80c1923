"""Bad input is normal input: the server answers every request with a well-formed result or error."""

from __future__ import annotations

import json

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_helpers import (
    diagnostics_for,
    hover_text,
    logging_client_fixture,
    open_text,
    plain,
    replace,
)
from raw_lsp import RawServer

GOOD = "import torch.nn as nn\nconv = nn.Conv2d(3, 10, 3)\n"


async def test_unknown_documents_and_positions_past_the_end(client: LanguageClient) -> None:
    assert await hover_text(client, "file:///never/opened.py", 0, 0) is None
    document = types.TextDocumentIdentifier(uri="file:///never/opened.py")
    everything = types.Range(start=types.Position(line=0, character=0),
                             end=types.Position(line=99, character=0))
    assert not await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=document, range=everything))
    assert not await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=document))
    open_text(client, "untitled:good.py", GOOD)
    assert await hover_text(client, "untitled:good.py", 1, 400) is None  # past the line's end
    assert await hover_text(client, "untitled:good.py", 10_000, 0) is None
    assert "**280 parameters**" in (await hover_text(client, "untitled:good.py", 1, 12) or "")


async def test_a_huge_file_gets_a_message_and_the_others_still_work(client: LanguageClient
                                                                     ) -> None:
    huge = "x = 1\n" * 1_000_000  # 6 MB
    open_text(client, "untitled:huge.py", huge)
    open_text(client, "untitled:good.py", GOOD)
    assert await hover_text(client, "untitled:huge.py", 0, 0) is None
    found = await diagnostics_for(client, "untitled:huge.py", 1)
    assert [d.code for d in found] == ["not-analysed"]
    assert "too large" in found[0].message
    assert "**280 parameters**" in (await hover_text(client, "untitled:good.py", 1, 12) or "")


async def test_broken_block_leaves_the_others_answering(client: LanguageClient) -> None:
    text = ("import torch.nn as nn\n\n\nclass A(nn.Module):\n    def __init__(self):\n"
            "        self.a = nn.Conv2d(3, 8, 3)\n        self.b = nn.Conv2d(8, 8, 1)\n\n\n"
            "class B(nn.Module):\n    def __init__(self):\n        self.c = nn.Linear(5, 7)\n")
    uri = "untitled:broken.py"
    open_text(client, uri, text)
    assert "**42 parameters**" in (await hover_text(client, uri, 11, 20) or "")
    # Line 6 (0-based 5) loses its closing parenthesis: class A does not parse any more.
    replace(client, uri, 2, 5, 34, 5, 35, "")
    assert "**42 parameters**" in (await hover_text(client, uri, 11, 20) or "")
    # The untouched line of the broken class still answers, and with the right count.
    assert "**72 parameters**" in (await hover_text(client, uri, 6, 20) or "")
    assert await hover_text(client, uri, 5, 20) is None  # the broken call shows nothing
    found = await diagnostics_for(client, uri, 2)
    assert any(d.code == "not-parsed" and d.severity == types.DiagnosticSeverity.Hint
               for d in found)


def test_invalid_utf8_and_lone_surrogates_on_the_wire() -> None:
    server = RawServer()
    try:
        server.initialize()
        opened = {"textDocument": {"uri": "untitled:bad.py", "languageId": "python",
                                   "version": 1, "text": "x = 1\n"}}
        message = {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": opened}
        body = json.dumps(message).encode().replace(b"x = 1", b"x = \xff\xfe1")
        server.send_bytes(body)  # not UTF-8: must not end the session
        server.send_bytes(b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": '
                          b'{"textDocument": {"uri": "untitled:sur.py", "languageId": "python", '
                          b'"version": 1, "text": "s = \\"\\ud800\\"\\nimport torch.nn as nn\\n'
                          b'c = nn.Conv2d(3, 10, 3)\\n"}}}')
        server.send("textDocument/didOpen", {"textDocument": {
            "uri": "untitled:good.py", "languageId": "python", "version": 1, "text": GOOD}},
            request=False)
        position = {"line": 1, "character": 12}
        answer = server.response(server.send("textDocument/hover", {
            "textDocument": {"uri": "untitled:good.py"}, "position": position}))
        assert "280" in answer["result"]["contents"]["value"]
        answer = server.response(server.send("textDocument/hover", {
            "textDocument": {"uri": "untitled:sur.py"}, "position": {"line": 2, "character": 9}}))
        assert "error" in answer or answer["result"] is None or "280" in str(answer["result"])
    finally:
        server.close()


def test_requests_after_shutdown_get_an_error() -> None:
    server = RawServer()
    try:
        server.initialize()
        assert server.response(server.send("shutdown", None)).get("result") is None
        answer = server.response(server.send("textDocument/hover", {
            "textDocument": {"uri": "untitled:x.py"}, "position": {"line": 0, "character": 0}}))
        assert answer["error"]["code"] == -32600  # InvalidRequest
        server.send("exit", None, request=False)
        assert server.process.wait(timeout=10) == 0
    finally:
        server.close()


@pytest.mark.parametrize("flag", [[], ["--stdio"]])
def test_serve_answers_with_and_without_stdio_flag(flag: list[str]) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "paramlens", "serve", *flag, "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--tcp" in done.stdout and "--ws" in done.stdout


def test_tcp_on_localhost_and_log_file(tmp_path) -> None:
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "server.log"
    process = subprocess.Popen([sys.executable, "-m", "paramlens", "serve", "--tcp", str(port),
                                "--log-file", str(log), "--log-level", "DEBUG"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise AssertionError("the server never listened")
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": None, "capabilities": {}}}).encode()
        connection.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        reply = b""
        while b'"serverInfo"' not in reply:
            chunk = connection.recv(65536)
            assert chunk, "connection closed before the initialize result"
            reply += chunk
        assert b'"hoverProvider": true' in reply
        connection.close()
    finally:
        process.kill()
        process.wait(timeout=10)
    assert "initialize" in log.read_text()  # the log went to the file, not to stdout


def test_ws_without_websockets_says_what_to_install() -> None:
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("websockets") is not None:
        pytest.skip("websockets is installed here")
    done = subprocess.run([sys.executable, "-m", "paramlens", "serve", "--ws", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "pip install websockets" in done.stderr


# a server whose evaluator raises (a bug of ours, planted): it keeps answering from each file's
# own reading, and says in its log and in the model panel what failed
client_with_a_broken_evaluator, BROKEN_LOG = logging_client_fixture(
    "broken-evaluator", level="INFO", prelude=(
        "from paramlens.engine.evaluate import entries\n"
        "def broken(*args, **kwargs):\n    raise KeyError('a bug planted by the test')\n"
        "entries._evaluate_files = broken"))
THROUGH_A_HELPER = """\
import torch.nn as nn


def block(c):
    return nn.Conv2d(c, 8, 3)


model = nn.Sequential(block(3), nn.Conv2d(8, 10, 3))
"""


async def test_an_evaluator_that_raises_leaves_each_files_own_counts(
        client_with_a_broken_evaluator: LanguageClient) -> None:
    client, uri = client_with_a_broken_evaluator, "file:///through_a_helper.py"
    open_text(client, uri, THROUGH_A_HELPER)
    await diagnostics_for(client, uri, 1)
    # the file's own reading: the helper's count holds if `c` is what the one call passes
    assert "**730 parameters**" in (await hover_text(client, uri, 7, 36) or "")
    assert "**224 parameters** if defaults hold" in (await hover_text(client, uri, 4, 15) or "")
    panel = plain(await client.protocol.send_request_async(
        "paramlens/modelSummary", {"textDocument": {"uri": uri},
                                   "position": {"line": 7, "character": 0}}))
    assert isinstance(panel, dict) and panel["status"] == "unavailable", panel
    assert "internal error while evaluating (KeyError" in panel["message"]
    at = THROUGH_A_HELPER.splitlines()[7].index("10, 3")
    replace(client, uri, 2, 7, at, 7, at + 2, "12")  # edited: it answers, from its own reading
    await diagnostics_for(client, uri, 2)
    assert "**876 parameters**" in (await hover_text(client, uri, 7, 36) or "")
    said = BROKEN_LOG.read_text()
    assert "a bug planted by the test" in said
