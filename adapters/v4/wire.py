"""Pydantic models of the v4 JSON wire (camelCase, as Concur sends it).

Field names follow the docs' schemas exactly through a camelCase alias generator; unknown
fields are ignored (Concur adds fields without notice).

``decode_json`` is the one JSON reader of the v4 wire. orjson reads the document first:
malformed, cut short, not UTF-8, or nested past its 1024 levels, it is refused in C without
recursion, and anything nested past ``MAX_JSON_DEPTH`` (Concur's documents are a handful of
levels deep) is refused too, so a hostile answer is always ``UpstreamBadResponse``, never a
``RecursionError``. Amount values must stay exact ``Decimal`` (``525.00000000``, ``0E-8``,
``1234567890.12345678``), which orjson and pydantic's own parser cannot give (both go
through float), so a document with a non-integer number is read once more by the standard
library with ``parse_float=Decimal``; the depth bound keeps that read far from Python's
recursion limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from adapters.errors import UpstreamBadResponse

_T = TypeVar("_T")

MAX_JSON_DEPTH: Final = 64


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


def _depths(document: Any) -> Iterator[tuple[int, Any]]:
    """Every value of a decoded document with its depth, the root at 1 (iteratively: no
    recursion, whatever the depth)."""
    stack: list[tuple[int, Any]] = [(1, document)]
    while stack:
        depth, value = stack.pop()
        yield depth, value
        if isinstance(value, dict):
            stack.extend((depth + 1, item) for item in value.values())
        elif isinstance(value, list):
            stack.extend((depth + 1, item) for item in value)


def decode_json(body: bytes, *, correlation_id: str | None = None) -> Any:
    """Decode JSON keeping every non-integer number as an exact ``Decimal`` (see above)."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UpstreamBadResponse(
            "Concur returned malformed JSON.", correlation_id=correlation_id
        ) from exc
    if body.count(b"{") + body.count(b"[") <= MAX_JSON_DEPTH:
        return json.loads(body, parse_float=Decimal)  # too few brackets to nest too deep
    has_float = False
    for depth, value in _depths(document):
        if depth > MAX_JSON_DEPTH and isinstance(value, dict | list):
            raise UpstreamBadResponse(
                f"Concur returned JSON nested deeper than {MAX_JSON_DEPTH} levels; it was refused.",
                correlation_id=correlation_id,
            )
        has_float = has_float or isinstance(value, float)
    return json.loads(body, parse_float=Decimal) if has_float else document


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
    "MAX_JSON_DEPTH",
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
