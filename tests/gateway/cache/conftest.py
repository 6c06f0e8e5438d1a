"""Gateways with a cache: in process or on a real Redis, parametrized where both must hold."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.cache import cached_settings
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
