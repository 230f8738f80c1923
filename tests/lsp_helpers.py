"""Shared pieces of the end-to-end server tests: the server command and a client that waits for
diagnostics of one document version."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = Path(__file__).parent.parent
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "paramlens", "serve"])
CAPABILITIES = types.ClientCapabilities(
    general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
    text_document=types.TextDocumentClientCapabilities(
        hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown])),
)


PUBLISHED: dict[str, types.PublishDiagnosticsParams] = {}


async def start(client: LanguageClient, options: dict | None = None,
                workspace: Path | None = None,
                capabilities: types.ClientCapabilities = CAPABILITIES) -> None:
    # pytest-lsp keeps only the latest diagnostics per URI; the tests also need their version.
    features = client.protocol.fm.features
    keep = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def published(params: types.PublishDiagnosticsParams) -> None:
        PUBLISHED[params.uri] = params
        keep(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = published

    folders = [types.WorkspaceFolder(uri=workspace.resolve().as_uri(), name=workspace.name)] \
        if workspace is not None else None
    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities, initialization_options=options or {"debounceMs": 20},
        workspace_folders=folders))


def open_text(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version,
                                             text=text)))


def open_file(client: LanguageClient, path: Path) -> tuple[str, str]:
    """Open a file on disk as an editor does: (its URI, its text)."""
    text = path.read_text()
    uri = uri_of(path)
    open_text(client, uri, text)
    return uri, text


def replace(client: LanguageClient, uri: str, version: int, line: int, character: int,
            end_line: int, end_character: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=line, character=character),
                              end=types.Position(line=end_line, character=end_character)),
            text=text)]))


async def hover_text(client: LanguageClient, uri: str, line: int, character: int) -> str | None:
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character)))
    if result is None:
        return None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def diagnostics_for(client: LanguageClient, uri: str, version: int,
                          timeout: float = 10.0) -> list[types.Diagnostic]:
    """The diagnostics the server published for this version of the document."""
    async def wait() -> list[types.Diagnostic]:
        while True:
            params = PUBLISHED.get(uri)
            if params is not None and params.version == version:
                return list(params.diagnostics)
            await asyncio.sleep(0.01)
    return await asyncio.wait_for(wait(), timeout)


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def plain(value: object) -> object:
    """A custom request's answer as dicts and lists again: pygls hands it back as namedtuples."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def logging_client_fixture(name: str, prelude: str = "", level: str = "DEBUG"
                           ) -> tuple[Any, Path]:
    """(a `logging_client` fixture, its log): a started server whose log (a file of this test
    module's own; at DEBUG it says, among other things, when a document goes to sleep). Bind
    the fixture to a name in the test module. `prelude`: Python the server's process runs
    first (to make `import libcst` fail, or to plant a bug)."""
    log = Path(tempfile.gettempdir()) / f"paramlens-{name}-{os.getpid()}.log"
    config = ClientServerConfig(server_command=[
        sys.executable, "-c", f"import sys\n{prelude}\nfrom paramlens.cli import main\n"
        "sys.exit(main(sys.argv[1:]))", "serve", "--log-level", level, "--log-file", str(log)])

    @pytest_lsp.fixture(config=config)
    async def logging_client(lsp_client: LanguageClient) -> AsyncIterator[None]:
        await start(lsp_client)
        yield
        await lsp_client.shutdown_session()
        log.unlink(missing_ok=True)

    return logging_client, log


async def until_asleep(log: Path, uri: str, timeout: float) -> None:
    """Waits for the server's log to say that `uri` went to sleep."""
    deadline = time.monotonic() + timeout
    while f"{uri} sleeps" not in log.read_text():
        assert time.monotonic() < deadline, "the document never went to sleep"
        await asyncio.sleep(0.1)
