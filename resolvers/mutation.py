"""The root Mutation type: thin resolvers over the workflow, report and entry operations.

Expected failures come back in ``userErrors``; only a missing or rejected token is a
GraphQL error (the caller must authenticate before anything else makes sense).
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from adapters.errors import BadUserInput
from resolvers.context import Context
from resolvers.fields import mutation
from resolvers.operations import actions, bulk, reports
from resolvers.operations import entries as entry_operations
from resolvers.operations.outcome import problems_of
from resolvers.operations.requests import ActionRequest, AddEntriesRequest, CreateReportRequest
from resolvers.types.bulk import ApproveReportsInput, BulkActionPayload, SendBackReportsInput
from resolvers.types.inputs import (
    ApproveReportInput,
    CreateReportInput,
    EntryInput,
    RecallReportInput,
    ReportPatchInput,
    SendBackReportInput,
    SubmitReportInput,
)
from resolvers.types.payloads import (
    AddEntriesPayload,
    ApproveReportPayload,
    CreateReportPayload,
    RecallReportPayload,
    SendBackReportPayload,
    SubmitReportPayload,
    UpdateReportPayload,
    report_of,
    results_of,
    user_errors_of,
)


@strawberry.type
class Mutation:
    @mutation("Approve a report, after checking it is at the step you expect.")
    async def approve_report(
        self, info: strawberry.Info[Context, None], input: ApproveReportInput
    ) -> ApproveReportPayload:
        outcome = await actions.perform(info.context, input.to_request())
        return ApproveReportPayload(
            report=report_of(outcome),
            user_errors=user_errors_of(outcome),
            confirmed=outcome.confirmed,
        )

    @mutation("Send a report back to its owner, after checking it is at the step you expect.")
    async def send_back_report(
        self, info: strawberry.Info[Context, None], input: SendBackReportInput
    ) -> SendBackReportPayload:
        outcome = await actions.perform(info.context, input.to_request())
        return SendBackReportPayload(
            report=report_of(outcome),
            user_errors=user_errors_of(outcome),
            confirmed=outcome.confirmed,
        )

    @mutation(
        "Approve several reports: each item exactly as `approveReport` would, a few at a "
        "time; one item's failure does not stop the others."
    )
    async def approve_reports(
        self, info: strawberry.Info[Context, None], input: ApproveReportsInput
    ) -> BulkActionPayload:
        return await _bulk(info.context, input.to_requests(), input.batch_key)

    @mutation(
        "Send several reports back: each item exactly as `sendBackReport` would, a few at a "
        "time; one item's failure does not stop the others."
    )
    async def send_back_reports(
        self, info: strawberry.Info[Context, None], input: SendBackReportsInput
    ) -> BulkActionPayload:
        return await _bulk(info.context, input.to_requests(), input.batch_key)

    @mutation("Recall your submitted report before anyone approves it.")
    async def recall_report(
        self, info: strawberry.Info[Context, None], input: RecallReportInput
    ) -> RecallReportPayload:
        outcome = await actions.perform(info.context, input.to_request())
        return RecallReportPayload(
            report=report_of(outcome),
            user_errors=user_errors_of(outcome),
            confirmed=outcome.confirmed,
        )

    @mutation("Submit your report for approval.")
    async def submit_report(
        self, info: strawberry.Info[Context, None], input: SubmitReportInput
    ) -> SubmitReportPayload:
        outcome = await actions.perform(info.context, input.to_request())
        return SubmitReportPayload(
            report=report_of(outcome),
            user_errors=user_errors_of(outcome),
            confirmed=outcome.confirmed,
        )

    @mutation("Create a report for the caller.")
    async def create_report(
        self, info: strawberry.Info[Context, None], input: CreateReportInput
    ) -> CreateReportPayload:
        request = CreateReportRequest(
            report=input.to_model(), idempotency_key=input.idempotency_key
        )
        outcome = await reports.create(info.context, request)
        return CreateReportPayload(report=report_of(outcome), user_errors=user_errors_of(outcome))

    @mutation("Change fields of an unsubmitted report's header.")
    async def update_report(
        self,
        info: strawberry.Info[Context, None],
        report_id: strawberry.ID,
        patch: ReportPatchInput,
    ) -> UpdateReportPayload:
        outcome = await reports.update(info.context, report_id, patch.to_patch())
        return UpdateReportPayload(report=report_of(outcome), user_errors=user_errors_of(outcome))

    @mutation("Add expense entries to an unsubmitted report.")
    async def add_entries(
        self,
        info: strawberry.Info[Context, None],
        report_id: strawberry.ID,
        entries: list[EntryInput],
    ) -> AddEntriesPayload:
        request = AddEntriesRequest(report_id=report_id, entries=[e.to_model() for e in entries])
        outcome = await entry_operations.add(info.context, request)
        return AddEntriesPayload(
            report=report_of(outcome),
            user_errors=user_errors_of(outcome),
            results=results_of(outcome),
        )


async def _bulk(
    ctx: Context, requests: Sequence[ActionRequest], batch_key: str | None
) -> BulkActionPayload:
    ctx.require_credentials()
    try:
        items = bulk.prepare(ctx, requests, batch_key)
    except BadUserInput as exc:
        return BulkActionPayload.refusal(problems_of(exc))
    results = await bulk.perform_all(ctx, items)  # prepare refuses an empty batch
    return BulkActionPayload.of(results, actions.view_after(items[0].kind))


__all__ = ["Mutation"]
