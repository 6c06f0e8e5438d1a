"""Gateways with a cache: in process or on a real Redis, parametrized where both must hold."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from pydantic import SecretStr

from gateway.cache.backend import BACKEND, CacheBackend
from gateway.settings import Settings
from gateway.settings.cache import CacheSettings
from resolvers.operations.services import Operations
from tests.conftest import SandboxHarness
from tests.gateway.harness import GatewayHarness, gateway_settings, running_gateway

REPORT_QUERY = """
query($id: ID!, $context: ReportContext! = TRAVELER) {
  report(id: $id, context: $context) {
    id name approvalStatus { code }
    total { value currencyCode }
    entries { id vendor transactionAmount { value currencyCode } }
  }
}
"""


def cached_settings(
    sandbox: SandboxHarness,
    *,
    redis_url: str | None = None,
    prefix: str | None = None,
    **cache: Any,
) -> Settings:
    """Gateway settings with the read cache on (Redis when ``redis_url``).

    The response cache is off unless asked for, so these tests see the read cache itself.
    """
    cache.setdefault("response_ttl_s", 0)
    if prefix is not None:
        cache["prefix"] = prefix
    extra: dict[str, Any] = {"cache": CacheSettings(**cache)}
    if redis_url is not None:
        extra["redis_url"] = SecretStr(redis_url)
    return gateway_settings(sandbox.base_url, **extra)


def backend_of(gw: GatewayHarness) -> CacheBackend:
    return gw.server.app[BACKEND]


def operations_of(gw: GatewayHarness) -> Operations:
    from gateway.resources import OPERATIONS

    return gw.server.app[OPERATIONS]


def upstream_total(calls: dict[str, int]) -> int:
    """Concur calls among the sandbox's counts (token and admin routes excluded)."""
    return sum(
        n for route, n in calls.items() if "/oauth2/" not in route and "_sandbox" not in route
    )


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


GatewayFactory = Callable[..., Awaitable[GatewayHarness]]


@pytest.fixture
async def make_gateway(sandbox: SandboxHarness) -> AsyncIterator[GatewayFactory]:
    """``await make_gateway(settings)``: more gateways in front of the same sandbox, each
    stopped at the end of the test (replicas sharing one Redis, say)."""
    from contextlib import AsyncExitStack

    async with AsyncExitStack() as stack:

        async def make(settings: Settings) -> GatewayHarness:
            return await stack.enter_async_context(running_gateway(sandbox, settings))

        yield make
