"""Where cached values live: in this process (bounded) or in Redis (shared by replicas).

Two aiocache stores behind one interface. In process, values are the canonical models
themselves (frozen, so sharing them between requests is safe) in a bounded LRU. In Redis,
values are JSON (``serializer``), so a shared Redis never becomes code execution, and keys
carry a ``prefix``: the configured one, then the namespace of the upstream the values came
from (``gateway.upstream``), so a restarted sandbox or another Concur never reads them.

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

import asyncio
import contextlib
import logging
import math
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import redis.asyncio as aioredis
from aiocache import RedisCache
from aiocache.base import BaseCache
from aiocache.serializers import NullSerializer
from aiohttp import web
from redis.asyncio.connection import parse_url
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gateway.cache.near import DROP_ALL, DROP_KEY, InvalidationChannel, NearCache
from gateway.cache.serializer import JsonSerializer
from gateway.cache.settings import CacheSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")

REDIS_ERRORS: Final = (RedisConnectionError, RedisTimeoutError, TimeoutError)
"""What "Redis is down" looks like; anything else (a bad command) is a bug and propagates."""

NEAR_READY_S: Final = 2.0
"""How long start-up waits for the near cache's channel (it keeps trying afterwards)."""

GENERATION_TTL_FLOOR_S: Final = 86_400
"""How long a report's generation key outlives its last bump (at least): far longer than any
entry stored under an older generation can live, so letting it expire is safe."""

BUMP_SCRIPT: Final = """
local generation = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], generation, 'EX', ARGV[1])
local token = (redis.call('GET', KEYS[3]) or '0') .. '.' .. generation
redis.call('PUBLISH', ARGV[2], token .. ' ' .. ARGV[3])
return token
"""
"""Take the next value of the global sequence as the scope's generation and announce it to
every replica's near cache (``gateway.cache.near``), atomically: no bump goes unannounced."""

LOOKUP_SCRIPT: Final = """
local generation = (redis.call('GET', KEYS[1]) or '0') .. '.' .. (redis.call('GET', KEYS[2]) or '0')
local key = ARGV[1] .. generation .. ARGV[2]
return {key, redis.call('GET', key)}
"""
"""A read in one round trip: the epoch and the report's generation name the entry's key.

The entry's key is built here rather than declared, which a Redis Cluster would refuse;
the backend targets one Redis (or a Sentinel-managed primary)."""


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


def redis_store(url: str, settings: CacheSettings) -> RedisCache:
    """aiocache's Redis store on a pool with short timeouts and no retries of its own.

    A dead Redis must cost a request at most ``redis_timeout_s`` once (then the backend is
    degraded and skips it); the pool blocks briefly rather than failing when all its
    connections are busy.
    """
    params: dict[str, Any] = dict(parse_url(url))
    if "path" in params:
        raise ValueError("REDIS_URL: unix sockets are not supported; use redis:// or rediss://")
    for ignored in ("decode_responses", "retry_on_timeout", "retry"):
        params.pop(ignored, None)
    params.setdefault("socket_timeout", settings.redis_timeout_s)
    params.setdefault("timeout", settings.redis_timeout_s)  # waiting for a free connection
    return RedisCache(
        serializer=JsonSerializer(),
        endpoint=params.pop("host", "127.0.0.1"),
        port=params.pop("port", 6379),
        db=params.pop("db", 0),
        password=params.pop("password", None),
        pool_max_size=params.pop("max_connections", settings.redis_max_connections),
        create_connection_timeout=params.pop("socket_connect_timeout", settings.redis_timeout_s),
        connection_pool_class=aioredis.BlockingConnectionPool,
        connection_pool_kwargs=params,
        timeout=None,  # socket timeouts bound every call; aiocache's wait_for would add a task
    )


