"""The server's end of the wire: framing, one session per process, and leaving when the client goes.

pygls' own read loop (`pygls.io_.run_async`) trusts every `Content-Length`: one larger than its
body swallows the next messages for good, and one of 10^12 makes it try to read a terabyte. This
module reads instead, feeding `Framer`, which recovers from every framing error it can see and
answers each with a JSON-RPC error. The messages themselves go to pygls' protocol unchanged.

One client per process, whatever the transport: over stdio that is the parent; over `--tcp` and
`--ws` the first connection gets the session, later ones are refused with a message, and the
process ends when the session does (documented in README.md). Ending is `os._exit`, after the
log is flushed: an analysis still running in a worker thread must not outlive its client.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

from pygls.exceptions import JsonRpcException

log = logging.getLogger("paramlens")

MAX_BODY = 128 * 1024 * 1024  # bytes; the largest document we analyse is 5 M characters
MAX_HEADER = 8 * 1024  # a header block longer than this is garbage, not headers
STALLED_BODY = 2.0  # seconds without bytes after which a short body that is whole JSON is taken
_CONTENT_LENGTH = re.compile(rb"content-length:", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"[A-Za-z][A-Za-z0-9-]*[ \t]*:[^\r\n]*")
PARSE_ERROR = -32700
INVALID_REQUEST = -32600


class Framer:
    """Bytes in, whole message bodies and framing errors out.

    Recovery rests on two facts about JSON: a raw line break never occurs inside a string, and a
    complete JSON value followed by `Content-Length:` cannot be part of a longer one. So:
    - a header block that is not headers (garbage) is skipped up to the next `Content-Length:`;
    - a `Content-Length` too large or not a number is an error, and what follows is skipped the
      same way;
    - a body that comes up short is noticed when the next message's `Content-Length:` shows up
      after a complete JSON value inside it, or when the client goes quiet (`stalled`): the JSON
      value is the message, and reading goes on from the next header.
    """

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.length: int | None = None  # the body's declared length, while reading a body
        self.scanned = 0  # how much of a pending body was already searched for a next header
        self.skipping = False  # in garbage, already reported once

    def feed(self, data: bytes) -> list[tuple[str, bytes | str]]:
        """("message", body) and ("error", what went wrong) events, in order."""
        self.buffer += data
        events: list[tuple[str, bytes | str]] = []
        while self._step(events):
            pass
        return events

    def stalled(self) -> list[tuple[str, bytes | str]]:
        """The client sent nothing for a while in the middle of a body: if what came is one whole
        JSON value, its Content-Length was too large; take it rather than wait forever."""
        if self.length is None or not self.buffer or not _whole_json(bytes(self.buffer)):
            return []
        body, declared = bytes(self.buffer), self.length
        self.buffer.clear()
        self.length, self.scanned = None, 0
        log.warning("a message declared Content-Length %d but its body ended after %d bytes",
                    declared, len(body))
        return [("message", body)]

    @property
    def in_body(self) -> bool:
        return self.length is not None

    def _step(self, events: list[tuple[str, bytes | str]]) -> bool:
        if self.length is not None:
            return self._body(events)
        return self._headers(events)

    def _headers(self, events: list[tuple[str, bytes | str]]) -> bool:
        buffer = self.buffer
        blank = len(buffer) - len(buffer.lstrip(b"\r\n"))
        if blank:  # line breaks between messages: harmless, said nothing
            del buffer[:blank]
        ends = [(i, n) for i, n in ((buffer.find(b"\r\n\r\n"), 4), (buffer.find(b"\n\n"), 2))
                if i >= 0]
        if not ends:
            if len(buffer) > MAX_HEADER:
                return self._skip(events, f"a header longer than {MAX_HEADER} bytes")
            return False
        end, size = min(ends)
        lines = bytes(buffer[:end]).replace(b"\r\n", b"\n").split(b"\n")
        if not all(_HEADER_LINE.fullmatch(line) for line in lines):
            return self._skip(events, f"not a header: {bytes(buffer[:60])!r}")
        length: int | None = None
        for line in lines:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                text = value.strip()
                if not text.isdigit():
                    return self._skip(events, f"Content-Length {text[:40]!r} is not a number")
                length = int(text[:20])
                if length > MAX_BODY or len(text) > 20:
                    return self._skip(events, f"Content-Length {text[:40].decode()} is larger "
                                              f"than the {MAX_BODY:,} bytes accepted")
        if length is None:
            return self._skip(events, "a header without Content-Length")
        del buffer[:end + size]
        self.length, self.scanned, self.skipping = length, 0, False
        return True

    def _body(self, events: list[tuple[str, bytes | str]]) -> bool:
        assert self.length is not None
        buffer = self.buffer
        if len(buffer) >= self.length:
            events.append(("message", bytes(buffer[:self.length])))
            del buffer[:self.length]
            self.length = None
            return True
        # A next message's header inside the body: the declared length was too large.
        found = next((m.start() for m in _CONTENT_LENGTH.finditer(bytes(buffer), self.scanned)
                      if _whole_json(bytes(buffer[:m.start()]))), None)
        if found is None:
            self.scanned = max(0, len(buffer) - 16)  # a header may be cut in two by the read
            return False
        log.warning("a message declared Content-Length %d but the next message began after %d "
                    "bytes", self.length, found)
        events.append(("message", bytes(buffer[:found])))
        del buffer[:found]
        self.length = None
        return True

    def _skip(self, events: list[tuple[str, bytes | str]], why: str) -> bool:
        """Drop bytes up to the next `Content-Length:` after the start; report once per run."""
        if not self.skipping:
            events.append(("error", why))
            self.skipping = True
        data = bytes(self.buffer)
        starts = [m.start() for m in _CONTENT_LENGTH.finditer(data, 1)]
        if not starts:
            keep = len("content-length:")  # it may be cut in two by the read
            del self.buffer[:max(0, len(self.buffer) - keep)]
            return False
        # A real header follows the end of a body or a line; one inside a JSON string does not.
        start = next((i for i in starts if data[i - 1:i] in (b"}", b"]", b"\n")), starts[0])
        del self.buffer[:start]
        self.skipping = False  # what follows may be a good header again
        return True


def _whole_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


# sessions ---------------------------------------------------------------------------------------
class Session:
    """One client's messages, from whatever reads them to the server's protocol."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.protocol = server.protocol
        self.framer = Framer()
        self.chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()

    def push(self, chunk: bytes | None) -> None:
        """From any thread: bytes read, or None when the client is gone."""
        self.loop.call_soon_threadsafe(self.chunks.put_nowait, chunk)

    async def run(self) -> int:
        """Until the client leaves (exit code 1 unless it sent `shutdown`) or sends `exit`."""
        self.server.session_started(self)
        try:
            while True:
                if self.framer.in_body:
                    try:
                        chunk = await asyncio.wait_for(self.chunks.get(), STALLED_BODY)
                    except asyncio.TimeoutError:
                        self.dispatch(self.framer.stalled())
                        continue
                else:
                    chunk = await self.chunks.get()
                if chunk is None:
                    log.info("the client closed the connection; exiting")
                    break
                self.dispatch(self.framer.feed(chunk))
        except SystemExit as leaving:  # pygls' `exit` handler
            return leaving.code if isinstance(leaving.code, int) else 0
        return 0 if self.server.is_shut_down else 1

    def dispatch(self, events: list[tuple[str, bytes | str]]) -> None:
        for kind, value in events:
            if kind == "error":
                log.error("framing error: %s; reading on from the next message", value)
                self.send_error(None, PARSE_ERROR, f"framing error: {value}")
            else:
                assert isinstance(value, bytes)
                self.handle(value)

    def handle(self, body: bytes) -> None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("a message is not valid UTF-8; its bad bytes are read as U+FFFD")
            text = body.decode("utf-8", errors="replace")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            log.error("a message is not JSON (%s)", error)
            self.send_error(None, PARSE_ERROR, f"not JSON: {error}")
            return
        if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
            self.send_error(data.get("id") if isinstance(data, dict) else None, INVALID_REQUEST,
                            "not a JSON-RPC 2.0 message")
            return
        try:
            message = self.protocol.structure_message(data)
        except JsonRpcException as error:
            if "id" in data and "method" in data:
                self.send_error(data["id"], error.code, error.message)
            log.error("cannot read %s: %s", data.get("method", "a message"), error)
            return
        self.protocol.handle_message(message)

    def send_error(self, message_id: Any, code: int, text: str) -> None:
        self.protocol.send_error(message_id, code, text)


