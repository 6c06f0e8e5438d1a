"""Fixtures and helpers for the ESS receiver, broker and subscription tests.

Everything is real: the sandbox signs and delivers events over HTTP to the gateway's
webhook, gateways run on ``TestServer``s, Redis is a real server, subscriptions go over a
real WebSocket. Tests wait with the sandbox's ``drain``, on queue reads with a bounded
timeout, or on the broker's subscriber count — never on a timer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from sandbox.embedded import running_sandbox
from tests.support.events import (
    FAST_ESS,
    SUBSCRIPTIONS,
    Capture,
    EssControl,
    ess_gateway_settings,
    subscribed_gateway,
)
from tests.support.gateway import GatewayHarness
from tests.support.sandbox import ADMIN_TOKEN, SandboxHarness


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxHarness]:
    """The shared sandbox fixture with ESS retries short enough for tests."""
    async with (
        running_sandbox(FAST_ESS.model_copy()) as running,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        yield SandboxHarness(
            base_url=running.base_url,
            store=running.store,
            engine=running.engine,
            admin_token=ADMIN_TOKEN,
            session=session,
        )


@pytest.fixture
def ess(sandbox: SandboxHarness) -> EssControl:
    return EssControl(sandbox)


@pytest.fixture
async def gateway(sandbox: SandboxHarness, ess: EssControl) -> AsyncIterator[GatewayHarness]:
    """An in-process gateway subscribed to the sandbox's ESS."""
    async with subscribed_gateway(sandbox, ess, ess_gateway_settings(sandbox)) as running:
        yield running


@pytest.fixture
async def capture(sandbox: SandboxHarness) -> AsyncIterator[Capture]:
    """A recording webhook subscribed to the sandbox's ESS as ``capture``."""
    recorder = Capture()
    app = web.Application()
    app.router.add_post("/hook", recorder.handle)
    async with TestServer(app) as server:
        token = await sandbox.app_token()
        reply = await sandbox.call(
            "PUT",
            f"{SUBSCRIPTIONS}/webhook",
            token=token,
            json={
                "id": "capture",
                "filter": ".*",
                "topic": "public.concur.expense.report",
                "webHookConfig": {"endpoint": str(server.make_url("/hook"))},
            },
        )
        assert reply.status == 200, reply.text
        yield recorder
