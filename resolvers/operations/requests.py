"""What a caller asks a mutation to do, free of any transport (GraphQL input, gRPC message)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from adapters.models import CustomField, NewEntry, NewReport, Protocol, WorkflowActionKind


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """A workflow action on one report, with what the caller believes about its step."""

    kind: WorkflowActionKind
    report_id: str
    expected_status: str | None = None
    expected_step_code: str | None = None
    expected_step_sequence: int | None = None
    comment: str | None = None
    expense_rejected_comment: str | None = None
    protocol: Protocol = Protocol.V4
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class CreateReportRequest:
    report: NewReport
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class ReportPatch:
    """A JSON Merge Patch of a report header: only ``fields`` present are sent; a None value
    clears that field. Keys are canonical names (``business_purpose``), never wire names."""

    fields: dict[str, str | date | list[CustomField] | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AddEntriesRequest:
    report_id: str
    entries: list[NewEntry]


__all__ = ["ActionRequest", "AddEntriesRequest", "CreateReportRequest", "ReportPatch"]
