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


# What issue 9 ("Counts in context") does not do yet, each one a test that states the behaviour
# wanted. strict: a test that starts passing fails here, so this list only shrinks.
KNOWN_GAPS: dict[str, str] = {}


def pytest_collection_modifyitems(items: list) -> None:
    import pytest

    for item in items:
        key = item.nodeid.split("/")[-1]
        if key in KNOWN_GAPS:
            item.add_marker(pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[key]))
