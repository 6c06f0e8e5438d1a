"""The near cache of a Redis backend: hits that never reach Redis, and dropped when the
invalidation channel is lost (a private redis-server, stopped and started by the tests)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from gateway.cache.redis_backend import RedisCacheBackend
from sandbox.workflow_terms import Actor
from tests.support.cache import (
    REPORT_QUERY,
    GatewayFactory,
    backend_of,
    cached_settings,
    operations_of,
    upstream_total,
)
from tests.support.gateway import TRAVELER, GatewayHarness, pick_report
from tests.support.sandbox import DEMO, RedisServer, SandboxHarness

WAIT_S = 15.0
QUIET = {"near_heartbeat_s": 300.0, "response_ttl_s": 60.0}
"""No heartbeat during a test (its PING would be a Redis command); answers kept whole."""


@pytest.fixture
async def raw(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


def near_backend(gw: GatewayHarness) -> RedisCacheBackend:
    backend = backend_of(gw)
    assert isinstance(backend, RedisCacheBackend)
    return backend


async def status_of(gw: GatewayHarness, token: str, report_id: str) -> str:
    status, body = await gw.gql(REPORT_QUERY, {"id": report_id}, token)
    assert status == 200, body
    assert "errors" not in body, body
    code: str = body["data"]["report"]["approvalStatus"]["code"]
    return code


async def commands_run(raw: aioredis.Redis) -> dict[str, Any]:
    """Redis's own count of commands since the last reset, but the probes' own."""
    stats: dict[str, Any] = await raw.info("commandstats")
    return {
        name: n
        for name, n in stats.items()
        if not name.startswith(("cmdstat_config", "cmdstat_info"))
    }


async def test_a_warm_hit_makes_no_redis_command(
    redis_server: RedisServer,
    raw: aioredis.Redis,
    sandbox: SandboxHarness,
    make_gateway: GatewayFactory,
) -> None:
    gw = await make_gateway(cached_settings(sandbox, redis_url=redis_server.url, **QUIET))
    assert near_backend(gw).near.trusted
    token = await gw.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    assert await status_of(gw, token, report_id) == "A_PEND"  # executed and kept
    hits = backend_of(gw).stats.response_hits

    await raw.config_resetstat()
    for _ in range(5):
        assert await status_of(gw, token, report_id) == "A_PEND"

    assert await commands_run(raw) == {}
    assert backend_of(gw).stats.response_hits == hits + 5


async def test_with_the_near_cache_off_every_hit_asks_redis(
    redis_server: RedisServer,
    raw: aioredis.Redis,
    sandbox: SandboxHarness,
    make_gateway: GatewayFactory,
) -> None:
    """The control of the test above: the same hits, counted by the same probe."""
    settings = cached_settings(sandbox, redis_url=redis_server.url, near_max_entries=0, **QUIET)
    gw = await make_gateway(settings)
    token = await gw.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    await status_of(gw, token, report_id)

    await raw.config_resetstat()
    await status_of(gw, token, report_id)

    assert await commands_run(raw) != {}


async def test_a_bump_reaches_the_near_cache_of_the_replica_that_made_it(
    redis_server: RedisServer, sandbox: SandboxHarness, make_gateway: GatewayFactory
) -> None:
    gw = await make_gateway(cached_settings(sandbox, redis_url=redis_server.url, **QUIET))
    backend = near_backend(gw)
    token = await gw.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    await status_of(gw, token, report_id)
    before = await backend.generation(report_id)

    await backend.bump(report_id)

    after = backend.near.generation(report_id.casefold())
    assert after is not None
    assert after != before


async def test_a_lost_channel_drops_everything_near_and_nothing_stale_is_served(
    redis_server: RedisServer, sandbox: SandboxHarness, make_gateway: GatewayFactory
) -> None:
    """Redis restarts: whatever was said on the channel meanwhile is lost, so the near cache
    starts over (a new epoch) and the next read is Concur's."""
    gw = await make_gateway(cached_settings(sandbox, redis_url=redis_server.url, **QUIET))
    backend = near_backend(gw)
    channel = backend.near_channel
    assert channel is not None
    token = await gw.token(TRAVELER)
    report = sandbox.store.reports[pick_report(sandbox, "A_PEND")]
    assert await status_of(gw, token, report.report_id) == "A_PEND"
    epoch = backend.near.epoch

    await redis_server.stop()
    await asyncio.wait_for(channel.lost.wait(), WAIT_S)
    assert not backend.near.trusted
    assert backend.near.epoch > epoch
    # Concur changes the report and nobody tells the gateway (no ESS subscription).
    sandbox.engine.approve(report, Actor(DEMO.manager, "user"))
    await redis_server.start()
    await asyncio.wait_for(channel.subscribed.wait(), WAIT_S)
    await backend.recovered()

    await sandbox.reset_stats()
    assert await status_of(gw, token, report.report_id) != "A_PEND"
    assert upstream_total(await gw.upstream_calls()) > 0


async def test_while_redis_fails_nothing_near_is_served(
    redis_server: RedisServer,
    raw: aioredis.Redis,
    sandbox: SandboxHarness,
    make_gateway: GatewayFactory,
) -> None:
    """Redis stalls past the socket timeout while the channel stays up: a bump of this
    replica's is lost, so its near copies must not answer until Redis does again."""
    gw = await make_gateway(cached_settings(sandbox, redis_url=redis_server.url, **QUIET))
    backend = near_backend(gw)
    token = await gw.token(TRAVELER)
    report = sandbox.store.reports[pick_report(sandbox, "A_PEND")]
    assert await status_of(gw, token, report.report_id) == "A_PEND"  # kept near

    await raw.client_pause(1000, all=True)  # every client's commands wait a second
    sandbox.engine.approve(report, Actor(DEMO.manager, "user"))
    await operations_of(gw).cache.invalidate_report(report.report_id)  # lost to the stall
    assert backend.degraded
    assert not backend.near.trusted
    assert await status_of(gw, token, report.report_id) != "A_PEND"  # read from Concur
    await backend.recovered()
    assert backend.near.trusted
    assert await status_of(gw, token, report.report_id) != "A_PEND"
