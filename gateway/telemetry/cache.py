"""Cache hits and misses on the trace: an event on the span that is current when a read is
answered (the operation span, or the resolver span when those are on).

``record_cache`` is for cache code that knows what happened; ``TracedReadCache`` wraps any
``ReadCache`` and tells a hit from a miss by whether this read had to fetch from Concur (a
read that waited on another request's fetch of the same key is a hit here). Counts over
time come from the cache backend's own counters (``gateway.cache.*`` metrics), not from here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from aiohttp import web
from opentelemetry import trace
from pydantic import TypeAdapter

from gateway.telemetry.instruments import INSTRUMENTS
from resolvers.operations.cache import CacheKey, NoCache, ReadCache

T = TypeVar("T")

HIT: Final = "cache.hit"
MISS: Final = "cache.miss"


def record_cache(*, hit: bool, resource: str) -> None:
    """Add a ``cache.hit``/``cache.miss`` event (with the resource kind) to the current span."""
    span = trace.get_current_span()
    if span.is_recording():
        span.add_event(HIT if hit else MISS, {"cache.resource": resource})


class TracedReadCache:
    """A ``ReadCache`` that records each read's hit or miss on the current span."""

    def __init__(self, inner: ReadCache) -> None:
        self.inner = inner

    async def read(
        self, key: CacheKey, codec: TypeAdapter[T], fetch: Callable[[], Awaitable[T]]
    ) -> T:
        fetched = False

        async def tracked_fetch() -> T:
            nonlocal fetched
            fetched = True
            return await fetch()

        value = await self.inner.read(key, codec, tracked_fetch)
        record_cache(hit=not fetched, resource=key.resource)
        return value

    async def invalidate_report(self, report_id: str) -> None:
        await self.inner.invalidate_report(report_id)


def traced_cache(app: web.Application, cache: ReadCache) -> ReadCache:
    """``cache``, traced when telemetry runs and there is a cache at all."""
    if app.get(INSTRUMENTS) is None or isinstance(cache, NoCache):
        return cache
    return TracedReadCache(cache)


__all__ = ["HIT", "MISS", "TracedReadCache", "record_cache", "traced_cache"]
