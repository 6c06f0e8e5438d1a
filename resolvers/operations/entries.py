"""Adding expense entries: v1.1 posts them by the report's opaque key, one result each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from adapters.errors import BadUserInput
from adapters.models import ReportContext
from resolvers.operations.freshness import Applied, conclude
from resolvers.operations.outcome import Outcome, problems_of
from resolvers.operations.requests import AddEntriesRequest

if TYPE_CHECKING:
    from resolvers.context import Context

MAX_ENTRIES: Final = 100
"""Entries per call: one v1.1 POST carries them all, and Concur answers per entry."""


async def add(ctx: Context, request: AddEntriesRequest) -> Outcome:
    """Post entries; one failing entry does not fail the others (see ``entry_results``)."""
    creds = ctx.require_credentials()
    if not request.entries or len(request.entries) > MAX_ENTRIES:
        error = BadUserInput(f"Give 1 to {MAX_ENTRIES} entries.", field="entries")
        return Outcome(problems=problems_of(error))

    async def change() -> Applied:
        # Fresh: the opaque key is stable, but a report submitted meanwhile must be refused
        # by Concur, not by a stale copy of ours.
        client = ctx.operations.client
        details = await client.get_report_details(creds, request.report_id)
        results = await client.add_entries(creds, details.report_key, request.entries)
        return Applied(request.report_id, entry_results=results)

    return await conclude(ctx, creds, request.report_id, ReportContext.TRAVELER, change)


__all__ = ["MAX_ENTRIES", "add"]
