"""Pydantic models of the v4 JSON wire (camelCase, as Concur sends it).

Field names follow the docs' schemas exactly through a camelCase alias generator; unknown
fields are ignored (Concur adds fields without notice). Amount values are ``Decimal``: the
body is decoded with ``parse_float=Decimal`` first (``decode_json``) because pydantic's own
JSON parser goes through float and would turn ``525.00000000`` into ``525`` and ``0E-8``
into ``0``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from adapters.errors import UpstreamBadResponse

_T = TypeVar("_T")


class Wire(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class WireAmount(Wire):
    value: Decimal
    currency_code: str


class WireCustomData(Wire):
    id: str
    value: str | None = None
    is_valid: bool = True
    list_item_url: str | None = None


class WireReportDetails(Wire):
    """``ReportDetails`` (the fields the canonical ``Report`` uses)."""

    report_id: str
    name: str | None = None
    business_purpose: str | None = None
    report_number: str | None = None
    report_date: date | None = None
    creation_date: datetime | None = None
    submit_date: datetime | None = None
    currency_code: str | None = None
    report_total: WireAmount | None = None
    claimed_amount: WireAmount | None = None
    approved_amount: WireAmount | None = None
    amount_due_employee: WireAmount | None = None
    amount_due_company_card: WireAmount | None = None
    personal_amount: WireAmount | None = None
    approval_status: str | None = None
    approval_status_id: str
    payment_status: str | None = None
    payment_status_id: str
    user_id: str | None = None
    policy: str | None = None
    policy_id: str | None = None
    custom_data: list[WireCustomData] | None = None
    can_recall: bool = False
    report_version: int | None = None


class WireEmployee(Wire):
    employee_id: str | None = None
    employee_uuid: str | None = None


class WireReportToApprove(Wire):
    report_id: str
    name: str | None = None
    report_number: str | None = None
    report_date: date | None = None
    submit_date: datetime | None = None
    approver: WireEmployee | None = None
    employee: WireEmployee | None = None
    amount_due_employee: WireAmount | None = None
    claimed_amount: WireAmount | None = None
    total_approved_amount: WireAmount | None = None
    has_exceptions: bool = False
    report_type: str | None = None


class WireCostObjectExpense(Wire):
    id: str
    approved_amount: WireAmount | None = None
    posted_amount: WireAmount | None = None
    # The schema table names ``claimedAmount`` where the sample shows ``postedAmount``.
    claimed_amount: WireAmount | None = None


class WireCostObject(Wire):
    name: str
    approved_amount: WireAmount
    claimed_amount: WireAmount
    approver_id: str
    expenses: list[WireCostObjectExpense] = []
    is_owned_by_caller: bool
    is_fully_approved: bool
    is_approvable_as_user: bool
    is_approvable_as_delegate: bool


class WireCreated(Wire):
    """The 201 body of a create: ``{"uri": ".../reports/{newId}"}``."""

    uri: str


class WireValidationError(Wire):
    id: str | None = None
    message: str | None = None
    source: str | None = None


class WireErrorMessage(Wire):
    """v4 ``ErrorMessage`` (every field optional: it is read on the error path)."""

    timestamp: str | None = None
    http_status: str | None = None
    error_message: str | None = None
    error_id: str | None = None
    path: str | None = None
    validation_errors: list[WireValidationError] | None = None
    custom_response_data: dict[str, Any] | None = None


def decode_json(body: bytes, *, correlation_id: str | None = None) -> Any:
    """Decode JSON keeping every non-integer number as an exact ``Decimal``."""
    try:
        return json.loads(body, parse_float=Decimal)
    except ValueError as exc:
        raise UpstreamBadResponse(
            "Concur returned malformed JSON.", correlation_id=correlation_id
        ) from exc


def parse_wire(body: bytes, adapter: TypeAdapter[_T], *, correlation_id: str | None = None) -> _T:
    """Decode ``body`` and validate it with ``adapter`` (built once per shape, at import)."""
    document = decode_json(body, correlation_id=correlation_id)
    try:
        return adapter.validate_python(document)
    except ValidationError as exc:
        raise UpstreamBadResponse(
            "Concur returned JSON that does not match its documented schema.",
            correlation_id=correlation_id,
        ) from exc


__all__ = [
    "Wire",
    "WireAmount",
    "WireCostObject",
    "WireCostObjectExpense",
    "WireCreated",
    "WireCustomData",
    "WireEmployee",
    "WireErrorMessage",
    "WireReportDetails",
    "WireReportToApprove",
    "WireValidationError",
    "decode_json",
    "parse_wire",
]
