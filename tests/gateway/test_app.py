"""The app factory: importing and building do nothing; ``cleanup_ctx`` owns every resource,
including the embedded sandbox when no upstream is configured."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from adapters.config import UpstreamSettings
from gateway.app import create_app
from gateway.cli import demo_tokens
from gateway.embedded import SANDBOX, SETTINGS, UPSTREAM, embedded_sandbox
from gateway.resources import CLIENT, OPERATIONS, concur_client, operations
from gateway.settings import Settings


def test_building_the_app_starts_nothing() -> None:
    settings = Settings(upstream=UpstreamSettings(base_url="http://127.0.0.1:9"))
    app = create_app(settings)
    assert app[SETTINGS] is settings
    for key in (UPSTREAM, CLIENT, OPERATIONS, SANDBOX):
        assert key not in app
    assert {embedded_sandbox, concur_client, operations} <= set(app.cleanup_ctx)


async def test_the_embedded_sandbox_serves_and_is_torn_down() -> None:
    settings = Settings(upstream=UpstreamSettings(base_url=""))
    app = create_app(settings)
    async with (
        TestServer(app) as server,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
    ):
        running = app[SANDBOX]
        assert app[UPSTREAM].base_url == running.base_url
        tokens = await demo_tokens(running.base_url, running.admin_token or "")
        async with session.post(
            server.make_url("/graphql"),
            json={"query": "{ me { kind } reports(view: UNSUBMITTED) { id } }"},
            headers={"Authorization": f"Bearer {tokens['traveler@example.com']}"},
        ) as response:
            body = await response.json()
        assert response.status == 200, body
        assert body["data"]["me"] == {"kind": "USER"}
        assert body["data"]["reports"]
        sandbox_url = running.base_url
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(f"{sandbox_url}/oauth2/v0/jwks")
