"""The seam where a shared read cache plugs in (none yet: every read goes to Concur).

Keys always carry the principal (a cached report must never reach another caller), and
invalidation is by report, so an implementation can bump a per-report generation instead of
scanning keys. Workflow guards and post-action reads never come through here: they must see
Concur as it is now.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pydantic import TypeAdapter

from adapters.client import Credentials

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CacheKey:
    """What a cached read is: who asked (``principal``), what (``resource``) and which."""

    principal: str
    resource: str
    report_id: str
    detail: str = ""


class ReadCache(Protocol):
    """Read-through cache over upstream reads."""

    async def read(
        self, key: CacheKey, codec: TypeAdapter[T], fetch: Callable[[], Awaitable[T]]
    ) -> T:
        """Return the cached value for ``key`` or ``await fetch()`` (storing it via ``codec``)."""
        ...

    async def invalidate_report(self, report_id: str) -> None:
        """Forget everything read about ``report_id``, for every principal."""
        ...


class NoCache:
    """The default: every read is fetched, nothing is stored."""

    async def read(
        self, key: CacheKey, codec: TypeAdapter[T], fetch: Callable[[], Awaitable[T]]
    ) -> T:
        del key, codec
        return await fetch()

    async def invalidate_report(self, report_id: str) -> None:
        del report_id


def principal_of(credentials: Credentials) -> str:
    """The cache scope of a caller: Concur answers differently per user and token kind."""
    return f"{credentials.kind.value}:{credentials.user_id.lower()}"


__all__ = ["CacheKey", "NoCache", "ReadCache", "principal_of"]
