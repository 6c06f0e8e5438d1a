"""Workflow actions (approve, send back, recall, submit): guard, send at most once, re-read.

Each action: refuse bad input before any upstream call; claim the idempotency key; read the
report's details fresh and check the caller's expectation (``guard``); send the action once
(adapters never retry actions); end the mutation (``freshness.conclude``).

A repeat under a key whose earlier attempt ended with ``ACTION_OUTCOME_UNKNOWN`` settles it
with the same fresh read: a report that moved where the action leads is that action's
success, confirmed (``Outcome.confirmed``) with nothing sent; a report still at the expected
step gets the action sent once.

Every action, performed or refused, leaves an intent record before anything is sent and an
outcome record after (``trail``); an intent that cannot be recorded refuses the action with
``AUDIT_UNAVAILABLE`` (unless the trail is configured as optional).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from adapters.client import Credentials
from adapters.errors import (
    ActionOutcomeUnknown,
    AuditUnavailable,
    BadUserInput,
    GatewayError,
    Unauthenticated,
)
from adapters.models import Protocol, ReportContext, ReportDetails, WorkflowActionKind
from resolvers.operations import guard
from resolvers.operations.freshness import Applied, conclude, refused
from resolvers.operations.idempotency import key_scope, run_once
from resolvers.operations.outcome import Outcome, problems_of
from resolvers.operations.requests import ActionRequest
from resolvers.operations.trail import Observed, record_intent, record_outcome

if TYPE_CHECKING:
    from resolvers.context import Context

logger = logging.getLogger(__name__)


def view_after(kind: WorkflowActionKind) -> ReportContext:
    """Whose view the payload's report is read in: the approver's or the owner's."""
    if kind in (WorkflowActionKind.APPROVE, WorkflowActionKind.SEND_BACK):
        return ReportContext.MANAGER
    return ReportContext.TRAVELER


async def perform(ctx: Context, request: ActionRequest, *, reread: bool = True) -> Outcome:
    """Run one workflow action, recorded in the audit trail; expected failures come back as
    ``Outcome.problems``. Without ``reread`` the outcome carries no report (a bulk item's
    report is read only when selected)."""
    creds = ctx.require_credentials()
    try:
        trail = await record_intent(ctx, creds, request, view_after(request.kind).value)
    except AuditUnavailable as exc:
        logger.error(
            "action refused: audit trail unavailable", extra={"action": request.kind.value}
        )
        return Outcome(problems=problems_of(exc))
    observed = Observed()
    try:
        outcome = await _perform(ctx, creds, request, observed, reread=reread)
    except GatewayError as exc:  # Unauthenticated: recorded, then raised
        await record_outcome(ctx, trail, Outcome(problems=problems_of(exc)), observed)
        raise
    await record_outcome(ctx, trail, outcome, observed)
    return outcome


async def _perform(
    ctx: Context, creds: Credentials, request: ActionRequest, observed: Observed, *, reread: bool
) -> Outcome:
    try:
        guard.check_request(request)
    except BadUserInput as exc:
        observed.ran = True
        return Outcome(problems=problems_of(exc))
    try:
        return await run_once(
            ctx.operations.idempotency,
            key_scope(creds, request.idempotency_key),
            f"{request.kind.value}:{request.report_id}",
            lambda: _attempt(ctx, creds, request, observed, settling=False, reread=reread),
            settle=lambda: _attempt(ctx, creds, request, observed, settling=True, reread=reread),
        )
    except GatewayError as exc:  # IdempotencyConflict: nothing was sent
        observed.ran = True
        view = view_after(request.kind)
        return await refused(ctx, creds, exc, request.report_id, view, reread=reread)


async def _attempt(
    ctx: Context,
    creds: Credentials,
    request: ActionRequest,
    observed: Observed,
    *,
    settling: bool,
    reread: bool,
) -> Outcome:
    observed.ran = True

    async def change() -> Applied:
        details = await (_settling_read if settling else _read)(ctx, creds, request.report_id)
        observed.concur_status = details.approval_status.code
        if settling and guard.shows_applied(request, details):
            logger.info("unknown action outcome confirmed", extra={"action": request.kind.value})
            return Applied(request.report_id, confirmed=True)
        guard.check_report(request, details)
        try:
            await _send(ctx, creds, request, details)
        except ActionOutcomeUnknown:
            logger.warning("workflow action outcome unknown", extra={"action": request.kind.value})
            raise
        return Applied(request.report_id)

    context = view_after(request.kind)
    return await conclude(
        ctx, creds, request.report_id, context, change, details_fallback=True, reread=reread
    )


async def _read(ctx: Context, creds: Credentials, report_id: str) -> ReportDetails:
    return await ctx.operations.client.get_report_details(creds, report_id)


async def _settling_read(ctx: Context, creds: Credentials, report_id: str) -> ReportDetails:
    """The read that settles an unknown outcome: if it fails, the outcome stays unknown
    (kept under the key), whatever the reason, since a refused read says nothing about
    whether the action took effect (an approver may lose sight of a report it moved on)."""
    try:
        return await _read(ctx, creds, report_id)
    except (Unauthenticated, ActionOutcomeUnknown):
        raise
    except GatewayError as exc:
        raise ActionOutcomeUnknown(
            "An earlier request with this idempotency key may have applied the action, and "
            "the report could not be read to find out: re-read it, then try again with the "
            "same key.",
            correlation_id=exc.correlation_id,
        ) from exc


async def _send(
    ctx: Context, creds: Credentials, request: ActionRequest, details: ReportDetails
) -> None:
    client = ctx.operations.client
    url = details.workflow_action_url if request.protocol is Protocol.XML else None
    sequence = (
        str(request.expected_step_sequence) if request.expected_step_sequence is not None else None
    )
    match request.kind:
        case WorkflowActionKind.APPROVE:
            await client.approve(
                creds,
                request.report_id,
                protocol=request.protocol,
                comment=request.comment,
                expense_rejected_comment=request.expense_rejected_comment,
                expected_step_code=request.expected_step_code,
                expected_step_sequence=sequence,
                workflow_action_url=url,
            )
        case WorkflowActionKind.SEND_BACK:
            await client.send_back(
                creds,
                request.report_id,
                protocol=request.protocol,
                comment=request.comment or "",
                expected_step_code=request.expected_step_code,
                expected_step_sequence=sequence,
                workflow_action_url=url,
            )
        case WorkflowActionKind.RECALL:
            await client.recall(creds, request.report_id, ReportContext.TRAVELER)
        case WorkflowActionKind.SUBMIT:
            await client.submit(creds, request.report_id)


__all__ = ["perform", "view_after"]
