"""Mutation payloads: the report as it is now (when readable) and the expected failures."""

from __future__ import annotations

import strawberry

from resolvers.operations.outcome import Outcome
from resolvers.types.report import Report
from resolvers.types.user_error import UserError

REPORT = (
    "The report as Concur has it now, when it could be read. An approver who just acted no "
    "longer sees the full header: then only its id, statuses and entries are filled."
)
USER_ERRORS = "Why the mutation did not do what was asked; empty on success."
CONFIRMED = (
    "True when nothing was sent by this request because an earlier attempt under the same "
    "idempotency key ended with ACTION_OUTCOME_UNKNOWN and a fresh read of the report "
    "showed that the action had taken effect; false when the action was sent and answered."
)


@strawberry.type
class ApproveReportPayload:
    report: Report | None = strawberry.field(description=REPORT)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    confirmed: bool = strawberry.field(description=CONFIRMED, default=False)


@strawberry.type
class SendBackReportPayload:
    report: Report | None = strawberry.field(description=REPORT)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    confirmed: bool = strawberry.field(description=CONFIRMED, default=False)


@strawberry.type
class RecallReportPayload:
    report: Report | None = strawberry.field(description=REPORT)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    confirmed: bool = strawberry.field(description=CONFIRMED, default=False)


@strawberry.type
class SubmitReportPayload:
    report: Report | None = strawberry.field(description=REPORT)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    confirmed: bool = strawberry.field(description=CONFIRMED, default=False)


@strawberry.type
class CreateReportPayload:
    report: Report | None = strawberry.field(description=REPORT)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type
class UpdateReportPayload:
    report: Report | None = strawberry.field(description=REPORT)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type(description="What Concur said about one posted entry.")
class AddEntryResult:
    index: int = strawberry.field(description="1-based position in the `entries` argument.")
    success: bool
    entry_id: strawberry.ID | None
    message: str | None


@strawberry.type
class AddEntriesPayload:
    report: Report | None = strawberry.field(description=REPORT)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    results: list[AddEntryResult] = strawberry.field(
        description="One result per posted entry; a failed entry does not fail the others."
    )


def report_of(outcome: Outcome) -> Report | None:
    return Report.maybe(outcome.report)


def user_errors_of(outcome: Outcome) -> list[UserError]:
    return [UserError.from_problem(p) for p in outcome.problems]


def results_of(outcome: Outcome) -> list[AddEntryResult]:
    return [
        AddEntryResult(
            index=r.index,
            success=r.success,
            entry_id=strawberry.ID(r.entry_id) if r.entry_id is not None else None,
            message=r.message,
        )
        for r in outcome.entry_results
    ]


__all__ = [
    "AddEntriesPayload",
    "AddEntryResult",
    "ApproveReportPayload",
    "CreateReportPayload",
    "RecallReportPayload",
    "SendBackReportPayload",
    "SubmitReportPayload",
    "UpdateReportPayload",
    "report_of",
    "results_of",
    "user_errors_of",
]
