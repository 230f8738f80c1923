"""A bare LSP peer over the server's stdio, for what a well-behaved client library cannot send:
invalid UTF-8 bytes, lone surrogates, requests after `shutdown`."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


class RawServer:
    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "paramlens", "serve"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.next_id = 0

    def send_bytes(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def send(self, method: str, params: Any, request: bool = True) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        self.send_bytes(json.dumps(message).encode())
        return self.next_id if request else None

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
            if message.get("id") == request_id and "method" not in message:
                return message

    def initialize(self) -> None:
        self.response(self.send("initialize", {"processId": None, "rootUri": None,
                                               "capabilities": {}}))
        self.send("initialized", {}, request=False)

    def close(self) -> int:
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait(timeout=10)
