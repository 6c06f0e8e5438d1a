"""The Redis backend (shared by replicas, with a near cache per replica), and the choice
between it and the in-process one (``open_backend``).

See ``gateway.cache.backend`` for what a backend is (generations, epoch, degradation) and
``gateway.cache.near`` for what each replica keeps in memory and how it stays true.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import redis.asyncio as aioredis
from aiocache import RedisCache
from redis.asyncio.connection import parse_url

from gateway.cache.backend import (
    REDIS_ERRORS,
    CacheBackend,
    CacheUnavailable,
    MemoryCacheBackend,
    generation_scope,
)
from gateway.cache.near import DROP_ALL, DROP_KEY, InvalidationChannel, NearCache
from gateway.cache.serializer import JsonSerializer
from gateway.settings.cache import CacheSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")

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


NEAR_READY_S: Final = 2.0
"""How long start-up waits for the near cache's channel (it keeps trying afterwards)."""


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


__all__ = [
    "BUMP_SCRIPT",
    "GENERATION_TTL_FLOOR_S",
    "LOOKUP_SCRIPT",
    "RedisCacheBackend",
    "namespaced_prefix",
    "open_backend",
    "redis_store",
]
