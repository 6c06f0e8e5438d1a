"""Writing the audit trail of one workflow action: its intent, then its outcome.

The intent is written before anything is sent to Concur: if it cannot be written and the
trail is required (``Operations.audit_required``), the action is refused with
``AUDIT_UNAVAILABLE`` and nothing is sent. The outcome is written after, whatever happened;
failing to write it cannot undo what Concur did, so that failure is logged, never raised
(the intent without an outcome remains as evidence).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opentelemetry import trace

from adapters.client import Credentials
from adapters.errors import ActionOutcomeUnknown, AuditUnavailable
from resolvers.operations.audit import AuditEntry, AuditKind, AuditOutcome
from resolvers.operations.outcome import Outcome
from resolvers.operations.requests import ActionRequest

if TYPE_CHECKING:
    from resolvers.context import Context

logger = logging.getLogger(__name__)

REPLAYED = "Replayed the outcome kept under the idempotency key; nothing was sent."


@dataclass(slots=True)
class Observed:
    """What one run of an action saw, for its outcome record."""

    concur_status: str | None = None
    """The approval status the guard read (None when no read happened)."""
    ran: bool = False
    """An attempt ran; False means the outcome was replayed from the idempotency key."""


@dataclass(frozen=True, slots=True)
class Trail:
    """One action's place in the trail: its intent (whose fields the outcome repeats) and
    the intent's id (None when it could not be recorded and the trail is not required)."""

    intent: AuditEntry
    intent_id: int | None


def classify(outcome: Outcome) -> AuditOutcome:
    """How an action ended, in the trail's (and the bulk payload's) terms."""
    if outcome.confirmed:
        return AuditOutcome.CONFIRMED
    if outcome.succeeded:
        return AuditOutcome.APPLIED
    if outcome.unsettled:
        return AuditOutcome.UNKNOWN
    return AuditOutcome.REFUSED


def _trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def _intent(ctx: Context, creds: Credentials, request: ActionRequest, view: str) -> AuditEntry:
    return AuditEntry(
        kind=AuditKind.INTENT,
        action=request.kind.value,
        report_id=request.report_id,
        user_id=creds.user_id,
        caller_kind=creds.kind.value,
        context=view,
        protocol=request.protocol.value,
        expected_status=request.expected_status,
        expected_step_code=request.expected_step_code,
        expected_step_sequence=request.expected_step_sequence,
        idempotency_key=request.idempotency_key,
        correlation_id=ctx.correlation_id,
        trace_id=_trace_id(),
    )


async def record_intent(
    ctx: Context, creds: Credentials, request: ActionRequest, view: str
) -> Trail:
    """Record that the action is about to be attempted; ``AuditUnavailable`` when it cannot
    be and the trail is required."""
    intent = _intent(ctx, creds, request, view)
    try:
        record = await ctx.operations.audit.append(intent)
    except AuditUnavailable:
        if ctx.operations.audit_required:
            raise
        logger.error("audit intent not recorded; acting anyway", extra={"action": intent.action})
        return Trail(intent, None)
    return Trail(intent, record.id)


async def record_outcome(ctx: Context, trail: Trail, outcome: Outcome, observed: Observed) -> None:
    """Record how the action ended (never raises: the action cannot be undone)."""
    verdict = classify(outcome)
    problems = outcome.problems
    message = "; ".join(p.message for p in problems) or None
    if not observed.ran:
        message = REPLAYED
    code = problems[0].code if problems else None
    if verdict is AuditOutcome.UNKNOWN:
        code = ActionOutcomeUnknown.code
    entry = trail.intent.model_copy(
        update={
            "kind": AuditKind.OUTCOME,
            "concur_status": observed.concur_status,
            "outcome": verdict,
            "code": code,
            "message": message,
            "intent_id": trail.intent_id,
        }
    )
    try:
        await ctx.operations.audit.append(entry)
    except AuditUnavailable:
        logger.error(
            "audit outcome not recorded", extra={"action": entry.action, "outcome": verdict.value}
        )


__all__ = ["REPLAYED", "Observed", "Trail", "classify", "record_intent", "record_outcome"]
