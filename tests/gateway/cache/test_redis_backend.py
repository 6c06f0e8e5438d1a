"""The Redis backend against real redis-servers: what it stores, and surviving an outage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
import redis.asyncio as aioredis

from gateway.cache.redis_backend import RedisCacheBackend
from sandbox import seed
from tests.support.cache import (
    REPORT_QUERY,
    GatewayFactory,
    backend_of,
    cached_settings,
    operations_of,
    upstream_total,
)
from tests.support.gateway import TRAVELER, GatewayHarness, errors_of, pick_report
from tests.support.sandbox import RedisServer, SandboxHarness

PREFIX = "cg-test:"


@pytest.fixture
async def raw(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


async def report_read(gw: GatewayHarness, token: str, report_id: str) -> tuple[int, Any]:
    return await gw.gql(REPORT_QUERY, {"id": report_id}, token)


async def test_values_are_json_under_the_prefix(
    redis_server: RedisServer,
    raw: aioredis.Redis,
    sandbox: SandboxHarness,
    make_gateway: GatewayFactory,
) -> None:
    gw = await make_gateway(cached_settings(sandbox, redis_url=redis_server.url, prefix=PREFIX))
    assert isinstance(backend_of(gw), RedisCacheBackend)
    head = backend_of(gw).prefix  # the prefix, then the upstream's namespace
    assert head.startswith(f"{PREFIX}concur-")
    token = await gw.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    await report_read(gw, token, report_id)
    await report_read(gw, token, "NOSUCHREPORT0000")
    await operations_of(gw).cache.invalidate_report(report_id)

    keys = [key.decode() async for key in raw.scan_iter(count=1000)]
    assert keys, "nothing was stored"
    assert all(key.startswith(PREFIX) for key in keys), keys  # this server holds only ours
    reads = [key for key in keys if key.startswith(f"{head}read:")]
    # header + details, and the missing report's header (its details are Concur's 403 to a
    # traveler whose lists do not name it: a refusal, which is not cached)
    assert len(reads) == 3
    for key in reads:
        stored = await raw.get(key)
        assert stored is not None
        assert not stored.startswith(b"\x80")  # no pickle protocol header, ever
        payload = orjson.loads(stored)  # JSON, or this raises
        assert set(payload) <= {"value", "notFound"}
        assert 0 < await raw.pttl(key) <= 300_000  # every entry expires
        if "notFound" in payload:
            assert await raw.pttl(key) <= 10_000  # 404s briefly
        assert seed.TRAVELER_ID in key  # the principal is part of every key
    assert any('"details"' in key and report_id in key for key in reads)
    assert await raw.exists(f"{head}generation:{report_id.casefold()}")


async def test_redis_down_serves_uncached_then_recovers(
    redis_server: RedisServer, sandbox: SandboxHarness, make_gateway: GatewayFactory
) -> None:
    gw = await make_gateway(
        cached_settings(
            sandbox,
            redis_url=redis_server.url,
            prefix=PREFIX,
            redis_timeout_s=0.2,
            redis_retry_s=0.02,
            redis_retry_max_s=0.1,
        )
    )
    backend = backend_of(gw)
    assert isinstance(backend, RedisCacheBackend)
    token = await gw.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    status, cached = await report_read(gw, token, report_id)
    assert status == 200
    assert "errors" not in cached
    assert not backend.degraded

    await redis_server.stop()
    await sandbox.reset_stats()
    for _ in range(3):  # every answer comes from Concur, none fails
        status, body = await report_read(gw, token, report_id)
        assert status == 200, body
        assert body["data"] == cached["data"]
        assert "errors" not in body
    assert backend.degraded
    assert backend.stats.errors >= 1
    assert upstream_total(await gw.upstream_calls()) == 6
    assert await backend.ping() is False

    await redis_server.start()
    await asyncio.wait_for(backend.recovered(), 10)
    assert await backend.ping() is True

    async def served_from_cache() -> bool:
        await report_read(gw, token, report_id)  # stored again (the restarted Redis is empty)
        await sandbox.reset_stats()
        status, body = await report_read(gw, token, report_id)
        assert status == 200, body
        assert body["data"] == cached["data"]
        return upstream_total(await gw.upstream_calls()) == 0

    # A restarted Redis may still be slow to its first commands (this test's timeout is
    # 0.2 s): caching must resume, though not necessarily on the very first read.
    for _ in range(20):
        if await served_from_cache():
            break
        await asyncio.wait_for(backend.recovered(), 10)
    else:
        pytest.fail("caching did not resume after Redis came back")
    assert not backend.degraded


async def test_invalidations_lost_in_an_outage_orphan_older_entries(
    redis_server: RedisServer,
    raw: aioredis.Redis,
    sandbox: SandboxHarness,
    make_gateway: GatewayFactory,
) -> None:
    """Redis stops answering but keeps its data (paused): the invalidation cannot reach it.
    Once it answers again, nothing cached before the outage may be served."""
    gw = await make_gateway(
        cached_settings(
            sandbox,
            redis_url=redis_server.url,
            prefix=PREFIX,
            redis_timeout_s=0.1,
            redis_retry_s=0.02,
            redis_retry_max_s=0.1,
        )
    )
    backend = backend_of(gw)
    assert isinstance(backend, RedisCacheBackend)
    token = await gw.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    await report_read(gw, token, report_id)

    await raw.execute_command("CLIENT", "PAUSE", "600", "ALL")
    await operations_of(gw).cache.invalidate_report(report_id)  # times out: lost
    assert backend.degraded
    await asyncio.wait_for(backend.recovered(), 10)
    assert not backend.degraded
    assert int(await raw.get(f"{backend.prefix}epoch") or 0) >= 1  # bumped on recovery

    await sandbox.reset_stats()
    status, body = await report_read(gw, token, report_id)
    assert status == 200
    assert errors_of(body) == []
    assert upstream_total(await gw.upstream_calls()) == 2  # read afresh
