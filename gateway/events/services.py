"""The event services of an app, owned by one ``cleanup_ctx``: keys, ledger, facts, broker.

It runs after the cache backend (Redis, when configured, is shared through it; without a
backend everything stays in process) and the read cache (which the receiver invalidates),
and before the operations (which take the facts store and the broker). With the embedded sandbox and
no keys configured, the sandbox's published key is trusted; with a real upstream, keys must
be configured (nothing is trusted on first use) and without any every delivery is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Final

import aiohttp
from aiohttp import web

from gateway.cache.backend import BACKEND
from gateway.cache.read_cache import READ_CACHE
from gateway.embedded import SANDBOX
from gateway.events.broker import EventBroker
from gateway.events.dedupe import EventLedger, InMemoryLedger, RedisLedger
from gateway.events.facts import FactsStore, InMemoryFactsStore, RedisFactsStore
from gateway.events.keyring import EssKeyring
from gateway.events.keys import ESS_KEYS, ESS_RECEIVER, ESS_STATS, EVENT_BROKER, FACTS_STORE
from gateway.events.receiver import EssReceiver
from gateway.events.stats import EssStats
from gateway.settings import SETTINGS

logger = logging.getLogger(__name__)

SANDBOX_KEY_PATH: Final = "/_sandbox/ess/public-key.pem"
LISTENER_READY_S: Final = 2.0
"""How long start-up waits for the Redis event listener (it keeps trying afterwards)."""


def key_sources(app: web.Application) -> list[str]:
    """The configured key sources; the embedded sandbox's key when none are configured."""
    configured = app[SETTINGS].ess.public_keys
    if configured:
        return list(configured)
    if SANDBOX in app:
        return [app[SANDBOX].base_url + SANDBOX_KEY_PATH]
    return []


async def _refresh_periodically(keyring: EssKeyring, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)  # a timer, not a synchronisation
        await keyring.refresh()


async def _keyring(app: web.Application, session: aiohttp.ClientSession) -> EssKeyring:
    """The signing keys, fetched once before the first delivery can arrive."""
    ess = app[SETTINGS].ess
    keyring = EssKeyring(
        key_sources(app),
        session=session,
        clock=asyncio.get_running_loop().time,
        refetch_min_s=ess.key_refetch_min_s,
        fetch_timeout_s=ess.key_fetch_timeout_s,
    )
    if keyring.sources:
        await keyring.refresh()
    else:
        logger.warning(
            "no ESS signing keys configured (ess.public_keys): every delivery is refused"
        )
    return keyring


def _stores(app: web.Application) -> tuple[EventLedger, FactsStore]:
    """The dedupe ledger and the facts store: in Redis when the backend has it, so replicas
    share them; in process otherwise."""
    ess = app[SETTINGS].ess
    backend = app.get(BACKEND)
    if backend is not None and backend.redis is not None:
        return (
            RedisLedger(backend, backend.redis, ttl_s=ess.dedupe_ttl_s),
            RedisFactsStore(backend, backend.redis, ttl_s=ess.facts_ttl_s),
        )
    ledger = InMemoryLedger(
        ttl_s=ess.dedupe_ttl_s,
        max_ids=ess.dedupe_max_ids,
        clock=asyncio.get_running_loop().time,
    )
    return ledger, InMemoryFactsStore(max_reports=ess.facts_max_reports)


async def _broker(app: web.Application, stats: EssStats) -> EventBroker:
    """The started broker; a shared one is given a moment to be listening."""
    settings = app[SETTINGS]
    backend = app.get(BACKEND)
    prefix = backend.prefix if backend is not None else settings.cache.prefix
    broker = EventBroker(
        settings=settings.subscriptions,
        stats=stats,
        redis=backend.redis if backend is not None else None,
        channel=f"{prefix}events",
    )
    await broker.start()
    if broker.shared:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(broker.listening.wait(), LISTENER_READY_S)
    return broker


async def _stop(refresher: asyncio.Task[None], broker: EventBroker) -> None:
    refresher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await refresher
    await broker.close()


async def event_services(app: web.Application) -> AsyncIterator[None]:
    ess = app[SETTINGS].ess
    stats = EssStats()
    timeout = aiohttp.ClientTimeout(total=ess.key_fetch_timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        keyring = await _keyring(app, session)
        ledger, facts = _stores(app)
        broker = await _broker(app, stats)
        app[ESS_STATS] = stats
        app[ESS_KEYS] = keyring
        app[FACTS_STORE] = facts
        app[EVENT_BROKER] = broker
        app[ESS_RECEIVER] = EssReceiver(
            settings=ess,
            keyring=keyring,
            ledger=ledger,
            facts=facts,
            broker=broker,
            stats=stats,
            cache=app[READ_CACHE],
        )
        refresher = asyncio.create_task(
            _refresh_periodically(keyring, ess.key_refresh_s), name="ess-key-refresh"
        )
        try:
            yield
        finally:
            await _stop(refresher, broker)


__all__ = ["SANDBOX_KEY_PATH", "event_services", "key_sources"]
