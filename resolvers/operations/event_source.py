"""Where report events come from: the seam between the operations and the gateway's broker.

Apart from ``resolvers.operations.events`` (which watches them for one caller), so that
``Operations`` can hold a source without depending on the per-request ``Context``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from adapters.models import ReportEvent


class EventSource(Protocol):
    """Where report events come from (the gateway's broker, or nothing)."""

    def subscribe(
        self, report_id: str | None, event_types: frozenset[str] | None
    ) -> AbstractAsyncContextManager[AsyncIterator[ReportEvent]]:
        """Events for one report (or all, with None) of the given Concur event types (or
        all), from now on, through a bounded queue; leaving the context unsubscribes."""
        ...


async def _never() -> AsyncIterator[ReportEvent]:
    await asyncio.get_running_loop().create_future()  # resolved by nobody: waits until cancelled
    return
    yield  # pragma: no cover - makes this an async generator


class NoEvents:
    """The default source when no receiver is wired: subscribing works, nothing arrives."""

    @asynccontextmanager
    async def subscribe(
        self, report_id: str | None, event_types: frozenset[str] | None
    ) -> AsyncIterator[AsyncIterator[ReportEvent]]:
        del report_id, event_types
        yield _never()


__all__ = ["EventSource", "NoEvents"]
