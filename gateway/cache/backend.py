"""Where cached values live: in this process (bounded) or in Redis (shared by replicas).

Two aiocache stores behind one interface. In process, values are the canonical models
themselves (frozen, so sharing them between requests is safe) in a bounded LRU. In Redis,
values are JSON (``serializer``), so a shared Redis never becomes code execution (the Redis
backend and the choice between the two live in ``redis_backend``), and keys carry a
``prefix``: the configured one, then the namespace of the upstream the values came from
(``gateway.upstream``), so a restarted sandbox or another Concur never reads them.

Invalidation is by generation: every read key embeds the report's current generation, and
``bump`` moves it on, orphaning every principal's entries for that report at once, with no
key scan. In Redis a bump takes a value from one global counter (``INCR``), so a generation
never returns to a value an older entry was stored under, even after its key expires.

A Redis that fails (connection refused, timeout) must not fail requests: the first failure
marks the backend ``degraded`` (logged once), callers get ``CacheUnavailable`` at once and
carry on uncached, and a background task probes Redis with a short back-off until it answers
(logged once more). Invalidations lost meanwhile bump a global epoch on recovery, which every
read key also embeds, so nothing cached before the outage is served after it.
"""

from __future__ import annotations

import logging
import math
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import redis.asyncio as aioredis
from aiocache.base import BaseCache
from aiocache.serializers import NullSerializer
from aiohttp import web
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

T = TypeVar("T")

REDIS_ERRORS: Final = (RedisConnectionError, RedisTimeoutError, TimeoutError)
"""What "Redis is down" looks like; anything else (a bad command) is a bug and propagates."""


class CacheUnavailable(Exception):
    """Redis is failing: reads go on uncached, idempotency falls back to this process."""


@dataclass(slots=True)
class CacheStats:
    """Counters read by metrics: monotonic for the app's lifetime."""

    hits: int = 0
    misses: int = 0
    evictions: int = 0
    errors: int = 0
    response_hits: int = 0
    """Whole answers served by the response cache (no execution, no read-cache lookups)."""


def generation_scope(report_id: str) -> str:
    """Reports share a generation regardless of the id's case: an id a caller typed in
    another case must be invalidated with the canonical one (at worst, over-invalidation)."""
    return report_id.strip().casefold()


