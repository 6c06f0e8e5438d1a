"""Concur's OAuth origin played by a scriptable peer, for answers the sandbox never gives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp.test_utils import TestServer

from tests.adapters.peer import Peer

JWKS_PATH = "/oauth2/v0/jwks"


@asynccontextmanager
async def running_peer() -> AsyncIterator[Peer]:
    """A ``Peer`` on 127.0.0.1:<ephemeral>; point ``upstream.oauth_base_url`` at it."""
    scripted = Peer()
    server = TestServer(scripted.app, host="127.0.0.1")
    await server.start_server()
    scripted.base_url = str(server.make_url("")).rstrip("/")
    try:
        yield scripted
    finally:
        await server.close()
