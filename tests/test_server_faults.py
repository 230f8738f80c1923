"""The server under faults: a document whose analysis takes long, a client that dies, broken
framing, a second TCP client, requests out of order, pathological expressions and broken
configuration. Every wait here has a timeout, so a server that hangs fails the test instead of
hanging it."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from documents import bomb
from raw_lsp import LspCalls

SERVE = [sys.executable, "-m", "paramlens", "serve"]
GOOD = "import torch.nn as nn\nconv = nn.Conv2d(3, 10, 3)\n"  # 280 parameters on line 2


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Peer(LspCalls):
    """A bare client over the server's stdio, or over a socket; every read has a timeout."""

    def __init__(self, tmp_path: Path, command: list[str] | None = None,
                 connection: socket.socket | None = None) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.stderr_path = tmp_path / f"stderr-{time.monotonic_ns()}.txt"
        if connection is None:
            self.stderr = open(self.stderr_path, "wb")  # noqa: SIM115 (closed in close())
            self.process = subprocess.Popen(command or SERVE, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=self.stderr)
            self.write = self._write_pipe
            source = self.process.stdout
            assert source is not None
            read = source.read1  # type: ignore[attr-defined]
        else:
            self.connection = connection
            self.write = connection.sendall
            read = self._recv
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.seen: list[dict[str, Any]] = []  # every message read so far, in order
        self.next_id = 0
        threading.Thread(target=self._read, args=(read,), daemon=True).start()

    def _recv(self, size: int) -> bytes:
        try:
            return self.connection.recv(size)
        except OSError:
            return b""

    def _write_pipe(self, data: bytes) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def _read(self, read: Any) -> None:
        buffer = b""
        while True:
            chunk = read(65536)
            if not chunk:
                self.messages.put(None)
                return
            buffer += chunk
            while b"\r\n\r\n" in buffer:
                head, _, rest = buffer.partition(b"\r\n\r\n")
                length = int(head.split(b"Content-Length:")[1].split(b"\r\n")[0])
                if len(rest) < length:
                    break
                self.messages.put(json.loads(rest[:length]))
                buffer = rest[length:]

    def send_bytes(self, body: bytes) -> None:
        self.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def wait_for(self, wanted: Any, timeout: float = 20.0) -> dict[str, Any]:
        """The first message for which `wanted(message)` holds; the server's own requests are
        answered with null on the way."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no such message in time")
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                raise TimeoutError("no such message in time") from None
            if message is None:
                raise EOFError("the server closed its output")
            self.seen.append(message)
            if "method" in message and "id" in message:
                self.write(frame({"jsonrpc": "2.0", "id": message["id"], "result": None}))
            if wanted(message):
                return message

    def response(self, request_id: int | None, timeout: float = 20.0) -> dict[str, Any]:
        return self.wait_for(lambda m: "method" not in m and m.get("id") == request_id, timeout)

    def hover(self, uri: str, line: int, character: int, timeout: float = 20.0
              ) -> dict[str, Any]:
        return self.response(self.send("textDocument/hover", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
            timeout)

    def published(self, uri: str, timeout: float = 60.0) -> dict[str, Any]:
        """The first diagnostics published for `uri`, whether already read or still to come."""
        for message in self.seen:
            if message.get("method") == "textDocument/publishDiagnostics" and \
                    message["params"]["uri"] == uri:
                return message
        return self.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics" and
                             m["params"]["uri"] == uri, timeout)

    def was_published(self, uri: str) -> bool:
        return any(m.get("method") == "textDocument/publishDiagnostics" and
                   m["params"]["uri"] == uri for m in self.seen)

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def close(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=10)
            self.stderr.close()
        else:
            try:  # shutdown first: the reading thread's recv holds the socket open otherwise
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.connection.close()


@pytest.fixture
def peer(tmp_path: Path):
    made = Peer(tmp_path)
    yield made
    made.close()


def hover_value(answer: dict[str, Any]) -> str:
    result = answer.get("result")
    return result["contents"]["value"] if result else ""


def start_bomb(peer: Peer) -> None:
    """Open the bomb and wait until its analysis is surely under way."""
    peer.initialize(options={"debounceMs": 0})
    peer.open("untitled:bomb.py", bomb())
    time.sleep(1.0)


# a long analysis --------------------------------------------------------------------------------
def test_hover_on_another_document_while_a_long_one_is_analysed(peer: Peer) -> None:
    start_bomb(peer)
    peer.open("untitled:good.py", GOOD)
    for _ in range(3):
        started = time.monotonic()
        answer = peer.hover("untitled:good.py", 1, 12)
        elapsed = time.monotonic() - started
        assert "**280 parameters**" in hover_value(answer)
        assert elapsed < 1.0, f"hover took {elapsed:.2f} s"
    # The bomb was still being analysed all along: the hovers did not wait for it.
    assert not peer.was_published("untitled:bomb.py")


def test_cancel_and_shutdown_answer_during_a_long_analysis(peer: Peer) -> None:
    start_bomb(peer)
    # a hover on the bomb waits for its analysis, or answers empty: a cancel answers at once
    request = peer.send("textDocument/hover", {"textDocument": {"uri": "untitled:bomb.py"},
                                               "position": {"line": 1, "character": 12}})
    peer.send("$/cancelRequest", {"id": request}, request=False)
    started = time.monotonic()
    peer.response(request, timeout=5)
    assert time.monotonic() - started < 1.0
    started = time.monotonic()
    answer = peer.response(peer.send("shutdown", None), timeout=5)
    elapsed = time.monotonic() - started
    assert answer.get("result") is None and "error" not in answer
    assert elapsed < 1.0, f"shutdown took {elapsed:.2f} s"
    assert not peer.was_published("untitled:bomb.py")
    peer.send("exit", None, request=False)
    assert peer.process is not None and peer.process.wait(timeout=5) == 0


def test_the_process_exits_when_its_input_closes_during_analysis(peer: Peer) -> None:
    start_bomb(peer)
    assert peer.process is not None and peer.process.stdin is not None
    started = time.monotonic()
    peer.process.stdin.close()
    peer.process.wait(timeout=5)
    assert time.monotonic() - started < 5


# framing ----------------------------------------------------------------------------------------
HOVER_GOOD = {"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover", "params": {
    "textDocument": {"uri": "untitled:good.py"}, "position": {"line": 1, "character": 12}}}


def framed_then_hover(peer: Peer, broken: bytes) -> None:
    """After the broken bytes, the server answers a good hover, or it has left with a message."""
    peer.initialize(options={"debounceMs": 0})
    peer.open("untitled:good.py", GOOD)
    peer.write(broken + frame(HOVER_GOOD))
    try:
        answer = peer.response(99, timeout=10)
    except EOFError:
        assert peer.process is not None and peer.process.wait(timeout=5) != 0
        assert peer.stderr_text().strip(), "the server left without saying why"
        return
    assert "**280 parameters**" in hover_value(answer)
    # and the error was answered as JSON-RPC: a parse error, id null
    assert any(m.get("id") is None and m.get("error", {}).get("code") == -32700
               for m in peer.seen)


def test_content_length_larger_than_its_body(peer: Peer) -> None:
    body = json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": "untitled:short.py", "languageId": "python", "version": 1,
                         "text": GOOD}}}).encode()
    peer.initialize(options={"debounceMs": 0})
    peer.write(b"Content-Length: %d\r\n\r\n" % (len(body) + 500) + body)
    # the short message itself is read (it is whole JSON), and so is the one after it
    peer.write(frame({**HOVER_GOOD, "params": {**HOVER_GOOD["params"],
                                               "textDocument": {"uri": "untitled:short.py"}}}))
    assert "**280 parameters**" in hover_value(peer.response(99, timeout=10))


def test_content_length_of_a_terabyte(peer: Peer) -> None:
    framed_then_hover(peer, b"Content-Length: 1000000000000\r\n\r\n{\"jsonrpc\": \"2.0\"}")


def test_garbage_header(peer: Peer) -> None:
    framed_then_hover(peer, b"Hello there, not a header\r\n\r\n{}")


def test_body_that_is_not_json(peer: Peer) -> None:
    framed_then_hover(peer, b"Content-Length: 9\r\n\r\n{not json")


# sessions ---------------------------------------------------------------------------------------
def test_a_second_tcp_client_is_refused(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([*SERVE, "--tcp", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        first = Peer(tmp_path, connection=connect(port))
        first.initialize(options={"debounceMs": 0})
        first.open("untitled:secret.py", GOOD)
        assert "**280 parameters**" in hover_value(first.hover("untitled:secret.py", 1, 12))
        second = Peer(tmp_path, connection=connect(port))
        try:  # the server may have closed this connection already: that is a refusal too
            second.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "processId": None, "rootUri": None, "capabilities": {}}}) + frame(
                {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {
                    "textDocument": {"uri": "untitled:secret.py"},
                    "position": {"line": 1, "character": 12}}}))
        except OSError:
            pass
        # refused with a message (an error without an id), then closed; never the session
        refusal = second.wait_for(lambda m: "error" in m or "result" in m, timeout=10)
        assert refusal.get("id") is None and "one client" in refusal["error"]["message"]
        with pytest.raises(EOFError):
            second.wait_for(lambda m: False, timeout=10)
        assert not [m for m in second.seen if "result" in m]
        second.close()
        # the first client's session goes on, untouched
        assert "**280 parameters**" in hover_value(first.hover("untitled:secret.py", 1, 12))
        first.close()
        assert process.wait(timeout=10) == 1  # its one session ended without shutdown
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def connect(port: int, tries: int = 200) -> socket.socket:
    for _ in range(tries):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            time.sleep(0.05)
    raise OSError("the server does not listen")


def test_requests_before_initialize_get_server_not_initialized(peer: Peer) -> None:
    answer = peer.hover("untitled:good.py", 0, 0, timeout=10)
    assert answer["error"]["code"] == -32002
    peer.open("untitled:early.py", GOOD)  # a notification before initialize: dropped
    peer.initialize(options={"debounceMs": 0})
    assert peer.hover("untitled:early.py", 1, 12)["result"] is None
    peer.open("untitled:good.py", GOOD)
    assert "**280 parameters**" in hover_value(peer.hover("untitled:good.py", 1, 12))


def test_did_change_for_an_unknown_document_is_no_pop_up(peer: Peer) -> None:
    peer.initialize(options={"debounceMs": 0})
    peer.send("textDocument/didChange", {
        "textDocument": {"uri": "untitled:never.py", "version": 2},
        "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                      "end": {"line": 0, "character": 0}}, "text": "x"}]},
        request=False)
    peer.open("untitled:good.py", GOOD)
    assert "**280 parameters**" in hover_value(peer.hover("untitled:good.py", 1, 12))
    peer.published("untitled:good.py", timeout=20)
    assert not [m for m in peer.seen if m.get("method") == "window/showMessage"]


# pathological expressions -----------------------------------------------------------------------
@pytest.mark.parametrize("expression", [" + ".join(["1"] * 1000), "9**9**9",
                                        "[" * 150 + "]" * 150, "((((((((((" * 30],
                         ids=["sum-of-1000", "power-tower", "nested-lists", "open-parens"])
def test_pathological_expression_leaves_the_rest_of_the_file(peer: Peer,
                                                            expression: str) -> None:
    peer.initialize(options={"debounceMs": 0})
    uri = "untitled:odd.py"
    peer.open(uri, f"import torch.nn as nn\nx = {expression}\nconv = nn.Conv2d(3, 10, 3)\n")
    started = time.monotonic()
    assert "**280 parameters**" in hover_value(peer.hover(uri, 2, 12, timeout=10))
    hints = peer.response(peer.send("textDocument/inlayHint", {
        "textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0},
                                                "end": {"line": 3, "character": 0}}}))
    assert [h["label"] for h in hints["result"]] == ["# 280 params"]
    peer.published(uri, timeout=20)
    assert time.monotonic() - started < 20


# configuration ----------------------------------------------------------------------------------
@pytest.mark.parametrize("pyproject", ["tool = 5\n", "[tool.paramlens]\nx = " + "[" * 100_000
                                       + "]" * 100_000 + "\n",
                                       "[tool.paramlens]\nmax-params-per-layer = 'big'\n"],
                         ids=["tool-is-a-number", "nested-100k-deep", "wrong-type"])
def test_a_broken_configuration_warns_once_and_diagnostics_go_on(peer: Peer, tmp_path: Path,
                                                                 pyproject: str) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    peer.initialize(tmp_path.as_uri(), {"debounceMs": 0})
    mismatch = ("import torch.nn as nn\n"
                "net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(4, 8, 3))\n")
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(mismatch)
        peer.open((tmp_path / name).as_uri(), mismatch)
        found = peer.published((tmp_path / name).as_uri())["params"]["diagnostics"]
        codes = {d.get("code") for d in found}
        assert "channel-mismatch" in codes, codes  # the default configuration's checks
    shown = [m for m in peer.seen if m.get("method") == "window/showMessage"]
    assert len(shown) == 1 and shown[0]["params"]["type"] == 2  # a warning, once
    assert os.path.exists(tmp_path / "pyproject.toml")


# memory -----------------------------------------------------------------------------------------
MODEL = """import torch.nn as nn