class BoundedMemoryCache(BaseCache):  # type: ignore[misc]  # aiocache ships no types
    """aiocache's in-process store, bounded: least recently used entries go first.

    ``SimpleMemoryCache`` grows without limit and arms one timer per key; here TTLs are
    checked when read (an expired entry is never returned) and the LRU bound caps memory.
    """

    NAME = "bounded-memory"

    def __init__(
        self,
        *,
        max_entries: int,
        on_evict: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(serializer=NullSerializer(), timeout=None)
        self._max_entries = max(1, max_entries)
        self._on_evict = on_evict
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _lookup(self, key: str) -> Any:
        item = self._entries.get(key)
        if item is None:
            return None
        expires_at, value = item
        if expires_at <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def _put(self, key: str, value: Any, ttl: float | None) -> None:
        expires_at = self._clock() + ttl if ttl else math.inf
        self._entries[key] = (expires_at, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
            self._on_evict()

    async def _get(self, key: str, encoding: str | None = "utf-8", _conn: Any = None) -> Any:
        return self._lookup(key)

    async def _gets(self, key: str, encoding: str | None = "utf-8", _conn: Any = None) -> Any:
        return self._lookup(key)

    async def _multi_get(
        self, keys: list[str], encoding: str | None = "utf-8", _conn: Any = None
    ) -> list[Any]:
        return [self._lookup(key) for key in keys]

    async def _set(
        self,
        key: str,
        value: Any,
        ttl: float | None = None,
        _cas_token: Any = None,
        _conn: Any = None,
    ) -> bool:
        if _cas_token is not None and _cas_token != self._lookup(key):
            return False
        self._put(key, value, ttl)
        return True

    async def _multi_set(
        self, pairs: list[tuple[str, Any]], ttl: float | None = None, _conn: Any = None
    ) -> bool:
        for key, value in pairs:
            self._put(key, value, ttl)
        return True

    async def _add(self, key: str, value: Any, ttl: float | None = None, _conn: Any = None) -> bool:
        if self._lookup(key) is not None:
            raise ValueError(f"Key {key} already exists, use .set to update the value")
        self._put(key, value, ttl)
        return True

    async def _exists(self, key: str, _conn: Any = None) -> bool:
        return self._lookup(key) is not None

    async def _expire(self, key: str, ttl: float, _conn: Any = None) -> bool:
        value = self._lookup(key)
        if value is None:
            return False
        self._put(key, value, ttl)
        return True

    async def _delete(self, key: str, _conn: Any = None) -> int:
        return 0 if self._entries.pop(key, None) is None else 1

    async def _clear(self, namespace: str | None = None, _conn: Any = None) -> bool:
        if namespace is None:
            self._entries.clear()
        else:
            for key in [k for k in self._entries if k.startswith(namespace)]:
                del self._entries[key]
        return True

    async def _close(self, *args: Any, **kwargs: Any) -> None:
        self._entries.clear()


class LocalGenerations:
    """Per-report generations in process, bounded.

    Every bump takes the next value of one counter. When a report's generation is dropped
    (beyond ``max_reports``), the floor rises to it and unknown reports read the floor: a
    report can then only move to a generation at least as new as its last one, so an entry
    stored before an invalidation is never reachable again (the cost of the bound is that
    raising the floor also orphans the entries of reports never invalidated).
    """

    def __init__(self, max_reports: int) -> None:
        self._max_reports = max(1, max_reports)
        self._generations: OrderedDict[str, int] = OrderedDict()
        self._counter = 0
        self._floor = 0

    def get(self, report_id: str) -> int:
        return self._generations.get(generation_scope(report_id), self._floor)

    def bump(self, report_id: str) -> int:
        scope = generation_scope(report_id)
        self._counter += 1
        self._generations[scope] = self._counter
        self._generations.move_to_end(scope)
        while len(self._generations) > self._max_reports:
            _, dropped = self._generations.popitem(last=False)
            self._floor = max(self._floor, dropped)
        return self._counter


class CacheBackend(ABC):
    """The app's one cache backend (``BACKEND``): values, generations and health.

    ``redis`` is the raw client when Redis is configured (for other shared state: ESS
    dedupe, facts, pub/sub); run commands on it through ``call`` so a failing Redis is
    counted and degrades the backend instead of failing the request.
    """

    redis: aioredis.Redis | None = None

    def __init__(self, *, prefix: str, store: BaseCache) -> None:
        self.prefix = prefix
        self.store = store
        self.stats = CacheStats()

    @property
    def shared(self) -> bool:
        """Whether values leave this process (and so must be encoded as JSON)."""
        return self.redis is not None

    @property
    def degraded(self) -> bool:
        """True while Redis is failing (never for the in-process backend)."""
        return False

    async def start(self) -> None:
        """Settle the initial state (Redis: one ping)."""
        return

    async def close(self) -> None:
        await self.store.close()

    async def call(self, op: Callable[[], Awaitable[T]]) -> T:
        """Run one store operation; ``CacheUnavailable`` when Redis is failing."""
        return await op()

    async def get(self, key: str) -> Any:
        """The value under ``key`` (already prefixed), None when absent."""
        return await self.call(lambda: self.store.get(key))

    async def set(self, key: str, value: Any, ttl_s: float | None) -> None:
        """Store ``value`` (JSON-ready data when ``shared``); ``ttl_s`` None or 0: no expiry."""
        ttl = float(ttl_s) if ttl_s else None  # a float: aiocache sends PSETEX, not SETEX
        await self.call(lambda: self.store.set(key, value, ttl=ttl))

    async def delete(self, key: str) -> None:
        await self.call(lambda: self.store.delete(key))

    async def get_entry(self, key: str) -> Any:
        """``get`` for an entry that carries the generations it is valid for (a kept
        answer): a replica may hold it near, since its generations are checked on use."""
        return await self.get(key)

    async def set_entry(self, key: str, value: Any, ttl_s: float | None) -> None:
        """``set`` for such an entry (kept near too, where there is a near cache)."""
        await self.set(key, value, ttl_s)

    @abstractmethod
    async def generation(self, report_id: str) -> str:
        """A token naming the report's current generation, for read keys."""

    async def generations(self, report_ids: list[str]) -> list[str]:
        """The current generation of each report, in order (one round trip where possible)."""
        return [await self.generation(report_id) for report_id in report_ids]

    async def lookup(self, report_id: str, head: str, tail: str) -> tuple[str, Any]:
        """The key ``head + generation + tail`` under the report's current generation, and
        the value stored there (None when absent)."""
        key = head + await self.generation(report_id) + tail
        return key, await self.get(key)

    async def exists_near(self, key: str) -> bool:
        """Whether a plain shared key exists (see ``RedisCacheBackend``); Redis only."""
        raise NotImplementedError("plain shared keys need Redis")

    async def set_announced(self, key: str, value: str | int, ex_s: int) -> None:
        """Write a plain shared key every replica must notice (a revocation); Redis only."""
        raise NotImplementedError("plain shared keys need Redis")

    @abstractmethod
    async def bump(self, report_id: str) -> None:
        """Move the report to a new generation (every principal's entries go stale)."""

    @abstractmethod
    async def ping(self) -> bool:
        """Whether the backend answers now (readiness)."""


class MemoryCacheBackend(CacheBackend):
    """The default: one process, bounded, nothing leaves it."""

    def __init__(
        self, *, prefix: str, max_entries: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(
            prefix=prefix,
            store=BoundedMemoryCache(max_entries=max_entries, on_evict=self._evicted, clock=clock),
        )
        self._generations = LocalGenerations(max_entries)

    def _evicted(self) -> None:
        self.stats.evictions += 1

    async def generation(self, report_id: str) -> str:
        return str(self._generations.get(report_id))

    async def bump(self, report_id: str) -> None:
        self._generations.bump(report_id)

    async def ping(self) -> bool:
        return True


BACKEND = web.AppKey("cache_backend", CacheBackend)


__all__ = [
    "BACKEND",
    "REDIS_ERRORS",
    "BoundedMemoryCache",
    "CacheBackend",
    "CacheStats",
    "CacheUnavailable",
    "LocalGenerations",
    "MemoryCacheBackend",
    "generation_scope",
]
