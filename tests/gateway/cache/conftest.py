"""Gateways with a cache: in process or on a real Redis, parametrized where both must hold."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gateway.settings import Settings
from tests.support.cache import (
    GatewayFactory,
    cached_settings,
)
from tests.support.gateway import GatewayHarness, running_gateway
from tests.support.sandbox import SandboxHarness


@pytest.fixture(params=["memory", "redis"])
async def cached_gateway(
    request: pytest.FixtureRequest, sandbox: SandboxHarness
) -> AsyncIterator[GatewayHarness]:
    """The gateway with its read cache in process, then on Redis (one prefix per test)."""
    if request.param == "memory":
        settings = cached_settings(sandbox)
    else:
        redis_url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")
        settings = cached_settings(sandbox, redis_url=redis_url, prefix=prefix)
    async with running_gateway(sandbox, settings) as running:
        yield running


@pytest.fixture
async def make_gateway(sandbox: SandboxHarness) -> AsyncIterator[GatewayFactory]:
    """``await make_gateway(settings)``: more gateways in front of the same sandbox, each
    stopped at the end of the test (replicas sharing one Redis, say)."""
    from contextlib import AsyncExitStack

    async with AsyncExitStack() as stack:

        async def make(settings: Settings) -> GatewayHarness:
            return await stack.enter_async_context(running_gateway(sandbox, settings))

        yield make
