"""The app factory: importing and building do nothing; ``cleanup_ctx`` owns every resource,
including the embedded sandbox when no upstream is configured."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from adapters.config import UpstreamSettings
from gateway.app import create_app
from gateway.cache.backend import BACKEND
from gateway.cache.read_cache import READ_CACHE
from gateway.cli import demo_tokens
from gateway.embedded import SANDBOX, embedded_sandbox
from gateway.events.keys import ESS_RECEIVER
from gateway.events.services import event_services
from gateway.resources import (
    OPERATIONS,
    cache_backend,
    concur_client,
    operations,
    read_cache,
)
from gateway.settings import SETTINGS, Settings
from gateway.upstream import CLIENT, UPSTREAM


def test_building_the_app_starts_nothing() -> None:
    settings = Settings(upstream=UpstreamSettings(base_url="http://127.0.0.1:9"))
    app = create_app(settings)
    assert app[SETTINGS] is settings
    for key in (UPSTREAM, CLIENT, BACKEND, READ_CACHE, ESS_RECEIVER, OPERATIONS, SANDBOX):
        assert key not in app
    assert {embedded_sandbox, concur_client, operations} <= set(app.cleanup_ctx)


def test_resources_start_in_dependency_order() -> None:
    """The upstream (and its namespace) before the backend; the read cache after the
    backend and before both of its users, the ESS receiver and the operations."""
    app = create_app(Settings(upstream=UpstreamSettings(base_url="http://127.0.0.1:9")))
    order = list(app.cleanup_ctx)
    position = {ctx: order.index(ctx) for ctx in order}
    assert position[embedded_sandbox] < position[cache_backend] < position[read_cache]
    assert position[embedded_sandbox] < position[concur_client]
    assert position[read_cache] < position[event_services] < position[operations]


async def test_the_embedded_sandbox_serves_and_is_torn_down() -> None:
    settings = Settings(upstream=UpstreamSettings(base_url=""))
    app = create_app(settings)
    async with (
        TestServer(app) as server,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
    ):
        running = app[SANDBOX]
        assert app[UPSTREAM].settings.base_url == running.base_url
        assert app[UPSTREAM].namespace == f"sandbox-{running.instance}"
        assert app[BACKEND].prefix == f"{settings.cache.prefix}sandbox-{running.instance}:"
        assert app[OPERATIONS].cache is app[READ_CACHE]
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