def leave(code: int) -> None:
    """End the process now: worker threads may be in the middle of an analysis for a client that
    is gone, and a thread pool would wait for them."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


class PipeWriter:
    """pygls' writer over a byte stream; a client gone is noticed here, and ends the session."""

    def __init__(self, stream: BinaryIO, lost: Callable[[], None]) -> None:
        self.stream = stream
        self.lost = lost

    def write(self, data: bytes) -> None:
        try:
            self.stream.write(data)
            self.stream.flush()
        except (OSError, ValueError):  # BrokenPipeError, or written after close
            self.lost()

    def close(self) -> None:
        try:
            self.stream.close()
        except (OSError, ValueError):
            pass


def run_stdio(server: Any) -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer

    async def main() -> int:
        session = Session(server)
        server.protocol.set_writer(PipeWriter(stdout, lambda: session.push(None)))

        def read() -> None:
            # read1: whatever the pipe has, as soon as it has it (read(n) would wait for n bytes)
            while True:
                try:
                    chunk = stdin.read1(65536)
                except (OSError, ValueError):
                    chunk = b""
                session.push(chunk or None)
                if not chunk:
                    return

        threading.Thread(target=read, name="paramlens-stdin", daemon=True).start()
        return await session.run()

    code = asyncio.run(main())
    server.stop_work()
    leave(code)


