"""The seam between the loaders and the shared read cache (``gateway.cache.read_cache``).

The operations depend on ``ReadCache`` only; the gateway plugs in its generational cache
(in process or Redis), and ``NoCache`` reads everything from Concur. Keys always carry the
principal (a cached report must never reach another caller) and name a ``Resource``;
invalidation is by report (``invalidation``), which the implementation turns into a new
per-report generation instead of a key scan. Workflow guards and post-action reads never
come through here: they must see Concur as it is now.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from pydantic import TypeAdapter

from adapters.client import Credentials
from resolvers.operations.resources import Resource

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CacheKey:
    """What a cached read is: who asked (``principal``), what (``resource``) and which."""

    principal: str
    resource: Resource
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
        """Forget everything read under a generation scope, for every principal: a report
        (by its id) or a user's list (``resources.list_scope``)."""
        ...


@dataclass(slots=True)
class ReadDependencies:
    """What one request's answer was built from: each report read through the cache, at the
    generation it was read (and each list, by its ``list_scope``). A whole response may be
    reused only while every one of these is still at that generation; a read the cache
    cannot vouch for (an uncached resource, a read during an outage) makes the response not
    reusable."""

    generations: dict[str, str] = field(default_factory=dict)
    reusable: bool = True

    def note(self, report_id: str, generation: str) -> None:
        known = self.generations.setdefault(report_id, generation)
        if known != generation:  # the report moved while this request was reading it
            self.reusable = False


READ_DEPENDENCIES: ContextVar[ReadDependencies | None] = ContextVar(
    "read_dependencies", default=None
)
"""Set by the HTTP view around a query it may answer again from a response cache."""


def note_unvouched_read() -> None:
    """Record that the current request read something no cache generation covers."""
    deps = READ_DEPENDENCIES.get()
    if deps is not None:
        deps.reusable = False


class NoCache:
    """The default: every read is fetched, nothing is stored."""

    async def read(
        self, key: CacheKey, codec: TypeAdapter[T], fetch: Callable[[], Awaitable[T]]
    ) -> T:
        del key, codec
        note_unvouched_read()
        return await fetch()

    async def invalidate_report(self, report_id: str) -> None:
        del report_id


def principal_of(credentials: Credentials) -> str:
    """The cache scope of a caller: Concur answers differently per user and token kind."""
    return f"{credentials.kind.value}:{credentials.user_id.lower()}"


__all__ = [
    "READ_DEPENDENCIES",
    "CacheKey",
    "NoCache",
    "ReadCache",
    "ReadDependencies",
    "note_unvouched_read",
    "principal_of",
]