class Net{k}(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, {c}, 3)


def build():
    return Net{k}()


model = build()
"""


def test_documents_asleep_answer_as_when_live(tmp_path: Path) -> None:
    """Beyond the documents used last, open documents sleep as a snapshot of their results;
    what a request gets from one is what it got while live, and an edit wakes it."""
    peer = Peer(tmp_path, [*SERVE, "--log-level", "DEBUG"])
    try:
        peer.initialize(options={"debounceMs": 0})

        def answers(uri: str) -> tuple[str, list[str], list[str], str]:
            hover = hover_value(peer.hover(uri, 6, 29))
            hints = peer.response(peer.send("textDocument/inlayHint", {
                "textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0},
                                                        "end": {"line": 14, "character": 0}}}))
            lenses = peer.response(peer.send("textDocument/codeLens", {
                "textDocument": {"uri": uri}}))
            model = hover_value(peer.hover(uri, 13, 10))  # the call that made the model
            return (hover, [h["label"] for h in hints["result"]],
                    [lens["command"]["title"] for lens in lenses["result"]], model)

        peer.open("untitled:m0.py", MODEL.format(k=0, c=10))
        peer.published("untitled:m0.py")
        live = answers("untitled:m0.py")
        assert "**280 parameters**" in live[0] and live[1] == ["# 280 params"]
        assert "280" in live[3]
        for k in range(1, 12):  # more than the live documents kept
            peer.open(f"untitled:m{k}.py", MODEL.format(k=k, c=10))
            peer.published(f"untitled:m{k}.py")
        deadline = time.monotonic() + 10
        while "untitled:m0.py sleeps" not in peer.stderr_text():
            assert time.monotonic() < deadline, "m0 never went to sleep"
            time.sleep(0.1)
        assert answers("untitled:m0.py") == live
        peer.send("textDocument/didChange", {  # 10 → 20 output channels: 560 parameters
            "textDocument": {"uri": "untitled:m0.py", "version": 2},
            "contentChanges": [{"range": {"start": {"line": 6, "character": 33},
                                          "end": {"line": 6, "character": 35}},
                                "text": "20"}]}, request=False)
        assert "**560 parameters**" in hover_value(peer.hover("untitled:m0.py", 6, 29))
    finally:
        peer.close()
