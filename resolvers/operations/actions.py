"""Workflow actions (approve, send back, recall, submit): guard, send at most once, re-read.

Each action: refuse bad input before any upstream call; claim the idempotency key; read the
report's details fresh and check the caller's expectation (``guard``); send the action once
(adapters never retry actions); forget cached copies; return the report read fresh.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from adapters.client import Credentials
from adapters.errors import ActionOutcomeUnknown, BadUserInput, GatewayError
from adapters.models import Protocol, ReportContext, ReportDetails, WorkflowActionKind
from resolvers.operations import guard
from resolvers.operations.freshness import fresh_report, invalidate, refused
from resolvers.operations.idempotency import run_once
from resolvers.operations.outcome import Outcome, problems_of
from resolvers.operations.requests import ActionRequest

if TYPE_CHECKING:
    from resolvers.context import Context

logger = logging.getLogger(__name__)


def view_after(kind: WorkflowActionKind) -> ReportContext:
    """Whose view the payload's report is read in: the approver's or the owner's."""
    if kind in (WorkflowActionKind.APPROVE, WorkflowActionKind.SEND_BACK):
        return ReportContext.MANAGER
    return ReportContext.TRAVELER


async def perform(ctx: Context, request: ActionRequest) -> Outcome:
    """Run one workflow action; expected failures come back as ``Outcome.problems``."""
    creds = ctx.require_credentials()
    try:
        guard.check_request(request)
    except BadUserInput as exc:
        return Outcome(problems=problems_of(exc))
    scope = f"{creds.kind.value}:{creds.user_id.lower()}:{request.idempotency_key}"
    fingerprint = f"{request.kind.value}:{request.report_id}"
    try:
        return await run_once(
            ctx.operations.idempotency,
            scope if request.idempotency_key is not None else None,
            fingerprint,
            lambda: _attempt(ctx, creds, request),
        )
    except GatewayError as exc:  # IdempotencyConflict: nothing was read or sent
        return await refused(ctx, creds, exc, None, view_after(request.kind))


async def _attempt(ctx: Context, creds: Credentials, request: ActionRequest) -> Outcome:
    context = view_after(request.kind)
    client = ctx.operations.client
    try:
        details = await client.get_report_details(creds, request.report_id)
        guard.check_report(request, details)
        await _send(ctx, creds, request, details)
    except ActionOutcomeUnknown as exc:
        logger.warning("workflow action outcome unknown", extra={"action": request.kind.value})
        await invalidate(ctx, request.report_id)
        return await refused(ctx, creds, exc, request.report_id, context)
    except GatewayError as exc:
        return await refused(ctx, creds, exc, request.report_id, context)
    await invalidate(ctx, request.report_id)
    report = await fresh_report(ctx, creds, request.report_id, context, details_fallback=True)
    return Outcome(report=report)


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
