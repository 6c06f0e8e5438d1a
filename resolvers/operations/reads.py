"""Queries, protocol-agnostic: every upstream read goes through the request's loaders."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Final

from pydantic import TypeAdapter

from adapters.errors import Forbidden, NotFound
from adapters.models import (
    CostObject,
    Entry,
    Report,
    ReportContext,
    ReportSummary,
    ReportView,
    User,
    WorkflowActionKind,
    WorkflowStep,
)
from resolvers.operations import workflow
from resolvers.operations.cache import CacheKey, principal_of
from resolvers.operations.prefetch import NOTHING, Wants, prefetch
from resolvers.operations.resources import Resource, list_scope, user_list

if TYPE_CHECKING:
    from adapters.client import Credentials
    from resolvers.context import Context

logger = logging.getLogger(__name__)

LIST_CODEC: Final = TypeAdapter(list[ReportSummary])


async def listed(
    ctx: Context,
    creds: Credentials,
    view: ReportView,
    source: str,
    fetch: Callable[[], Awaitable[list[ReportSummary]]],
) -> list[ReportSummary]:
    """A list's membership through the read cache, under the caller's list generation
    (moved on by the events and mutations that change it: ``invalidation``); ``source``
    names the upstream read (v1.1 ReportsList or v4 reportsToApprove)."""
    scope = list_scope(creds.user_id, user_list(view))
    key = CacheKey(principal_of(creds), Resource.LISTS, scope, f"{source}:{view.value}")
    return await ctx.operations.cache.read(key, LIST_CODEC, fetch)


async def report(
    ctx: Context, report_id: str, context: ReportContext, wants: Wants = NOTHING
) -> Report:
    ctx.require_credentials()
    header = ctx.loaders.report.load((report_id, context))
    prefetch(ctx, (report_id,), wants)
    return await header


async def reports(ctx: Context, view: ReportView, wants: Wants = NOTHING) -> list[Report]:
    """A v1.1 list, then each listed report's v4 header (in parallel, through the loaders).

    The caller owns the reports of every view but TOAPPROVE, whose headers are read as
    their approver (MANAGER).
    """
    creds = ctx.require_credentials()
    client = ctx.operations.client
    summaries = await listed(ctx, creds, view, "v1.1", lambda: client.list_reports(creds, view))
    context = ReportContext.MANAGER if view is ReportView.TOAPPROVE else ReportContext.TRAVELER
    return await headers(ctx, (s.id for s in summaries), context, wants)


async def reports_to_approve(ctx: Context, wants: Wants = NOTHING) -> list[Report]:
    """The caller's approval queue, each header read in the MANAGER context."""
    creds = ctx.require_credentials()
    client = ctx.operations.client
    summaries = await listed(
        ctx, creds, ReportView.TOAPPROVE, "v4", lambda: client.reports_to_approve(creds)
    )
    return await headers(ctx, (s.id for s in summaries), ReportContext.MANAGER, wants)


async def headers(
    ctx: Context, ids: Iterable[str], context: ReportContext, wants: Wants = NOTHING
) -> list[Report]:
    """Headers of listed reports, in list order, each id read once.

    A report that vanished or left the caller's sight between the list and the header read
    is skipped; any other failure fails the list (a partial list would look complete).
    """
    unique = list(dict.fromkeys(ids))
    loads = [ctx.loaders.report.load((report_id, context)) for report_id in unique]
    prefetch(ctx, unique, wants)
    results = await asyncio.gather(*loads, return_exceptions=True)
    found: list[Report] = []
    for report_id, result in zip(unique, results, strict=True):
        if isinstance(result, NotFound | Forbidden):
            logger.info("listed report no longer readable", extra={"report_id": report_id})
            continue
        if isinstance(result, BaseException):
            raise result
        found.append(result)
    return found


async def entries(ctx: Context, report_id: str) -> list[Entry]:
    ctx.require_credentials()
    details = await ctx.loaders.details.load(report_id)
    return list(details.entries)


async def entry(ctx: Context, report_id: str, entry_id: str) -> Entry:
    """One entry in full: v1.1 by the report's encrypted key when Concur handed the caller
    one, else (an administrator reading through v2.0) the entry from the details' list.

    v1.1 names the report by its key; the graph names it by its plain id, as the report's
    own entries do.
    """
    ctx.require_credentials()
    details = await ctx.loaders.details.load(report_id)
    if details.report_key is None:
        for listed in details.entries:
            if listed.id == entry_id:
                return listed
        raise NotFound(
            "The report has no entry with this id: use an id from the report's entries.",
            field="id",
        )
    key = (report_id, details.report_key, entry_id, details.currency_code)
    return await ctx.loaders.entry.load(key)


async def cost_objects(ctx: Context, report_id: str) -> list[CostObject]:
    """Cost objects the caller may approve on this report.

    Concur answers 403 to a caller who approves none of them (the owner, say); for this
    field that means "none", not a failure of the whole report.
    """
    ctx.require_credentials()
    try:
        return await ctx.loaders.cost_objects.load(report_id)
    except Forbidden:
        return []


async def workflow_step(ctx: Context, report: Report) -> WorkflowStep:
    ctx.require_credentials()
    details = await ctx.loaders.details.load(report.id)
    facts = await ctx.operations.facts.facts(report.id)
    return workflow.workflow_step(report, details, facts)


async def available_actions(ctx: Context, report: Report) -> list[WorkflowActionKind]:
    creds = ctx.require_credentials()
    details = await ctx.loaders.details.load(report.id)
    return workflow.available_actions(report, details, creds)


def me(ctx: Context) -> User | None:
    """The caller as its token names it; no upstream call."""
    if ctx.credentials is None:
        return None
    return User(id=ctx.credentials.user_id, kind=ctx.credentials.kind)


__all__ = [
    "available_actions",
    "cost_objects",
    "entries",
    "entry",
    "headers",
    "listed",
    "me",
    "report",
    "reports",
    "reports_to_approve",
    "workflow_step",
]
