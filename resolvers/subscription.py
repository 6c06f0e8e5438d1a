"""The root Subscription type: thin over ``resolvers.operations.events.watch``."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any, TypeVar, cast

import strawberry

from resolvers.context import Context
from resolvers.operations import events
from resolvers.types.report_event import ReportEvent, ReportEventType

F = TypeVar("F", bound=Callable[..., Any])


def subscription(description: str) -> Callable[[F], F]:
    """``@strawberry.subscription(description=...)``, typed (as ``resolvers.fields`` does)."""
    return cast("Callable[[F], F]", strawberry.subscription(description=description))


@strawberry.type
class Subscription:
    @subscription(
        "Changes to the reports the caller may read, from now on: one report (`reportId`) "
        "or all, of the given types (omit for all). Events for reports the caller cannot "
        "read are never sent."
    )
    async def report_events(
        self,
        info: strawberry.Info[Context, None],
        report_id: strawberry.ID | None = None,
        event_types: list[ReportEventType] | None = None,
    ) -> AsyncGenerator[ReportEvent, None]:
        types = frozenset(t.value for t in event_types) if event_types else None
        async for event in events.watch(info.context, report_id, types):
            yield ReportEvent.from_model(event)


__all__ = ["Subscription"]
