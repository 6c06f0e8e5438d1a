"""The shared read cache behind the loaders: per principal, per report generation.

A key is the caller's principal, the resource, the report and the detail, plus the report's
generation (and the backend's epoch): invalidating a report moves its generation on, and
every principal's entries for it become unreachable at once. The generation is read before
the upstream fetch, so a value fetched while an invalidation happens is stored under the
old generation and never served (the write-during-invalidate race of response caches).

Concurrent misses for one key share one upstream call (``SingleFlight``). ``NotFound`` is
cached briefly and raised again from the cache. Values are the canonical models: as they
are in process, as JSON from the models' own codecs in Redis (``model_dump(mode="json")``
in, ``validate_python`` out, so decimals stay exact). An entry that no longer validates (a
model changed between releases) is a miss, not an error.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar, cast

import orjson
from aiohttp import web
from pydantic import TypeAdapter, ValidationError

from adapters.errors import NotFound
from adapters.singleflight import SingleFlight
from gateway.cache.backend import CacheBackend, CacheUnavailable
from gateway.cache.settings import CacheSettings
from resolvers.operations.cache import (
    READ_DEPENDENCIES,
    CacheKey,
    NoCache,
    ReadCache,
    note_unvouched_read,
)
from resolvers.operations.resources import Resource

logger = logging.getLogger(__name__)

T = TypeVar("T")

KEY_FORMAT: Final = "1"
"""Part of every read key: bump it when the stored shape changes incompatibly."""


class _NotFoundMark:
    """What a cached 404 is in process (in Redis: ``{"notFound": message}``)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class _Unusable:
    """A stored payload that does not decode any more: treated as a miss."""


UNUSABLE: Final = _Unusable()


class GenerationalReadCache:
    """``ReadCache`` over a ``CacheBackend``; resources without a TTL are not cached."""

    def __init__(self, backend: CacheBackend, settings: CacheSettings) -> None:
        self._backend = backend
        self._ttls: dict[Resource, float] = {
            name: ttl for name, ttl in settings.ttls().items() if ttl > 0
        }
        self._not_found_ttl_s = settings.not_found_ttl_s
        self._prefix = f"{backend.prefix}read:{KEY_FORMAT}:"
        self._flights: dict[str, SingleFlight[Any]] = {}

    @property
    def backend(self) -> CacheBackend:
        return self._backend

    def storage_key(self, key: CacheKey, generation: str) -> str:
        """The backend key: JSON-encoded parts, so no id can forge another caller's key."""
        return f"{self._prefix}{generation}{self._key_tail(key)}"

    def _key_tail(self, key: CacheKey) -> str:
        parts = orjson.dumps((key.principal, key.resource, key.report_id, key.detail))
        return f":{parts.decode()}"

    async def read(
        self, key: CacheKey, codec: TypeAdapter[T], fetch: Callable[[], Awaitable[T]]
    ) -> T:
        ttl = self._ttls.get(key.resource)
        if ttl is None or not key.principal:
            note_unvouched_read()
            return await fetch()
        backend = self._backend
        tail = self._key_tail(key)
        try:
            storage_key, stored = await backend.lookup(key.report_id, self._prefix, tail)
        except CacheUnavailable:
            note_unvouched_read()
            return await fetch()
        deps = READ_DEPENDENCIES.get()
        if deps is not None:  # the generation is what lies between the key's head and tail
            deps.note(key.report_id, storage_key[len(self._prefix) : -len(tail)])
        flight = self._flights.get(storage_key)
        if flight is None:
            if stored is not None:
                value = self._decode(stored, codec)
                if not isinstance(value, _Unusable):
                    backend.stats.hits += 1
                    return value
            flight = self._flights.get(storage_key)  # one may have started meanwhile
            if flight is None:
                flight = SingleFlight[Any]()
                self._flights[storage_key] = flight
        backend.stats.misses += 1
        owned = flight

        async def fill() -> T:
            try:
                return await self._fill(storage_key, ttl, codec, fetch)
            finally:
                if self._flights.get(storage_key) is owned:
                    del self._flights[storage_key]

        return cast("T", await flight.run(fill))

    async def invalidate_report(self, report_id: str) -> None:
        try:
            await self._backend.bump(report_id)
        except CacheUnavailable:
            # the backend logged the outage once and will bump its epoch on recovery
            logger.debug("report invalidation lost to the outage", extra={"report_id": report_id})

    async def _fill(
        self,
        storage_key: str,
        ttl: float,
        codec: TypeAdapter[T],
        fetch: Callable[[], Awaitable[T]],
    ) -> T:
        try:
            value = await fetch()
        except NotFound as exc:
            if self._not_found_ttl_s > 0:
                await self._store(storage_key, self._encode_not_found(exc), self._not_found_ttl_s)
            raise
        await self._store(storage_key, self._encode(value, codec), ttl)
        return value

    async def _store(self, storage_key: str, payload: object, ttl: float) -> None:
        try:
            await self._backend.set(storage_key, payload, ttl)
        except CacheUnavailable:
            return  # counted by the backend; the value is served uncached

    def _encode(self, value: T, codec: TypeAdapter[T]) -> object:
        if not self._backend.shared:
            return value  # canonical models are frozen: safe to share in process
        return {"value": codec.dump_python(value, mode="json")}

    def _encode_not_found(self, error: NotFound) -> object:
        if not self._backend.shared:
            return _NotFoundMark(error.message)
        return {"notFound": error.message}

    def _decode(self, stored: object, codec: TypeAdapter[T]) -> T | _Unusable:
        if not self._backend.shared:
            if isinstance(stored, _NotFoundMark):
                raise NotFound(stored.message)
            return stored  # type: ignore[return-value]  # stored by ``_encode`` as a T
        if isinstance(stored, dict):
            if "value" in stored:
                try:
                    return codec.validate_python(stored["value"])
                except ValidationError:
                    logger.info("cached value no longer decodes; reading afresh")
                    return UNUSABLE
            message = stored.get("notFound")
            if isinstance(message, str):
                raise NotFound(message)
        return UNUSABLE


def read_cache(backend: CacheBackend, settings: CacheSettings) -> ReadCache:
    """The app's read cache: over the backend, or none when switched off."""
    if not settings.enabled:
        return NoCache()
    return GenerationalReadCache(backend, settings)


READ_CACHE: web.AppKey[ReadCache] = web.AppKey("read_cache")
"""The app's one read cache, handed to the operations (reads, mutations) and the ESS
receiver (events): both invalidate through it."""

__all__ = ["KEY_FORMAT", "READ_CACHE", "GenerationalReadCache", "read_cache"]
