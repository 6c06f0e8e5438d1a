"""v2.0 Get List of Reports: ``GET /api/expense/expensereport/v2.0/Reports/``.

The document requires an administrator ("admin role required"): a Company or Web Services
Administrator, or a company token, gets up to 1000 reports of the whole company; every other
caller is a 403. Served minimally: of the documented query parameters only
``ModifiedAfterDate`` and ``ModifiedBeforeDate`` (UTC ``YYYY-MM-DDThh:mm:ss``) filter; the
others are accepted and ignored. Newest change first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from aiohttp import web

from sandbox import roles
from sandbox.records import PAYMENT_STATUS_NAMES, SandboxReport
from sandbox.xml import links
from sandbox.xml.context import XmlContext, xml_endpoint
from sandbox.xml.errors import BadRequest, Forbidden
from sandbox.xml.render import Document, amount, timestamp

NS_V20_LIST: Final = "http://www.concursolutions.com/api/expense/expensereport/2012/06"
MAX_REPORTS: Final = 1000


def _instant(ctx: XmlContext, name: str) -> datetime | None:
    value = next((v for k, v in ctx.request.query.items() if k.lower() == name.lower()), None)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} must be YYYY-MM-DDThh:mm:ss (UTC).") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _selected(ctx: XmlContext) -> list[SandboxReport]:
    after, before = _instant(ctx, "ModifiedAfterDate"), _instant(ctx, "ModifiedBeforeDate")
    chosen = [
        r
        for r in ctx.store.reports.values()
        if (after is None or r.last_modified > after)
        and (before is None or r.last_modified < before)
    ]
    return sorted(chosen, key=lambda r: r.last_modified, reverse=True)[:MAX_REPORTS]


def _summary(ctx: XmlContext, doc: Document, report: SandboxReport) -> None:
    owner = ctx.store.user(report.owner_id)
    workflow = report.workflow
    doc.add_all(
        doc.add(doc.root, "ReportSummary"),
        {
            "ReportName": report.name,
            "ReportId": report.report_id,
            "ReportTotal": amount(report.total),
            "ReportCurrency": report.currency_code,
            "ReportDate": timestamp(report.report_date or report.creation_date),
            "LastComment": report.comment,
            "Report-Full-Details-Url": links.full_details_url(ctx.base_url, report.rpt_key),
            "ExpenseUserLoginID": owner.login if owner else "",
            "EmployeeName": f"{owner.first_name} {owner.last_name}" if owner else "",
            "ApprovalStatus": workflow.approval_status_name,
            "PaymentStatus": PAYMENT_STATUS_NAMES.get(workflow.payment_status, ""),
        },
    )


@xml_endpoint
async def get_admin_reports(ctx: XmlContext) -> web.StreamResponse:
    caller = ctx.caller
    if caller.kind != "company" and not roles.is_admin(caller.user):
        raise Forbidden(
            "Get List of Reports v2.0 requires the Company Administrator or Web Services "
            "Administrator role."
        )
    doc = Document("ReportsList", NS_V20_LIST)
    for report in _selected(ctx):
        _summary(ctx, doc, report)
    return doc.response()


__all__ = ["MAX_REPORTS", "NS_V20_LIST", "get_admin_reports"]
