"""Mutation inputs. Each converts itself into a transport-free request for the operations.

Each checks its text on construction (``bounds.check_text``: no control characters, Concur's
documented lengths); amounts are bounded by the ``Decimal`` scalar (``scalars``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from adapters import models
from resolvers.operations.requests import ActionRequest, ReportPatch
from resolvers.types import bounds
from resolvers.types.bounds import check_text
from resolvers.types.enums import Protocol

EXPECTED_STATUS = "The approval status code you expect the report to be at (A_PEND, ...)."
EXPECTED_STEP_CODE = "The step code you expect (enforced by Concur v4)."
EXPECTED_STEP_SEQUENCE = "The step sequence you expect (enforced by Concur v4)."
REPORT_LIMITS = {
    "name": bounds.REPORT_NAME,
    "business_purpose": bounds.REPORT_PURPOSE,
    "comment": bounds.REPORT_COMMENT,
}
ENTRY_LIMITS = {
    "description": bounds.ENTRY_DESCRIPTION,
    "vendor": bounds.ENTRY_VENDOR,
    "comment": bounds.ENTRY_COMMENT,
}
IDEMPOTENCY_KEY = "Repeat a call with the same key to get its first outcome without acting twice."


@strawberry.input(description="Approve a report at its current step.")
class ApproveReportInput:
    report_id: strawberry.ID
    expected_status: str | None = strawberry.field(default=None, description=EXPECTED_STATUS)
    expected_step_code: str | None = strawberry.field(default=None, description=EXPECTED_STEP_CODE)
    expected_step_sequence: int | None = strawberry.field(
        default=None, description=EXPECTED_STEP_SEQUENCE
    )
    comment: str | None = None
    expense_rejected_comment: str | None = strawberry.field(
        default=None, description="Why some expenses are rejected (required if any are)."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)
    protocol: Protocol = Protocol.V4

    def __post_init__(self) -> None:
        check_text(self, {})  # comment lengths: the workflow guard (gRPC too)

    def to_request(self) -> ActionRequest:
        return ActionRequest(
            kind=models.WorkflowActionKind.APPROVE,
            report_id=self.report_id,
            expected_status=self.expected_status,
            expected_step_code=self.expected_step_code,
            expected_step_sequence=self.expected_step_sequence,
            comment=self.comment,
            expense_rejected_comment=self.expense_rejected_comment,
            protocol=self.protocol,
            idempotency_key=self.idempotency_key,
        )


@strawberry.input(description="Send a report back to its owner (a comment is required).")
class SendBackReportInput:
    report_id: strawberry.ID
    comment: str | None = strawberry.field(
        default=None, description="Why the report goes back (required, at most 2000 characters)."
    )
    expected_status: str | None = strawberry.field(default=None, description=EXPECTED_STATUS)
    expected_step_code: str | None = strawberry.field(default=None, description=EXPECTED_STEP_CODE)
    expected_step_sequence: int | None = strawberry.field(
        default=None, description=EXPECTED_STEP_SEQUENCE
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)
    protocol: Protocol = Protocol.V4

    def __post_init__(self) -> None:
        check_text(self, {})  # comment length: the workflow guard (gRPC too)

    def to_request(self) -> ActionRequest:
        return ActionRequest(
            kind=models.WorkflowActionKind.SEND_BACK,
            report_id=self.report_id,
            expected_status=self.expected_status,
            expected_step_code=self.expected_step_code,
            expected_step_sequence=self.expected_step_sequence,
            comment=self.comment,
            protocol=self.protocol,
            idempotency_key=self.idempotency_key,
        )


@strawberry.input(
    description=(
        "Recall a submitted report to its owner (only while no approver has acted). "
        "Concur does not check the step of a recall itself, so expectedStatus is required."
    )
)
class RecallReportInput:
    report_id: strawberry.ID
    expected_status: str = strawberry.field(description=EXPECTED_STATUS)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)

    def __post_init__(self) -> None:
        check_text(self, {})

    def to_request(self) -> ActionRequest:
        return ActionRequest(
            kind=models.WorkflowActionKind.RECALL,
            report_id=self.report_id,
            expected_status=self.expected_status,
            idempotency_key=self.idempotency_key,
        )


@strawberry.input(
    description=(
        "Submit an unsubmitted report for approval. Concur does not check the step of a "
        "submit itself, so expectedStatus is required."
    )
)
class SubmitReportInput:
    report_id: strawberry.ID
    expected_status: str = strawberry.field(description=EXPECTED_STATUS)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)

    def __post_init__(self) -> None:
        check_text(self, {})

    def to_request(self) -> ActionRequest:
        return ActionRequest(
            kind=models.WorkflowActionKind.SUBMIT,
            report_id=self.report_id,
            expected_status=self.expected_status,
            idempotency_key=self.idempotency_key,
        )


@strawberry.input(description="A custom field value (for list fields, `code` is the item code).")
class CustomFieldInput:
    name: str
    value: str | None = None
    code: str | None = None

    def __post_init__(self) -> None:
        check_text(self, {"value": bounds.CUSTOM_VALUE})

    def to_model(self) -> models.CustomField:
        return models.CustomField(id=self.name, value=self.value, code=self.code)


@strawberry.input(description="A new expense report.")
class CreateReportInput:
    name: str
    business_purpose: str | None = None
    comment: str | None = None
    country_code: str | None = None
    country_sub_division_code: str | None = None
    policy_id: str | None = None
    report_date: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    custom_data: list[CustomFieldInput] | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)

    def __post_init__(self) -> None:
        check_text(self, REPORT_LIMITS)

    def to_model(self) -> models.NewReport:
        return models.NewReport(
            name=self.name,
            business_purpose=self.business_purpose,
            comment=self.comment,
            country_code=self.country_code,
            country_sub_division_code=self.country_sub_division_code,
            policy_id=self.policy_id,
            report_date=self.report_date,
            start_date=self.start_date,
            end_date=self.end_date,
            custom_data=[f.to_model() for f in self.custom_data or ()],
        )


@strawberry.input(
    description=(
        "A merge patch of a report header: only fields you give are changed; null clears a "
        "field (except name)."
    )
)
class ReportPatchInput:
    name: str | None = strawberry.UNSET
    business_purpose: str | None = strawberry.UNSET
    comment: str | None = strawberry.UNSET
    report_date: date | None = strawberry.UNSET
    start_date: date | None = strawberry.UNSET
    end_date: date | None = strawberry.UNSET
    policy_id: str | None = strawberry.UNSET
    country_code: str | None = strawberry.UNSET
    country_sub_division_code: str | None = strawberry.UNSET
    custom_data: list[CustomFieldInput] | None = strawberry.UNSET

    def __post_init__(self) -> None:
        check_text(self, REPORT_LIMITS)

    def to_patch(self) -> ReportPatch:
        fields: dict[str, str | date | list[models.CustomField] | None] = {}
        for name in (
            "name",
            "business_purpose",
            "comment",
            "report_date",
            "start_date",
            "end_date",
            "policy_id",
            "country_code",
            "country_sub_division_code",
        ):
            value = getattr(self, name)
            if value is not strawberry.UNSET:
                fields[name] = value
        if self.custom_data is not strawberry.UNSET:
            fields["custom_data"] = (
                None if self.custom_data is None else [f.to_model() for f in self.custom_data]
            )
        return ReportPatch(fields=fields)


@strawberry.input(description="A new expense entry: currency, type, date and amount at least.")
class EntryInput:
    currency_code: str
    expense_type_key: str
    transaction_date: date
    transaction_amount: Decimal
    description: str | None = None
    vendor: str | None = None
    comment: str | None = None
    is_personal: bool = False
    location_id: str | None = None
    payment_type_id: str | None = None
    custom_fields: list[CustomFieldInput] | None = None

    def __post_init__(self) -> None:
        check_text(self, ENTRY_LIMITS)

    def to_model(self) -> models.NewEntry:
        return models.NewEntry(
            currency_code=self.currency_code,
            expense_type_key=self.expense_type_key,
            transaction_date=self.transaction_date,
            transaction_amount=self.transaction_amount,
            description=self.description,
            vendor=self.vendor,
            comment=self.comment,
            is_personal=self.is_personal,
            location_id=self.location_id,
            payment_type_id=self.payment_type_id,
            custom_fields=[f.to_model() for f in self.custom_fields or ()],
        )


__all__ = [
    "ApproveReportInput",
    "CreateReportInput",
    "CustomFieldInput",
    "EntryInput",
    "RecallReportInput",
    "ReportPatchInput",
    "SendBackReportInput",
    "SubmitReportInput",
]
