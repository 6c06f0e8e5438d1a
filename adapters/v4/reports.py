"""v4 reports: the header (GET/POST/PATCH) and ``reportsToApprove``.

Routes are the docs' URI templates (also used, unfilled, in logs). The user-form PATCH is a
JSON Merge Patch that Concur refuses without ``reportSource``, so it is always added
(``OTHER``: the gateway is neither the web UI nor mobile); canonical snake_case keys are
mapped to the v4 names and anything else is refused before sending.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final

import orjson
from pydantic import TypeAdapter

from adapters.errors import BadUserInput, UpstreamBadResponse
from adapters.models import (
    Amount,
    CustomField,
    NewReport,
    Report,
    ReportSummary,
    Status,
)
from adapters.paths import segment_after
from adapters.v4.copy import from_wire
from adapters.v4.wire import (
    WireAmount,
    WireCreated,
    WireReportDetails,
    WireReportToApprove,
    parse_wire,
)

REPORT_ROUTE: Final = "/expensereports/v4/users/{userId}/context/{contextType}/reports/{reportId}"
REPORTS_ROUTE: Final = "/expensereports/v4/users/{userId}/context/{contextType}/reports"
TO_APPROVE_ROUTE: Final = "/expensereports/v4/users/{userId}/context/MANAGER/reportsToApprove"
REPORT_SOURCE: Final = "OTHER"

# Canonical patch keys → v4 ``UpdateReport`` names.
UPDATE_FIELDS: Final = {
    "name": "name",
    "business_purpose": "businessPurpose",
    "comment": "comment",
    "country": "country",
    "country_code": "countryCode",
    "country_sub_division_code": "countrySubDivisionCode",
    "custom_data": "customData",
    "start_date": "startDate",
    "end_date": "endDate",
    "report_date": "reportDate",
    "policy": "policy",
    "policy_id": "policyId",
    "is_paper_receipts_received": "isPaperReceiptsReceived",
    "is_copy_down_inherited": "isCopyDownInherited",
}
_BOOLEAN_FIELDS: Final = {"is_paper_receipts_received", "is_copy_down_inherited"}
_DATE_FIELDS: Final = {"start_date", "end_date", "report_date"}

_REPORT = TypeAdapter(WireReportDetails)
_TO_APPROVE = TypeAdapter(list[WireReportToApprove])
_CREATED = TypeAdapter(WireCreated)


def amount(wire: WireAmount | None) -> Amount | None:
    """A renamed amount, given by hand (those named alike are copied by ``from_wire``)."""
    return None if wire is None else from_wire(Amount, wire)


def parse_report(body: bytes, *, correlation_id: str | None = None) -> Report:
    """Fields named alike in ``ReportDetails`` and ``Report`` are copied by name."""
    wire = parse_wire(body, _REPORT, correlation_id=correlation_id)
    return from_wire(
        Report,
        wire,
        id=wire.report_id,
        total=amount(wire.report_total),
        claimed=amount(wire.claimed_amount),
        approved=amount(wire.approved_amount),
        personal=amount(wire.personal_amount),
        approval_status=Status(
            code=wire.approval_status_id, name=wire.approval_status or wire.approval_status_id
        ),
        payment_status=Status(
            code=wire.payment_status_id, name=wire.payment_status or wire.payment_status_id
        ),
        owner_id=wire.user_id,
        version=wire.report_version,
    )


def parse_reports_to_approve(
    body: bytes, *, correlation_id: str | None = None
) -> list[ReportSummary]:
    """``reportsToApprove`` rows; the total shown is the claimed amount."""
    rows = parse_wire(body, _TO_APPROVE, correlation_id=correlation_id)
    return [
        from_wire(ReportSummary, row, id=row.report_id, total=amount(row.claimed_amount))
        for row in rows
    ]


def _custom_data_json(value: object, field: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise BadUserInput("custom_data must be a list of {id, value} items.", field=field)
    items: list[dict[str, Any]] = []
    for item in value:
        if isinstance(item, CustomField):
            field_id, field_value = item.id, item.code if item.code is not None else item.value
        elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
            field_id, field_value = item["id"], item.get("value")
        else:
            raise BadUserInput("custom_data items need an id and a value.", field=field)
        if field_value is not None and not isinstance(field_value, str):
            raise BadUserInput("custom_data values must be strings.", field=field)
        items.append({"id": field_id, "value": field_value})
    return items


def new_report_body(report: NewReport) -> bytes:
    """The v4 ``NewReport`` JSON; absent fields are omitted."""
    document: dict[str, Any] = {
        "name": report.name,
        "businessPurpose": report.business_purpose,
        "comment": report.comment,
        "countryCode": report.country_code,
        "countrySubDivisionCode": report.country_sub_division_code,
        "policyId": report.policy_id,
        "reportDate": report.report_date.isoformat() if report.report_date else None,
        "startDate": report.start_date.isoformat() if report.start_date else None,
        "endDate": report.end_date.isoformat() if report.end_date else None,
    }
    if report.custom_data:
        document["customData"] = _custom_data_json(report.custom_data, "custom_data")
    return orjson.dumps({k: v for k, v in document.items() if v is not None})


def _patch_value(key: str, value: object) -> object:
    if value is None:
        return None  # merge patch: null removes an optional field
    if key == "custom_data":
        return _custom_data_json(value, key)
    if key in _DATE_FIELDS:
        if isinstance(value, datetime) or not isinstance(value, date | str):
            raise BadUserInput(f"{key} must be a date (YYYY-MM-DD).", field=key)
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError as exc:
                raise BadUserInput(f"{key} must be a date (YYYY-MM-DD).", field=key) from exc
        return value.isoformat()
    if key in _BOOLEAN_FIELDS:
        if not isinstance(value, bool):
            raise BadUserInput(f"{key} must be true or false.", field=key)
        return value
    if not isinstance(value, str):
        raise BadUserInput(f"{key} must be a string.", field=key)
    return value


def update_report_body(patch: Mapping[str, object]) -> bytes:
    """A merge patch in v4 names plus ``reportSource``; unknown keys → ``BadUserInput``."""
    unknown = sorted(set(patch) - set(UPDATE_FIELDS))
    if unknown:
        raise BadUserInput(
            f"Cannot update {', '.join(unknown)}: updatable fields are "
            f"{', '.join(sorted(UPDATE_FIELDS))}.",
            field=unknown[0],
        )
    if not patch:
        raise BadUserInput("Give at least one field to update.", field="patch")
    document = {UPDATE_FIELDS[key]: _patch_value(key, value) for key, value in patch.items()}
    document["reportSource"] = REPORT_SOURCE
    return orjson.dumps(document)


def parse_created_id(body: bytes, *, correlation_id: str | None = None) -> str:
    """The new report id: the segment after ``reports/`` in the 201 ``uri``."""
    created = parse_wire(body, _CREATED, correlation_id=correlation_id)
    report_id = segment_after(created.uri, "reports")
    if report_id is None:
        raise UpstreamBadResponse(
            "Concur created the report but its answer does not name the new id.",
            correlation_id=correlation_id,
        )
    return report_id


__all__ = [
    "REPORTS_ROUTE",
    "REPORT_ROUTE",
    "REPORT_SOURCE",
    "TO_APPROVE_ROUTE",
    "UPDATE_FIELDS",
    "amount",
    "new_report_body",
    "parse_created_id",
    "parse_report",
    "parse_reports_to_approve",
    "update_report_body",
]
