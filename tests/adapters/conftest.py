"""Fixtures for the adapter tests: the documented samples under ``data/``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from tests.adapters.peer import Peer

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data() -> Callable[[str], bytes]:
    """Read a sample document from ``tests/adapters/data`` as bytes."""

    def load(name: str) -> bytes:
        return (DATA / name).read_bytes()

    return load


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    """A scriptable HTTP peer on 127.0.0.1:<ephemeral> (see ``tests/adapters/peer.py``)."""
    scripted = Peer()
    server = TestServer(scripted.app, host="127.0.0.1")
    await server.start_server()
    scripted.base_url = str(server.make_url("")).rstrip("/")
    try:
        yield scripted
    finally:
        scripted.release.set()
        await server.close()
