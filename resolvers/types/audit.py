"""The audit trail in the graph: records, their filter and pages of them."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from resolvers.operations import audit as model
from resolvers.operations.audit import AuditOutcome
from resolvers.operations.audit_reads import cursor_of

strawberry.enum(
    AuditOutcome,
    name="ActionOutcome",
    description=(
        "How a workflow action ended: APPLIED (sent and accepted), REFUSED (nothing applied; "
        "see the code), UNKNOWN (sent, no definite answer: repeat with the same key to "
        "settle it), CONFIRMED (an earlier UNKNOWN that a fresh read showed was applied)."
    ),
)

strawberry.enum(
    model.AuditKind,
    name="AuditRecordKind",
    description="INTENT: written before anything is sent to Concur; OUTCOME: written after.",
)


@strawberry.type(
    description=(
        "One append-only record of a workflow action. `hash` chains it to the record before "
        "(`prevHash`), so any later edit is evident (`concur-gateway audit verify`)."
    )
)
class AuditRecord:
    id: strawberry.ID
    kind: model.AuditKind
    recorded_at: datetime
    action: str
    report_id: strawberry.ID
    user_id: str
    caller_kind: str
    context: str | None
    protocol: str | None
    expected_status: str | None
    expected_step_code: str | None
    expected_step_sequence: int | None
    concur_status: str | None = strawberry.field(
        description="The approval status Concur had when the guard read the report."
    )
    idempotency_key: str | None
    correlation_id: str | None
    trace_id: str | None
    outcome: AuditOutcome | None
    code: str | None = strawberry.field(description="A refusal's code (REFUSED outcomes).")
    message: str | None = strawberry.field(description="Concur's own message, or ours.")
    intent_id: strawberry.ID | None = strawberry.field(
        description="On an outcome: the intent it closes."
    )
    prev_hash: str
    hash: str

    @classmethod
    def from_model(cls, record: model.AuditRecord) -> AuditRecord:
        return cls(
            id=strawberry.ID(str(record.id)),
            kind=record.kind,
            recorded_at=record.recorded_at,
            action=record.action,
            report_id=strawberry.ID(record.report_id),
            user_id=record.user_id,
            caller_kind=record.caller_kind,
            context=record.context,
            protocol=record.protocol,
            expected_status=record.expected_status,
            expected_step_code=record.expected_step_code,
            expected_step_sequence=record.expected_step_sequence,
            concur_status=record.concur_status,
            idempotency_key=record.idempotency_key,
            correlation_id=record.correlation_id,
            trace_id=record.trace_id,
            outcome=record.outcome,
            code=record.code,
            message=record.message,
            intent_id=None if record.intent_id is None else strawberry.ID(str(record.intent_id)),
            prev_hash=record.prev_hash,
            hash=record.hash,
        )


@strawberry.type(description="Where a page of the trail ends.")
class AuditPageInfo:
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_next_page: bool


@strawberry.type(description="A page of audit records, oldest first.")
class AuditTrail:
    records: list[AuditRecord]
    page_info: AuditPageInfo

    @classmethod
    def from_page(cls, page: model.AuditPage) -> AuditTrail:
        last = page.records[-1].id if page.records else None
        return cls(
            records=[AuditRecord.from_model(r) for r in page.records],
            page_info=AuditPageInfo(
                end_cursor=None if last is None else cursor_of(last),
                has_next_page=page.next_after is not None,
            ),
        )


@strawberry.input(description="Which audit records to read; every field given narrows.")
class AuditTrailFilter:
    report_id: strawberry.ID | None = None
    user_id: str | None = None
    action: str | None = strawberry.field(default=None, description="APPROVE, SEND_BACK, ...")
    outcome: AuditOutcome | None = None
    since: datetime | None = None
    until: datetime | None = None

    def to_model(self) -> model.AuditFilter:
        return model.AuditFilter(
            report_id=self.report_id,
            user_id=self.user_id,
            action=self.action,
            outcome=self.outcome,
            since=_utc(self.since),
            until=_utc(self.until),
        )


def _utc(value: datetime | None) -> datetime | None:
    """An instant without a zone is read as UTC, the trail's own zone."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


__all__ = ["AuditOutcome", "AuditPageInfo", "AuditRecord", "AuditTrail", "AuditTrailFilter"]
