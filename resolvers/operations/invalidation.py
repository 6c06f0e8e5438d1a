"""Which change invalidates what: the one home of the rules, for ESS events and mutations.

Every cached ``Resource`` belongs to one report, and a report is invalidated as a whole (its
generation moves on, for every principal), so a rule only has to name the report:

- **An ESS event** (``reportCreated``, ``reportUpdated``, ``reportDeleted``,
  ``statusChanged``, stale or not) invalidates its report: the header, details, entries and
  cost objects may all have changed, and a cached 404 of a just-created report must go too.
- **A mutation** (a workflow action, an update, added entries) invalidates the report it
  acted on, whether it succeeded, was refused after sending, or ended ambiguously: the
  shared cache and the request's own loaders both forget it, so the next read is fresh.

Lists are never cached (their membership has no generation), so nothing here names them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.models import ReportEvent
    from resolvers.context import Context
    from resolvers.operations.cache import ReadCache


def reports_touched_by(event: ReportEvent) -> tuple[str, ...]:
    """The reports whose cached reads an ESS event makes stale."""
    return (event.report_id,)


async def after_event(cache: ReadCache, event: ReportEvent) -> None:
    """Invalidate what an ESS event changed (called by the ESS receiver, after recording
    the event's facts and before publishing it)."""
    for report_id in reports_touched_by(event):
        await cache.invalidate_report(report_id)


async def after_mutation(ctx: Context, report_id: str) -> None:
    """Invalidate what a mutation on ``report_id`` may have changed: this request's loaders
    and the shared cache (for every principal)."""
    ctx.loaders.forget(report_id)
    await ctx.operations.cache.invalidate_report(report_id)


__all__ = ["after_event", "after_mutation", "reports_touched_by"]
