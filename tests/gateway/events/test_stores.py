"""The event ledger and the workflow facts store, in process and on a real Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest

from adapters.models import ReportEvent, StepInstance, WorkflowFacts
from gateway.cache.redis_backend import RedisCacheBackend
from gateway.events.dedupe import Claim, EventLedger, InMemoryLedger, RedisLedger
from gateway.events.facts import FactsStore, InMemoryFactsStore, RedisFactsStore, order_key
from gateway.settings.cache import CacheSettings
from tests.support.sandbox import RedisServer

T0 = datetime(2025, 3, 7, 22, 25, 49, 866_000, tzinfo=UTC)


@asynccontextmanager
async def shared_backend(redis_url: str) -> AsyncIterator[RedisCacheBackend]:
    """A Redis backend under a prefix of its own, whose keys are deleted afterwards."""
    prefix = f"concur-gateway-test:{uuid.uuid4().hex}:"
    shared = RedisCacheBackend(url=redis_url, settings=CacheSettings(prefix=prefix))
    await shared.start()
    try:
        yield shared
    finally:
        assert shared.redis is not None
        keys = [key async for key in shared.redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await shared.redis.delete(*keys)
        await shared.close()


@pytest.fixture(params=["memory", "redis"])
async def ledger(request: pytest.FixtureRequest) -> AsyncIterator[EventLedger]:
    if request.param == "memory":
        yield InMemoryLedger(ttl_s=3600, max_ids=100, clock=asyncio.get_running_loop().time)
        return
    async with shared_backend(request.getfixturevalue("redis_url")) as shared:
        assert shared.redis is not None
        yield RedisLedger(shared, shared.redis, ttl_s=3600)


@pytest.fixture(params=["memory", "redis"])
async def facts(request: pytest.FixtureRequest) -> AsyncIterator[FactsStore]:
    if request.param == "memory":
        yield InMemoryFactsStore(max_reports=100)
        return
    async with shared_backend(request.getfixturevalue("redis_url")) as shared:
        assert shared.redis is not None
        yield RedisFactsStore(shared, shared.redis, ttl_s=3600)


async def test_an_event_is_claimed_once_and_done_once_applied(ledger: EventLedger) -> None:
    assert await ledger.claim("e1") is Claim.NEW
    assert await ledger.claim("e1") is Claim.PENDING  # a concurrent delivery: retry later
    await ledger.release("e1")  # applying failed: the next delivery applies it
    assert await ledger.claim("e1") is Claim.NEW
    await ledger.complete("e1")
    assert await ledger.claim("e1") is Claim.DONE
    assert await ledger.claim("e2") is Claim.NEW


async def test_the_in_process_ledger_is_bounded() -> None:
    ledger = InMemoryLedger(ttl_s=3600, max_ids=2, clock=asyncio.get_running_loop().time)
    for event_id in ("a", "b", "c"):
        assert await ledger.claim(event_id) is Claim.NEW
        await ledger.complete(event_id)
    assert await ledger.claim("a") is Claim.NEW  # the oldest id was forgotten
    assert await ledger.claim("c") is Claim.DONE


def _facts(step: str, modified: datetime) -> WorkflowFacts:
    return WorkflowFacts(
        report_id="R1",
        step_code=step,
        role_code=step,
        process_id="P1",
        current_approval_status="A_PEND",
        step_instances=[StepInstance(id="I1", assigned_user_id="u1")],
        last_modified=modified,
    )


def _event(facts: WorkflowFacts, sent: datetime) -> ReportEvent:
    return ReportEvent(
        id=f"e-{facts.step_code}",
        event_type="statusChanged",
        report_id=facts.report_id,
        occurred_at=sent,
        facts=facts,
    )


async def test_older_facts_never_replace_newer_ones(facts: FactsStore) -> None:
    assert await facts.facts("R1") is None
    newer = _facts("ACCTCLERK", T0 + timedelta(seconds=5))
    older = _facts("MANAGER", T0)
    assert await facts.record(newer, order_key(_event(newer, T0 + timedelta(seconds=5))))
    assert not await facts.record(older, order_key(_event(older, T0 + timedelta(seconds=9))))
    assert await facts.facts("R1") == newer
    # the same lastModifiedDate: the envelope's timeStamp decides
    tie = _facts("CO_STEP", T0 + timedelta(seconds=5))
    assert await facts.record(tie, order_key(_event(tie, T0 + timedelta(seconds=6))))
    assert await facts.facts("R1") == tie


async def test_redis_facts_read_as_none_while_redis_is_down(
    redis_server: RedisServer, redis_prefix: str
) -> None:
    shared = RedisCacheBackend(url=redis_server.url, settings=CacheSettings(prefix=redis_prefix))
    await shared.start()
    try:
        assert shared.redis is not None
        store = RedisFactsStore(shared, shared.redis, ttl_s=60)
        recorded = _facts("MANAGER", T0)
        assert await store.record(recorded, order_key(_event(recorded, T0)))
        await redis_server.stop()
        assert await store.facts("R1") is None  # a workflow read never fails for facts
        await redis_server.start()
    finally:
        await shared.close()
