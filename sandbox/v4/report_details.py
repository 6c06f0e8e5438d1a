"""``ReportDetails`` and ``ReportToApprove`` as Concur's v4 prints them.

Keys follow the documented sample (same names, same order), plus ``reportNumber`` and a
few schema fields the sample omits. ``canRecall`` is computed for the caller, and
``reportVersion`` is the report's version, bumped by every change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from sandbox.auth import Caller
from sandbox.records import PAYMENT_STATUS_NAMES, ZERO, SandboxReport, SandboxUser
from sandbox.state import Store
from sandbox.v4.render import (
    COUNTRY_NAMES,
    CURRENCY_NAMES,
    amount,
    custom_item,
    date_text,
    datetime_text,
    link,
)

LEDGER_ID: Final = "2703E3FBD393DA4484ED3CB07303407C"
ANALYTICS_GROUP_ID: Final = "C8CB395275EC4FE9AF6CD5B535EA2B17"
HIERARCHY_NODE_ID: Final = "0F941E0B0A2C974EB2B06CDA67973052"
ALLOCATION_FORM_ID: Final = "FD7E9C6389EF495B85042319D58CAE53"
REPORT_FORM_ID: Final = "674B67F0C6BD4E9CA5D91AFB82CC8ABB"


def report_href(store: Store, user_id: str, context: str, report_id: str) -> str:
    return (
        f"{store.base_url}/expensereports/v4/users/{user_id}/context/{context}/reports/{report_id}"
    )


def can_recall_for(report: SandboxReport, caller: Caller) -> bool:
    """Only the owner can recall, and only while the first approver has not acted."""
    return caller.user is not None and caller.user.id == report.owner_id and report.can_recall


def _amount_due_company(report: SandboxReport) -> Decimal:
    """Personal charges on the company card: the employee owes them back."""
    return sum(
        (e.posted_amount for e in report.entries if e.is_personal and e.is_credit_card_charge),
        ZERO,
    )


def _custom_data(base: str, report: SandboxReport) -> list[dict[str, Any]]:
    return [
        custom_item(base, str(c["id"]), str(c.get("value") or ""), bool(c.get("isValid", True)))
        for c in report.custom_data
    ]


def _amounts(report: SandboxReport) -> dict[str, Any]:
    """The header's amounts, each in the report's currency."""
    currency = report.currency_code
    paid = report.workflow.payment_status == "P_PAID"
    return {
        "approvedAmount": amount(report.approved_amount, currency),
        "claimedAmount": amount(report.claimed_amount, currency),
        "amountCompanyPaid": amount(report.amount_company_paid, currency),
        "paymentConfirmedAmount": amount(report.amount_due_employee if paid else ZERO, currency),
        "amountDueCompany": amount(_amount_due_company(report), currency),
        "amountDueCompanyCard": amount(report.amount_due_company_card, currency),
        "amountDueEmployee": amount(report.amount_due_employee, currency),
        "personalAmount": amount(report.personal_amount, currency),
        "reportTotal": amount(report.total, currency),
        "amountNotApproved": amount(report.claimed_amount - report.approved_amount, currency),
    }


def report_details(
    store: Store, report: SandboxReport, *, caller: Caller, path_user_id: str, context: str
) -> dict[str, Any]:
    wf = report.workflow
    currency = report.currency_code
    return {
        "approvalStatus": wf.approval_status_name,
        "approvalStatusId": wf.approval_status,
        "concurAuditStatus": "NOTR",
        "customData": _custom_data(store.base_url, report),
        "ledger": "DEFAULT",
        "ledgerId": LEDGER_ID,
        "paymentStatus": PAYMENT_STATUS_NAMES.get(wf.payment_status, wf.payment_status),
        "paymentStatusId": wf.payment_status,
        "submitDate": datetime_text(report.submit_date),
        **_amounts(report),
        "isFinancialIntegrationEnabled": False,
        "canReopen": False,
        "isReopened": False,
        "isReceiptImageAvailable": any(e.receipt_image_id or e.ereceipt_id for e in report.entries),
        "isReceiptImageRequired": any(e.image_required for e in report.entries),
        "isPaperReceiptsReceived": report.is_paper_receipts_received,
        "reportId": report.report_id,
        "currency": CURRENCY_NAMES.get(currency, currency),
        "currencyCode": currency,
        "analyticsGroupId": ANALYTICS_GROUP_ID,
        "hierarchyNodeId": HIERARCHY_NODE_ID,
        "allocationFormId": ALLOCATION_FORM_ID,
        "links": [
            link("self", report_href(store, path_user_id, context, report.report_id)),
        ],
        "reportDate": date_text(report.report_date),
        "reportFormId": REPORT_FORM_ID,
        "businessPurpose": report.business_purpose,
        "countryCode": report.country_code,
        "countrySubDivisionCode": report.country_sub_division_code,
        "policyId": report.policy_id,
        "startDate": date_text(report.start_date),
        "endDate": date_text(report.end_date),
        "name": report.name,
        "policy": report.policy_name,
        "country": COUNTRY_NAMES.get(report.country_code, report.country_code),
        "userId": report.owner_id,
        "reportType": report.report_type,
        "redirectFund": None,
        "creationDate": datetime_text(report.creation_date),
        "canRecall": can_recall_for(report, caller),
        "reportVersion": report.version,
        "reportNumber": report.report_number,
        "submitterId": report.owner_id if report.submit_date is not None else None,
        "isSubmitted": report.is_submitted,
        "isSentBack": wf.approval_status == "A_RESU" and wf.step_code == "SENDBACK",
        "isReportEverSentBack": report.ever_sent_back,
        "isPendingDelegatorReview": False,
        "hasReceivedCashAdvanceReturns": False,
        "cardProgramStatementPeriodId": None,
        "taxConfigId": None,
    }


def employee(user: SandboxUser | None, user_id: str | None) -> dict[str, Any]:
    return {
        "employeeId": user.employee_id if user is not None else None,
        "employeeUuid": user.id if user is not None else user_id,
    }


def report_to_approve(store: Store, report: SandboxReport, approver: SandboxUser) -> dict[str, Any]:
    currency = report.currency_code
    return {
        "reportId": report.report_id,
        "name": report.name,
        "reportNumber": report.report_number,
        "reportDate": date_text(report.report_date),
        "submitDate": datetime_text(report.submit_date),
        "approver": employee(approver, approver.id),
        "employee": employee(store.user(report.owner_id), report.owner_id),
        "amountDueEmployee": amount(report.amount_due_employee, currency),
        "claimedAmount": amount(report.claimed_amount, currency),
        "totalApprovedAmount": amount(report.approved_amount, currency),
        "hasExceptions": any(e.has_exceptions for e in report.entries),
        "reportType": report.report_type,
    }


__all__ = [
    "can_recall_for",
    "employee",
    "report_details",
    "report_href",
    "report_to_approve",
]
