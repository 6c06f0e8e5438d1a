"""Bulk workflow actions in the graph: their inputs, one result per item, and the counts.

An item's ``report`` is read only when selected: a batch of N reports costs Concur N guard
reads and N actions, and the payload's reports only if the caller asks for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import strawberry

from adapters.models import ReportContext
from resolvers.context import Context
from resolvers.fields import field
from resolvers.operations.bulk import ItemResult
from resolvers.operations.freshness import fresh_report
from resolvers.operations.outcome import Problem
from resolvers.operations.requests import ActionRequest
from resolvers.types.audit import AuditOutcome
from resolvers.types.inputs import ApproveReportInput, SendBackReportInput
from resolvers.types.report import Report
from resolvers.types.user_error import UserError

BATCH_KEY = (
    "Idempotency for the whole batch: each item's key is `<batchKey>:<reportId>` (unless the "
    "item has its own), so repeating the batch replays or settles each item, never acts twice."
)


@strawberry.input(description="Approve several reports, each after checking its step.")
class ApproveReportsInput:
    items: list[ApproveReportInput]
    batch_key: str | None = strawberry.field(default=None, description=BATCH_KEY)

    def to_requests(self) -> list[ActionRequest]:
        return [item.to_request() for item in self.items]


@strawberry.input(description="Send several reports back, each after checking its step.")
class SendBackReportsInput:
    items: list[SendBackReportInput]
    batch_key: str | None = strawberry.field(default=None, description=BATCH_KEY)

    def to_requests(self) -> list[ActionRequest]:
        return [item.to_request() for item in self.items]


@strawberry.type(description="How one report of a bulk action ended.")
class BulkItemResult:
    report_id: strawberry.ID
    outcome: AuditOutcome
    user_errors: list[UserError] = strawberry.field(
        description="Why this item was not applied; empty when APPLIED or CONFIRMED."
    )
    context: strawberry.Private[ReportContext]

    @field("The report as Concur has it now, read only when selected (null if unreadable).")
    async def report(self, info: strawberry.Info[Context, None]) -> Report | None:
        ctx = info.context
        creds = ctx.require_credentials()
        model = await fresh_report(ctx, creds, self.report_id, self.context, details_fallback=True)
        return Report.maybe(model)

    @classmethod
    def from_result(cls, result: ItemResult, context: ReportContext) -> BulkItemResult:
        return cls(
            report_id=strawberry.ID(result.request.report_id),
            outcome=result.verdict,
            user_errors=[UserError.from_problem(p) for p in result.outcome.problems],
            context=context,
        )


@strawberry.type(description="Every item of a bulk action, in the order given, with counts.")
class BulkActionPayload:
    items: list[BulkItemResult]
    user_errors: list[UserError] = strawberry.field(
        description="Why the whole batch was refused before anything was sent (then no items)."
    )
    applied: int
    refused: int
    unknown: int
    confirmed: int

    @classmethod
    def of(cls, results: Sequence[ItemResult], context: ReportContext) -> BulkActionPayload:
        counts = Counter(result.verdict for result in results)
        return cls(
            items=[BulkItemResult.from_result(result, context) for result in results],
            user_errors=[],
            applied=counts[AuditOutcome.APPLIED],
            refused=counts[AuditOutcome.REFUSED],
            unknown=counts[AuditOutcome.UNKNOWN],
            confirmed=counts[AuditOutcome.CONFIRMED],
        )

    @classmethod
    def refusal(cls, problems: Sequence[Problem]) -> BulkActionPayload:
        errors = [UserError.from_problem(p) for p in problems]
        return cls(items=[], user_errors=errors, applied=0, refused=0, unknown=0, confirmed=0)


__all__ = ["ApproveReportsInput", "BulkActionPayload", "BulkItemResult", "SendBackReportsInput"]
