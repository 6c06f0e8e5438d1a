"""The seam between the operations and the shared read cache (``gateway.cache.read_cache``).

The operations (the loaders, and list reads) depend on ``ReadCache`` only; the gateway plugs
in its generational cache (in process or Redis), and ``NoCache`` reads everything from
Concur. Keys always carry the principal (a cached report must never reach another caller)
and name a ``Resource``; invalidation is by generation scope, a report or a user's list
(``invalidation``, ``resources.list_scope``), which the implementation turns into a new
generation instead of a key scan. Workflow guards and post-action reads never come through
here: they must see Concur as it is now.

``ReadDependencies`` is what lets the response cache keep a whole answer: ``gateway.reuse``
puts one in ``READ_DEPENDENCIES`` while a query it may reuse executes, the cache notes in it
the generation of each read it vouches for, and ``note_unvouched_read`` marks the answer not
reusable when something no generation covers was read (an uncached resource, a read during
an outage, the audit trail, the caller's rate-limit share).
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
"""Set by ``gateway.reuse`` around a query whose answer it may keep; unset, so nothing is
recorded, everywhere else (mutations, anonymous queries, subscriptions, gRPC calls)."""


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
