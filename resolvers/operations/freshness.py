"""How every mutation ends: forget cached copies, then the report as Concur has it now.

These reads bypass the loaders' and the cache's copies on purpose: a mutation's payload
must show the state its action produced (or, after a failure, the state it left), not what
was read before it. ``conclude`` is the one ending every write path shares.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from adapters.client import Credentials
from adapters.errors import (
    ActionOutcomeUnknown,
    Forbidden,
    GatewayError,
    NotFound,
    Unauthenticated,
)
from adapters.models import EntryResult, Report, ReportContext, Status
from resolvers.operations import invalidation
from resolvers.operations.outcome import Outcome, problems_of

if TYPE_CHECKING:
    from resolvers.context import Context

logger = logging.getLogger(__name__)

UNKNOWN_STATUS = Status(code="", name="")


async def invalidate(ctx: Context, report_id: str) -> None:
    """Forget every copy of the report: this request's loaders and the shared cache
    (and the caller's lists: the rules are ``invalidation.after_mutation``'s)."""
    await invalidation.after_mutation(ctx, report_id)


async def fresh_report(
    ctx: Context,
    creds: Credentials,
    report_id: str,
    context: ReportContext,
    *,
    details_fallback: bool = False,
) -> Report | None:
    """The v4 header read now, or None when it cannot be read (the payload still answers).

    With ``details_fallback``, a header the caller may no longer read is replaced by what
    the v1.1 details still show: Concur's MANAGER view ends when the approver's step does,
    yet the approver who just acted should see where the report went.
    """
    client = ctx.operations.client
    try:
        report = await client.get_report(creds, report_id, context)
    except Unauthenticated:
        raise
    except (Forbidden, NotFound) as exc:
        if not details_fallback:
            logger.info("report not readable after a mutation", extra={"code": exc.code})
            return None
        return await _from_details(ctx, creds, report_id)
    except GatewayError as exc:
        logger.info("report not readable after a mutation", extra={"code": exc.code})
        return None
    ctx.loaders.report.prime((report_id, context), report, force=True)
    return report


async def _from_details(ctx: Context, creds: Credentials, report_id: str) -> Report | None:
    try:
        details = await ctx.operations.client.get_report_details(creds, report_id)
    except Unauthenticated:
        raise
    except GatewayError as exc:
        logger.info("report not readable after a mutation", extra={"code": exc.code})
        return None
    ctx.loaders.details.prime(report_id, details, force=True)
    return Report(
        id=report_id,
        approval_status=details.approval_status,
        payment_status=details.payment_status or UNKNOWN_STATUS,
    )


async def refused(
    ctx: Context,
    creds: Credentials,
    error: GatewayError,
    report_id: str | None,
    context: ReportContext,
    *,
    reread: bool = True,
) -> Outcome:
    """An expected failure, with the report as it is now whenever it can be read (and
    ``reread``: a bulk item's report is read only if the caller selects it).

    ``Unauthenticated`` is raised, not reported: nothing else makes sense until the caller
    has a token Concur accepts.
    """
    if isinstance(error, Unauthenticated):
        raise error
    report = None
    if report_id is not None and reread:
        report = await fresh_report(ctx, creds, report_id, context, details_fallback=True)
    return Outcome(report=report, problems=problems_of(error))


@dataclass(frozen=True, slots=True)
class Applied:
    """What a change did: the report it changed, per-entry results, and whether it was
    confirmed by a re-read rather than sent now (see ``Outcome.confirmed``)."""

    report_id: str
    entry_results: list[EntryResult] = field(default_factory=list)
    confirmed: bool = False


async def conclude(
    ctx: Context,
    creds: Credentials,
    report_id: str | None,
    context: ReportContext,
    change: Callable[[], Awaitable[Applied]],
    *,
    details_fallback: bool = False,
    reread: bool = True,
) -> Outcome:
    """Run one change and end the mutation the one way every write path does.

    Applied: forget every copy of the report, then read it fresh for the payload (unless
    not ``reread``). Failed: an unknown outcome may have changed the report, so it is
    forgotten first; every failure is reported with the report as it is now (``refused``).
    """
    try:
        applied = await change()
    except GatewayError as exc:
        if isinstance(exc, ActionOutcomeUnknown) and report_id is not None:
            await invalidate(ctx, report_id)
        return await refused(ctx, creds, exc, report_id, context, reread=reread)
    await invalidate(ctx, applied.report_id)
    if not reread:
        return Outcome(entry_results=applied.entry_results, confirmed=applied.confirmed)
    report = await fresh_report(
        ctx, creds, applied.report_id, context, details_fallback=details_fallback
    )
    return Outcome(report=report, entry_results=applied.entry_results, confirmed=applied.confirmed)


__all__ = ["Applied", "conclude", "fresh_report", "invalidate", "refused"]
