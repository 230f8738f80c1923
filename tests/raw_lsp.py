"""A bare LSP peer over the server's stdio, for what a well-behaved client library cannot send:
invalid UTF-8 bytes, lone surrogates, requests after `shutdown`."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


class LspCalls:
    """The messages every bare peer sends alike; a peer supplies `send_bytes` (one body, framed
    by it) and `response`."""

    next_id: int

    def send_bytes(self, body: bytes) -> None:
        raise NotImplementedError

    def response(self, request_id: int | None) -> dict[str, Any]:
        raise NotImplementedError

    def send(self, method: str, params: Any, request: bool = True) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        self.send_bytes(json.dumps(message).encode())
        return self.next_id if request else None

    def initialize(self, root_uri: str | None = None, options: Any = None) -> None:
        self.response(self.send("initialize", {"processId": None, "rootUri": root_uri,
                                               "capabilities": {},
                                               "initializationOptions": options}))
        self.send("initialized", {}, request=False)

    def open(self, uri: str, text: str) -> None:
        self.send("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}}, request=False)


class RawServer(LspCalls):
    def __init__(self, command: list[str] | None = None) -> None:
        self.process = subprocess.Popen(command or [sys.executable, "-m", "paramlens", "serve"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.next_id = 0

    def send_bytes(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()


    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = 0
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EOFError("the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def response(self, request_id: int | None) -> dict[str, Any]:
        while True:
            message = self.read()
            if "method" in message and "id" in message:  # the server asks us something
                self.send_bytes(json.dumps({"jsonrpc": "2.0", "id": message["id"],
                                            "result": None}).encode())
            elif message.get("id") == request_id and "method" not in message:
                return message

    def hover(self, uri: str, line: int, character: int) -> dict[str, Any]:
        return self.response(self.send("textDocument/hover", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": character}}))

    def insert(self, uri: str, version: int, line: int, character: int, text: str,
               removing: int = 0) -> None:
        self.send("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {
                "start": {"line": line, "character": character},
                "end": {"line": line, "character": character + removing}}, "text": text}]},
            request=False)

    def stop(self) -> None:
        try:
            self.response(self.send("shutdown", None))
            self.send("exit", None, request=False)
            self.process.wait(timeout=10)
        finally:
            self.close()

    def close(self) -> int:
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait(timeout=10)
