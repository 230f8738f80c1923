"""Handlers for the session's lifecycle and the client's configuration."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from paramlens.lsp.server import ParamlensServer

log = logging.getLogger("paramlens")
PARENT_CHECK = 5.0  # seconds between looks at whether the client's process still lives

def initialize(ls: ParamlensServer, params: types.InitializeParams) -> None:
    ls.apply_options(params.initialization_options)
    if params.process_id is not None:
        asyncio.ensure_future(watch_parent(ls, params.process_id))


async def watch_parent(ls: ParamlensServer, pid: int) -> None:
    """The client's process died without closing our input (it was killed): leave too, rather
    than analyse for nobody (LSP's `processId`)."""
    from paramlens.lsp.transport import leave

    while True:
        await asyncio.sleep(PARENT_CHECK)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            log.info("the client's process %d is gone; exiting", pid)
            ls.stop_work()
            leave(1)
        except PermissionError:
            pass  # alive, under another user


def initialized(ls: ParamlensServer, params: types.InitializedParams) -> None:
    """Ask the client to report every Python file created, changed or deleted on disk, where
    it can watch them for us (VS Code does): a `git checkout`, a file made or removed outside
    the editor, changes what the open documents import."""
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace is not None else None
    if watched is None or not watched.dynamic_registration:
        return
    ls.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
        id="paramlens-python-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[
            types.FileSystemWatcher(glob_pattern="**/*.py")]))]))


def shutdown(ls: ParamlensServer, params: None) -> None:
    ls.is_shut_down = True
    for timer in ls.timers.values():
        timer.cancel()
    ls.timers.clear()
    ls.stop_work()


def did_change_configuration(ls: ParamlensServer, params: types.DidChangeConfigurationParams
                             ) -> None:
    ls.apply_options(params.settings)
    for uri in ls.open:
        ls.schedule(uri, 0)
    ls.refresh_views()



def register(server: ParamlensServer) -> None:
    """Hands pygls this module's handlers."""
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
