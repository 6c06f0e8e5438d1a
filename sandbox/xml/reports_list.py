"""v1.1 Get List of Reports: ``GET /api/expense/expensereport/v1.1/ReportsList/{View}``.

A user token lists the caller's own reports (``TOAPPROVE``: the reports where the caller
holds a pending step instance); a company token lists the whole company (``TOAPPROVE``:
reports at a step the system role may act on). Views are case-insensitive; only the views
below are served, any other is a 400. Newest change first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from aiohttp import web

from sandbox.records import SandboxReport
from sandbox.xml import access, links
from sandbox.xml.context import XmlContext, xml_endpoint
from sandbox.xml.errors import BadRequest
from sandbox.xml.namespaces import NS_V11
from sandbox.xml.render import Document, amount, timestamp

RECENT_DAYS: Final = 31
TOAPPROVE: Final = "TOAPPROVE"

ViewFilter = Callable[[SandboxReport, datetime], bool]

VIEWS: Final[dict[str, ViewFilter]] = {
    "RECENT": lambda r, now: r.last_modified >= now - timedelta(days=RECENT_DAYS),
    "ACTIVE": lambda r, now: r.workflow.payment_status != "P_PAID",
    "UNSUBMITTED": lambda r, now: not r.is_submitted,
    "PENDING": lambda r, now: r.is_submitted and r.workflow.approval_status != "A_APPR",
    "APPROVED": lambda r, now: r.workflow.approval_status == "A_APPR",
    "PROCESSED": lambda r, now: r.workflow.payment_status in ("P_PROC", "P_PAID"),
    "PAID": lambda r, now: r.workflow.payment_status == "P_PAID",
}


def _to_approve(ctx: XmlContext, report: SandboxReport) -> bool:
    if ctx.caller.kind == "company":
        return access.company_can_act(report)
    user_id = ctx.caller.user_id
    return user_id is not None and ctx.engine.pending_instance(report, user_id) is not None


def _approver_login(ctx: XmlContext, report: SandboxReport) -> str:
    """The user of the current pending instance, else the owner's manager."""
    pending = next((i for i in report.workflow.instances if not i.approved), None)
    approver_id = pending.assigned_user_id if pending else None
    if approver_id is None:
        owner = ctx.store.user(report.owner_id)
        approver_id = owner.manager_id if owner else None
    approver = ctx.store.user(approver_id) if approver_id else None
    return approver.login if approver else ""


def select_reports(ctx: XmlContext, view: str) -> list[SandboxReport]:
    reports = list(ctx.store.reports.values())
    if view == TOAPPROVE:
        chosen = [r for r in reports if _to_approve(ctx, r)]
    else:
        keep = VIEWS[view]
        now = ctx.store.clock()
        if ctx.caller.kind != "company":
            reports = [r for r in reports if access.is_owner(ctx.caller, r)]
        chosen = [r for r in reports if keep(r, now)]
    return sorted(chosen, key=lambda r: r.last_modified, reverse=True)


def reports_list_document(ctx: XmlContext, view: str) -> Document:
    doc = Document("ReportsList", NS_V11)
    for report in select_reports(ctx, view):
        summary = doc.add(doc.root, "ReportSummary")
        if view == TOAPPROVE:
            doc.add(summary, "ApprovalURL", ctx.workflow_url(report))
        owner = ctx.store.user(report.owner_id)
        doc.add_all(
            summary,
            {
                "ReportName": report.name,
                "ReportId": report.report_id,
                "ReportTotal": amount(report.total),
                "ReportCurrency": report.currency_code,
                "ReportDate": timestamp(report.report_date or report.creation_date),
                "LastComment": report.comment,
                "Report-Details-Url": links.report_url(ctx.base_url, report.rpt_key),
                "Report-Full-Details-Url": links.full_details_url(ctx.base_url, report.rpt_key),
                "ExpenseUserXUserID": owner.login if owner else "",
                "ApproverXUserID": _approver_login(ctx, report),
                "EmployeeName": f"{owner.first_name} {owner.last_name}" if owner else "",
            },
        )
    return doc


@xml_endpoint
async def get_reports_list(ctx: XmlContext) -> web.StreamResponse:
    view = ctx.request.match_info.get("view", "RECENT").upper()
    if view != TOAPPROVE and view not in VIEWS:
        raise BadRequest(
            f"Unknown view {view!r}; supported views are {', '.join([*VIEWS, TOAPPROVE])}."
        )
    return reports_list_document(ctx, view).response()


__all__ = ["RECENT_DAYS", "TOAPPROVE", "VIEWS", "get_reports_list", "reports_list_document"]
