"""Which change invalidates what: the one home of the rules, for ESS events and mutations.

Every cached ``Resource`` has one generation scope: a report's header, details, entries and
cost objects belong to the report, a list's membership to its user and list
(``list_scope``: the approval queue, or the user's own reports in every other view).
Invalidating a scope moves its generation on for every principal at once:

- **An ESS event** (``reportCreated``, ``reportUpdated``, ``reportDeleted``,
  ``statusChanged``, stale or not) invalidates its report (a cached 404 of a just-created
  report must go too) and the owner's lists, when the event names the owner. A
  ``statusChanged`` also invalidates the approval queue of every approver its step names and
  of every approver the report's previous step named (the report leaves their queue).
- **A mutation** (a workflow action, an update, added entries) invalidates the report it
  acted on and the caller's lists (the owner's after a create, submit or recall; the
  approver's queue after an approval or send-back), whether it succeeded, was refused after
  sending, or ended ambiguously: the shared cache and the request's own loaders both forget
  it, so the next read is fresh. The owner's lists after an approver's action are
  invalidated by the ``statusChanged`` event Concur sends for it.

- **The embedded sandbox re-seeded** (GraphiQL's "Reset demo data") invalidates every report
  it held before and holds after: the same ids now stand for other states.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from resolvers.operations.resources import UserList, list_scope

if TYPE_CHECKING:
    from collections.abc import Iterable

    from adapters.models import ReportEvent, WorkflowFacts
    from resolvers.context import Context
    from resolvers.operations.cache import ReadCache


def _approvers(facts: WorkflowFacts | None) -> list[str]:
    if facts is None:
        return []
    return [i.assigned_user_id for i in facts.step_instances if i.assigned_user_id]


def scopes_touched_by(event: ReportEvent, previous: WorkflowFacts | None = None) -> list[str]:
    """The generation scopes an ESS event makes stale; ``previous`` are the workflow facts
    held for the report before this event (whose approvers the report may have left)."""
    scopes = [event.report_id]
    if event.owner_id:
        scopes.append(list_scope(event.owner_id, UserList.OWNED))
    for approver in _approvers(event.facts) + _approvers(previous):
        scopes.append(list_scope(approver, UserList.TO_APPROVE))
    return list(dict.fromkeys(scopes))


def scopes_touched_by_mutation(user_id: str, report_id: str) -> list[str]:
    """The scopes a mutation by ``user_id`` on ``report_id`` makes stale."""
    return [
        report_id,
        list_scope(user_id, UserList.OWNED),
        list_scope(user_id, UserList.TO_APPROVE),
    ]


async def after_event(
    cache: ReadCache, event: ReportEvent, previous: WorkflowFacts | None = None
) -> None:
    """Invalidate what an ESS event changed (called by the ESS receiver, after recording
    the event's facts and before publishing it)."""
    for scope in scopes_touched_by(event, previous):
        await cache.invalidate_report(scope)


async def after_mutation(ctx: Context, report_id: str) -> None:
    """Invalidate what a mutation on ``report_id`` may have changed: this request's loaders
    and the shared cache (for every principal)."""
    ctx.loaders.forget(report_id)
    creds = ctx.credentials
    scopes = [report_id] if creds is None else scopes_touched_by_mutation(creds.user_id, report_id)
    for scope in scopes:
        await ctx.operations.cache.invalidate_report(scope)


async def after_sandbox_reset(cache: ReadCache, report_ids: Iterable[str]) -> None:
    """Invalidate every report of a re-seeded sandbox (the demo's reset)."""
    for report_id in dict.fromkeys(report_ids):
        await cache.invalidate_report(report_id)


__all__ = [
    "after_event",
    "after_mutation",
    "after_sandbox_reset",
    "scopes_touched_by",
    "scopes_touched_by_mutation",
]
