"""The JSON-RPC side of the server where pygls departs from the specification."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol

log = logging.getLogger("paramlens")


class ParamlensProtocol(LanguageServerProtocol):
    """pygls answers requests that come before `initialize` with null and drops those after
    `shutdown` without a word; the specification asks for errors (ServerNotInitialized,
    InvalidRequest). A didChange for a document never opened is logged, not shown as an error."""

    initialize_seen = False

    def handle_message(self, message):  # type: ignore[no-untyped-def]
        method = getattr(message, "method", None)
        is_request = method is not None and hasattr(message, "id")
        if method == types.INITIALIZE:
            self.initialize_seen = True
        elif not self.initialize_seen and method not in (None, types.EXIT):
            if is_request:
                self.send_error(message.id, types.ErrorCodes.ServerNotInitialized,
                                f"{method} before initialize")
            else:
                log.info("dropped %s: it came before initialize", method)
            return None
        if self._shutdown and is_request and method != types.EXIT:
            self.send_error(message.id, types.ErrorCodes.InvalidRequest, f"{method} after shutdown")
            return None
        # (pygls keeps a document under its URI unquoted: `%20` and a space are one URI)
        if method == types.TEXT_DOCUMENT_DID_CHANGE and \
                unquote(message.params.text_document.uri) not in self.workspace.text_documents:
            log.warning("didChange for %s, which is not open: ignored",
                        message.params.text_document.uri)
            return None
        if method == types.NOTEBOOK_DOCUMENT_DID_CHANGE and self.workspace.get_notebook_document(
                notebook_uri=message.params.notebook_document.uri) is None:
            log.warning("didChange for notebook %s, which is not open: ignored",
                        message.params.notebook_document.uri)
            return None
        return super().handle_message(message)

    def send_error(self, message_id: Any, code: int, text: str) -> None:
        self._send_response(message_id, None, types.ResponseError(code=code, message=text))
