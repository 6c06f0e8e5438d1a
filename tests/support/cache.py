"""Gateways with a cache, in process or on a real Redis, and what tests read of them
(the backend, the operations, upstream call counts); fixtures in
``tests/gateway/cache/conftest.py``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import SecretStr

from gateway.cache.backend import BACKEND, CacheBackend
from gateway.settings import Settings
from gateway.settings.cache import CacheSettings
from resolvers.operations.services import Operations
from tests.support.gateway import GatewayHarness, gateway_settings
from tests.support.sandbox import SandboxHarness

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


GatewayFactory = Callable[..., Awaitable[GatewayHarness]]


__all__ = [
    "REPORT_QUERY",
    "GatewayFactory",
    "backend_of",
    "cached_settings",
    "operations_of",
    "upstream_total",
]
