"""The language-server client every end-to-end test starts from: the real server over stdio."""

from __future__ import annotations

import pytest_lsp
from pytest_lsp import LanguageClient

from lsp_helpers import SERVER, start


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):
    await start(lsp_client)
    yield
    await lsp_client.shutdown_session()

