"""Where a request's ``actual`` and ``cached`` calls are observed: the transport's
per-attempt hook and the read cache (``resolvers.operations.cost`` holds the counts)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import TypeAdapter

from adapters.upstream import UpstreamCallEvent, UpstreamCallHook
from resolvers.operations.cache import CacheKey, ReadCache
from resolvers.operations.cost import count_cached, count_upstream_call

T = TypeVar("T")


def counting_hook(inner: UpstreamCallHook | None) -> UpstreamCallHook:
    """``inner`` (metrics), after counting the attempt into the current request's cost."""

    def hook(event: UpstreamCallEvent) -> None:
        count_upstream_call()
        if inner is not None:
            inner(event)

    return hook


class CountedReadCache:
    """A ``ReadCache`` that counts each read answered without calling Concur."""

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
        if not fetched:
            count_cached()
        return value

    async def invalidate_report(self, report_id: str) -> None:
        await self.inner.invalidate_report(report_id)


__all__ = ["CountedReadCache", "counting_hook"]