class RedisCacheBackend(CacheBackend):
    """Redis shared by replicas; degrades to "no cache" while Redis fails."""

    def __init__(self, *, url: str, settings: CacheSettings, prefix: str | None = None) -> None:
        store = redis_store(url, settings)
        super().__init__(prefix=settings.prefix if prefix is None else prefix, store=store)
        client: aioredis.Redis = store.client
        self.redis = client
        self._client = client
        self._retry_s = settings.redis_retry_s
        self._retry_max_s = max(settings.redis_retry_max_s, settings.redis_retry_s)
        longest = max([*settings.ttls().values(), settings.not_found_ttl_s])
        self._generation_ttl_s = int(max(GENERATION_TTL_FLOOR_S, 2 * longest))
        self._epoch_key = f"{self.prefix}epoch"
        self._read_prefix = f"{self.prefix}read:"
        self._sequence_key = f"{self.prefix}generation-sequence"
        self._bump = client.register_script(BUMP_SCRIPT)
        self._lookup = client.register_script(LOOKUP_SCRIPT)
        self._serializer = JsonSerializer()
        self._degraded = False
        self._lost_invalidations = False
        self._recovery: asyncio.Task[None] | None = None
        self._channel_name = f"{self.prefix}invalidations"
        self.near = NearCache(max_entries=settings.near_max_entries, ttl_s=settings.near_ttl_s)
        self._channel: InvalidationChannel | None = None
        if settings.near_enabled:
            self._channel = InvalidationChannel(
                self.near,
                url=url,
                channel=self._channel_name,
                heartbeat_s=settings.near_heartbeat_s,
                connect_s=settings.redis_timeout_s,
            )

    @property
    def degraded(self) -> bool:
        return self._degraded

    def _generation_key(self, report_id: str) -> str:
        return f"{self.prefix}generation:{generation_scope(report_id)}"

    @property
    def near_channel(self) -> InvalidationChannel | None:
        """The near cache's invalidation channel (None when the near cache is off)."""
        return self._channel

    async def start(self) -> None:
        with contextlib.suppress(CacheUnavailable):  # logged and counted by call()
            await self.call(self._client.ping)
            logger.info("cache backend: redis", extra={"prefix": self.prefix})
        if self._channel is not None:
            self._channel.start()
            with contextlib.suppress(TimeoutError):  # it keeps trying in the background
                await asyncio.wait_for(self._channel.subscribed.wait(), NEAR_READY_S)

    async def close(self) -> None:
        if self._recovery is not None:
            self._recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._recovery
        if self._channel is not None:
            await self._channel.close()
        await self._client.aclose()

    async def call(self, op: Callable[[], Awaitable[T]]) -> T:
        if self._degraded:
            raise CacheUnavailable("redis is unavailable; retrying in the background")
        try:
            return await op()
        except REDIS_ERRORS as exc:
            self._failed(exc)
            raise CacheUnavailable(str(exc)) from exc

    def _failed(self, error: BaseException) -> None:
        self.stats.errors += 1
        if self._degraded:
            return
        self._degraded = True
        self.near.suspend()  # a bump of ours may be lost now: nothing near is served
        logger.warning(
            "redis unavailable: serving uncached until it answers again",
            extra={"error": type(error).__name__, "detail": str(error)},
        )
        self._recovery = asyncio.create_task(self._recover())

    async def recovered(self) -> None:
        """Return once Redis answers again (at once when it is not failing)."""
        recovery = self._recovery
        if recovery is not None:
            await asyncio.shield(recovery)

    async def _recover(self) -> None:
        """Probe with a doubling back-off until Redis answers; then resume caching."""
        delay = self._retry_s
        while True:
            await asyncio.sleep(delay)
            await self._client.connection_pool.disconnect()  # sockets the outage broke
            lost, self._lost_invalidations = self._lost_invalidations, False
            try:
                if lost:  # orphan everything stored before the outage, near copies too
                    await self._client.incr(self._epoch_key)
                    await self._client.publish(self._channel_name, DROP_ALL)
                await self._client.ping()
            except REDIS_ERRORS:
                self._lost_invalidations = self._lost_invalidations or lost
                self.stats.errors += 1
                delay = min(delay * 2, self._retry_max_s)
                continue
            self._degraded = False
            self._recovery = None
            self.near.resume()
            logger.info("redis answers again: caching resumed", extra={"epoch_bumped": lost})
            return

    async def generation(self, report_id: str) -> str:
        return (await self.generations([report_id]))[0]

    async def generations(self, report_ids: list[str]) -> list[str]:
        """Each scope's generation: from the near cache, else one ``MGET`` for the rest."""
        near = self.near
        scopes = [generation_scope(r) for r in report_ids]
        tokens = [near.generation(scope) for scope in scopes]
        missing = [scope for scope, token in zip(scopes, tokens, strict=True) if token is None]
        if not missing:
            return tokens  # type: ignore[return-value]  # every one was found near
        mark = near.mark()
        keys = [self._epoch_key, *(f"{self.prefix}generation:{scope}" for scope in missing)]
        epoch, *found = await self.call(lambda: self._client.mget(*keys))
        fetched = {}
        for scope, generation in zip(missing, found, strict=True):
            fetched[scope] = token = f"{int(epoch or 0)}.{int(generation or 0)}"
            near.keep_generation(mark, scope, token)
        return [
            token if token is not None else fetched[scope]
            for scope, token in zip(scopes, tokens, strict=True)
        ]

    async def lookup(self, report_id: str, head: str, tail: str) -> tuple[str, Any]:
        near = self.near
        scope = generation_scope(report_id)
        token = near.generation(scope)
        mark = near.mark()
        if token is not None:  # the generation is known near: the entry, near or in Redis
            key = head + token + tail
            stored = near.value(key)
            if stored is None:
                stored = await self.get(key)
                near.keep_value(mark, key, stored)
            return key, stored
        keys = [self._epoch_key, self._generation_key(report_id)]
        raw_key, payload = await self.call(lambda: self._lookup(keys=keys, args=[head, tail]))
        key = raw_key.decode()
        stored = self._serializer.loads(payload)
        near.keep_generation(mark, scope, key[len(head) : len(key) - len(tail)])
        near.keep_value(mark, key, stored)
        return key, stored

    async def set(self, key: str, value: Any, ttl_s: float | None) -> None:
        await super().set(key, value, ttl_s)
        if key.startswith(self._read_prefix):  # read keys embed their generation
            self.near.keep_value(self.near.mark(), key, value, ttl_s)

    async def get_entry(self, key: str) -> Any:
        stored = self.near.value(key)
        if stored is None:
            mark = self.near.mark()
            stored = await self.get(key)
            self.near.keep_value(mark, key, stored)
        return stored

    async def set_entry(self, key: str, value: Any, ttl_s: float | None) -> None:
        await super().set(key, value, ttl_s)
        self.near.keep_value(self.near.mark(), key, value, ttl_s)

    async def exists_near(self, key: str) -> bool:
        """Whether ``key`` exists; answered near while the channel stands, for keys that are
        only ever written through ``set_announced``."""
        found = self.near.value(key)
        if found is None:
            mark = self.near.mark()
            found = bool(await self.call(lambda: self._client.exists(key)))
            self.near.keep_value(mark, key, found)
        return bool(found)

    async def set_announced(self, key: str, value: str | int, ex_s: int) -> None:
        """``SET key value EX ex_s``, then every replica's near copy of ``key`` is dropped."""
        await self.call(lambda: self._client.set(key, value, ex=ex_s))
        self.near.apply(DROP_KEY + key)
        await self.call(lambda: self._client.publish(self._channel_name, DROP_KEY + key))

    async def bump(self, report_id: str) -> None:
        scope = generation_scope(report_id)
        keys = [self._sequence_key, self._generation_key(report_id), self._epoch_key]
        args: list[str | int] = [self._generation_ttl_s, self._channel_name, scope]
        try:
            token = await self.call(lambda: self._bump(keys=keys, args=args))
        except CacheUnavailable:
            self._lost_invalidations = True
            raise
        self.near.learn(scope, token.decode() if isinstance(token, bytes) else str(token))

    async def ping(self) -> bool:
        try:
            return bool(await self.call(self._client.ping))
        except CacheUnavailable:
            return False


def namespaced_prefix(settings: CacheSettings, namespace: str) -> str:
    """The configured prefix, then the upstream's namespace: every key lives under both."""
    return f"{settings.prefix}{namespace}:" if namespace else settings.prefix


def open_backend(redis_url: str, settings: CacheSettings, *, namespace: str) -> CacheBackend:
    """Redis when ``redis_url`` is set, else in process; keys under ``namespace``."""
    prefix = namespaced_prefix(settings, namespace)
    if redis_url.strip():
        return RedisCacheBackend(url=redis_url.strip(), settings=settings, prefix=prefix)
    return MemoryCacheBackend(prefix=prefix, max_entries=settings.max_entries)


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
    "RedisCacheBackend",
    "generation_scope",
    "namespaced_prefix",
    "open_backend",
    "redis_store",
]
