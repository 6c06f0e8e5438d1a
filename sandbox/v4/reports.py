"""Reports v4: read, create, update (user and system forms) and reportsToApprove.

PATCH bodies are JSON Merge Patch (RFC 7386): a field set to ``null`` is removed (required
ones cannot be), absent fields stay. ``customData`` is merged by ``id``, since Concur treats
it as a set of fields rather than one value. ``country`` (derived from ``countryCode``),
``isCopyDownInherited``, ``redirectFund`` and ``reportSource`` are accepted and not stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from aiohttp import web

from sandbox.keys import ENGINE, STORE
from sandbox.records import SandboxReport
from sandbox.seed import POLICY_ID, POLICY_NAME
from sandbox.v4.access import (
    COMPANY_ONLY,
    CONTEXTS,
    OWNER_CONTEXTS,
    USER_OR_COMPANY,
    caller_of,
    context_of,
    path_user,
    report_of,
    require_owner,
    require_view,
)
from sandbox.v4.bodies import (
    Check,
    boolean,
    check_fields,
    custom_data,
    date_value,
    json_object,
    one_of,
    text,
)
from sandbox.v4.errors import V4Error, v4_errors
from sandbox.v4.render import json_response
from sandbox.v4.report_details import report_details, report_href, report_to_approve
from sandbox.workflow_terms import Actor

NEW_REPORT: Final[dict[str, Check]] = {
    "businessPurpose": text(64),
    "comment": text(500),
    "countryCode": text(2),
    "countrySubDivisionCode": text(6),
    "customData": custom_data,
    "endDate": date_value,
    "name": text(40),
    "policyId": text(64),
    "reportDate": date_value,
    "startDate": date_value,
}
UPDATE_REPORT: Final[dict[str, Check]] = {
    **NEW_REPORT,
    "country": text(64),
    "isCopyDownInherited": boolean,
    "isPaperReceiptsReceived": boolean,
    "policy": text(64),
    "redirectFund": lambda value: None if isinstance(value, dict) else "must be an object",
    "reportSource": one_of("EA", "MOB", "OTHER", "SE", "TR", "UI"),
}
SYSTEM_UPDATE: Final[dict[str, Check]] = {
    "businessPurpose": text(64),
    "comment": text(500),
    "customData": custom_data,
    "name": text(40),
    "isPaperReceiptsReceived": boolean,
}
# Wire name -> (state attribute, value when removed by a null).
TEXT_FIELDS: Final[dict[str, tuple[str, Any]]] = {
    "businessPurpose": ("business_purpose", ""),
    "comment": ("comment", ""),
    "countryCode": ("country_code", ""),
    "countrySubDivisionCode": ("country_sub_division_code", ""),
    "name": ("name", ""),
    "policyId": ("policy_id", ""),
    "policy": ("policy_name", ""),
    "isPaperReceiptsReceived": ("is_paper_receipts_received", False),
}
DATE_FIELDS: Final[dict[str, str]] = {
    "endDate": "end_date",
    "reportDate": "report_date",
    "startDate": "start_date",
}
SORTS: Final[dict[str, str]] = {
    "reportDate": "report_date",
    "submitDate": "submit_date",
    "name": "name",
    "reportNumber": "report_number",
}


def merged_custom_data(
    current: list[dict[str, Any]], patch: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """Merge by ``id``; a null ``value`` removes the field."""
    merged = {str(item["id"]): dict(item) for item in current}
    for item in patch or []:
        field_id = str(item["id"])
        if item.get("value") is None:
            merged.pop(field_id, None)
        else:
            merged[field_id] = {
                "id": field_id,
                "value": item["value"],
                "isValid": bool(item.get("isValid", True)),
            }
    return list(merged.values())


def field_changes(report: SandboxReport, body: dict[str, Any]) -> dict[str, Any]:
    """The merge patch as state attribute changes."""
    changes: dict[str, Any] = {}
    for key, value in body.items():
        if key in TEXT_FIELDS:
            attribute, removed = TEXT_FIELDS[key]
            changes[attribute] = removed if value is None else value
        elif key in DATE_FIELDS:
            changes[DATE_FIELDS[key]] = None if value is None else date.fromisoformat(value)
        elif key == "customData":
            changes["custom_data"] = merged_custom_data(report.custom_data, value)
    if "country_code" in changes:
        changes["country_code"] = str(changes["country_code"]).upper()
    return changes


@v4_errors
async def get_report(request: web.Request) -> web.StreamResponse:
    caller = caller_of(request, USER_OR_COMPANY)
    context = context_of(request, CONTEXTS)
    user = path_user(request, caller)
    report = report_of(request)
    require_view(report, caller, user, context)
    body = report_details(
        request.app[STORE],
        report,
        caller=caller,
        path_user_id=request.match_info["userId"],
        context=context,
    )
    return json_response(body)


@v4_errors
async def create_report(request: web.Request) -> web.StreamResponse:
    caller = caller_of(request, USER_OR_COMPANY)
    context = context_of(request, OWNER_CONTEXTS)
    user = path_user(request, caller)
    body = await json_object(request)
    check_fields(body, NEW_REPORT, required=("name",))
    store = request.app[STORE]
    today = store.clock().date()
    changes = field_changes(
        SandboxReport(report_id="", rpt_key="", report_key="", owner_id="", name=""), body
    )
    changes.setdefault("report_date", today)
    changes["report_date"] = changes["report_date"] or today
    changes.setdefault("policy_id", POLICY_ID)
    changes.setdefault("policy_name", POLICY_NAME)
    report = request.app[ENGINE].create_report(user.id, **changes)
    uri = report_href(store, request.match_info["userId"], context, report.report_id)
    return json_response({"uri": uri}, status=201)


@v4_errors
async def update_report(request: web.Request) -> web.StreamResponse:
    """User form: unsubmitted reports only; ``reportSource`` is required."""
    caller = caller_of(request, USER_OR_COMPANY)
    context_of(request, OWNER_CONTEXTS)
    user = path_user(request, caller)
    report = report_of(request)
    require_owner(report, user)
    body = await json_object(request)
    check_fields(body, UPDATE_REPORT, required=("reportSource",), not_null=("name",))
    if report.is_submitted:
        raise V4Error(
            409,
            "Only unsubmitted reports can be updated with this API; use the system "
            "PATCH /expensereports/v4/reports/{reportId} for submitted reports.",
        )
    actor = Actor(user.id if caller.kind == "user" else None, caller.kind)
    request.app[ENGINE].update_report(report, actor, **field_changes(report, body))
    return web.Response(status=204)


@v4_errors
async def update_submitted_report(request: web.Request) -> web.StreamResponse:
    """System form: a company token updates a submitted report, until it is paid."""
    caller_of(request, COMPANY_ONLY)
    report = report_of(request)
    body = await json_object(request)
    check_fields(body, SYSTEM_UPDATE, not_null=("name",))
    if not report.is_submitted:
        raise V4Error(409, "Only submitted reports can be updated with this API.")
    if report.workflow.payment_status == "P_PAID":
        raise V4Error(409, "A paid report can no longer be updated.")
    request.app[ENGINE].update_report(report, Actor(None, "company"), **field_changes(report, body))
    return web.Response(status=204)


@v4_errors
async def reports_to_approve(request: web.Request) -> web.StreamResponse:
    """Reports where the user holds a pending step instance (the Processor step excluded:
    it is not a MANAGER-context approval)."""
    caller = caller_of(request, USER_OR_COMPANY)
    user = path_user(request, caller)
    sort = request.query.get("sort", "submitDate")
    order = request.query.get("order", "asc").lower()
    if sort not in SORTS or order not in ("asc", "desc"):
        raise V4Error(
            400,
            f"sort must be one of {', '.join(SORTS)} and order asc or desc.",
        )
    store = request.app[STORE]
    engine = request.app[ENGINE]
    pending = [
        report
        for report in store.reports.values()
        if report.workflow.approval_status != "A_ACCO" and engine.is_assigned(report, user.id)
    ]
    attribute = SORTS[sort]
    pending.sort(
        key=lambda r: (getattr(r, attribute) is None, getattr(r, attribute) or "", r.report_id),
        reverse=order == "desc",
    )
    return json_response([report_to_approve(store, r, user) for r in pending])


__all__ = [
    "create_report",
    "field_changes",
    "get_report",
    "merged_custom_data",
    "reports_to_approve",
    "update_report",
    "update_submitted_report",
]
