"""Report events for a caller: the one operation behind GraphQL subscriptions and gRPC watches.

Concur's ESS announces every change to every report of the company; a caller must only
learn about reports it may read. ``watch`` asks Concur once per report id, with the
caller's own token (a fresh v2.0 details read, which answers for every kind of reader:
owner, approvers past and present, processor, company), and remembers the answer for the
life of the watch. An event for a report the caller cannot read is skipped silently, so
ids do not leak. A "no" is asked again only when a later ``statusChanged`` names the caller
as an assignee, which is how an approver gains sight of a report.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Final

from adapters.errors import Forbidden, NotFound, UpstreamError

if TYPE_CHECKING:
    from adapters.client import ConcurClient, Credentials
    from adapters.models import ReportEvent
    from resolvers.context import Context

logger = logging.getLogger(__name__)

READABILITY_MEMO: Final = 10_000
"""Report ids remembered per watch (oldest forgotten first): a watch over a whole company
must not grow without bound."""


class ReadAccess:
    """Whether one caller may read a report, asked of Concur once per report id."""

    def __init__(self, client: ConcurClient, credentials: Credentials) -> None:
        self._client = client
        self._credentials = credentials
        self._known: OrderedDict[str, bool] = OrderedDict()

    async def require(self, report_id: str) -> None:
        """Raise Concur's refusal (``NotFound``/``Forbidden``) unless the caller may read it."""
        await self._client.get_report_details(self._credentials, report_id)
        self._remember(report_id, readable=True)

    async def may_read(self, event: ReportEvent) -> bool:
        known = self._known.get(event.report_id)
        if known is True or (known is False and not self._newly_assigned(event)):
            return known
        try:
            await self._client.get_report_details(self._credentials, event.report_id)
        except (NotFound, Forbidden):
            readable = False
        except UpstreamError as exc:  # not an answer about access: ask again next time
            logger.warning(
                "event skipped: readability unknown",
                extra={"code": exc.code, "report_id": event.report_id},
            )
            return False
        else:
            readable = True
        self._remember(event.report_id, readable=readable)
        return readable

    def _newly_assigned(self, event: ReportEvent) -> bool:
        if event.facts is None:
            return False
        me = self._credentials.user_id.lower()
        return any((i.assigned_user_id or "").lower() == me for i in event.facts.step_instances)

    def _remember(self, report_id: str, *, readable: bool) -> None:
        self._known[report_id] = readable
        self._known.move_to_end(report_id)
        while len(self._known) > READABILITY_MEMO:
            self._known.popitem(last=False)


async def watch(
    ctx: Context, report_id: str | None, event_types: frozenset[str] | None
) -> AsyncIterator[ReportEvent]:
    """The caller's report events from now on (see the module docstring).

    With a ``report_id`` the caller must be able to read that report (Concur's refusal is
    raised at once). Each event makes the context's loaders forget the report, so fields
    resolved for it afterwards are read again. ``Unauthenticated`` (the caller's token
    expired) ends the watch.
    """
    credentials = ctx.require_credentials()
    access = ReadAccess(ctx.operations.client, credentials)
    # subscribe first: nothing that happens while access is checked is missed
    async with ctx.operations.events.subscribe(report_id, event_types) as events:
        if report_id is not None:
            await access.require(report_id)
        async for event in events:
            if not await access.may_read(event):
                continue
            ctx.loaders.forget(event.report_id)
            yield event


__all__ = ["READABILITY_MEMO", "ReadAccess", "watch"]