def refusal(why: str) -> bytes:
    """What a connection that gets no session is told before it is closed."""
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {
        "code": INVALID_REQUEST, "message": why}}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


ONE_CLIENT = ("paramlens serves one client per process and another client is connected; "
              "start another `paramlens serve` for this one")


def run_tcp(server: Any, host: str, port: int) -> None:
    async def main() -> int:
        finished: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        taken = False

        async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal taken
            if taken:
                log.warning("refused a second client from %s: %s",
                            writer.get_extra_info("peername"), ONE_CLIENT)
                writer.write(refusal(ONE_CLIENT))
                await writer.drain()
                writer.close()
                return
            taken = True  # later connections are told why they get nothing, then closed
            session = Session(server)
            server.protocol.set_writer(_StreamWriter(writer, lambda: session.push(None)))

            async def read() -> None:
                while True:
                    try:
                        chunk = await reader.read(65536)
                    except (OSError, asyncio.IncompleteReadError):
                        chunk = b""
                    session.push(chunk or None)
                    if not chunk:
                        return

            reading = asyncio.ensure_future(read())
            code = await session.run()
            reading.cancel()
            if not finished.done():
                finished.set_result(code)

        await asyncio.start_server(connected, host, port)
        log.info("listening on %s:%d for one client", host, port)
        return await finished

    code = asyncio.run(main())
    server.stop_work()
    leave(code)


class _StreamWriter:
    def __init__(self, writer: asyncio.StreamWriter, lost: Callable[[], None]) -> None:
        self.writer = writer
        self.lost = lost

    def write(self, data: bytes) -> None:
        if self.writer.is_closing():
            self.lost()
            return
        self.writer.write(data)

    def close(self) -> None:
        self.writer.close()


def run_ws(server: Any, host: str, port: int) -> None:
    from websockets.asyncio.server import ServerConnection, serve
    from websockets.exceptions import ConnectionClosed

    async def main() -> int:
        finished: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        taken = False

        async def connected(websocket: ServerConnection) -> None:
            nonlocal taken
            if taken:
                log.warning("refused a second WebSocket client: %s", ONE_CLIENT)
                await websocket.send(json.dumps({"jsonrpc": "2.0", "id": None, "error": {
                    "code": INVALID_REQUEST, "message": ONE_CLIENT}}))
                await websocket.close(1013, "paramlens serves one client per process")
                return
            taken = True
            session = Session(server)
            server.protocol.set_writer(_WebSocketWriter(websocket, session), include_headers=False)
            session.framer = _WholeMessages()  # a WebSocket frames its messages itself

            async def read() -> None:
                try:
                    while True:
                        data = await websocket.recv(decode=False)
                        session.push(data if isinstance(data, bytes) else data.encode())
                except ConnectionClosed:
                    session.push(None)

            reading = asyncio.ensure_future(read())
            code = await session.run()
            reading.cancel()
            if not finished.done():
                finished.set_result(code)

        async with serve(connected, host, port):
            log.info("listening for WebSocket clients on %s:%d, one at a time", host, port)
            return await finished

    code = asyncio.run(main())
    server.stop_work()
    leave(code)


class _WholeMessages(Framer):
    """Over a WebSocket each message arrives whole: no headers to frame."""

    def feed(self, data: bytes) -> list[tuple[str, bytes | str]]:
        return [("message", data)]


class _WebSocketWriter:
    def __init__(self, websocket: Any, session: Session) -> None:
        self.websocket = websocket
        self.session = session

    def write(self, data: bytes) -> None:
        async def send() -> None:
            try:
                await self.websocket.send(data.decode("utf-8"))
            except Exception:  # the connection went away: the session ends
                self.session.push(None)
        asyncio.ensure_future(send())

    def close(self) -> None:
        asyncio.ensure_future(self.websocket.close())

