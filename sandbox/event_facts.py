"""The facts of the ESS events the workflow engine emits, as Concur documents them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.records import SandboxReport
from sandbox.state import Store


def rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def report_href(store: Store, report: SandboxReport) -> str:
    """The owner's v4 URL of the report, which every event but a deletion names."""
    return (
        f"{store.base_url}/expensereports/v4/users/{report.owner_id}"
        f"/context/TRAVELER/reports/{report.report_id}"
    )


def report_facts(
    store: Store, event_type: str, report: SandboxReport, *, system: bool, now: datetime
) -> dict[str, Any]:
    """A report event's facts; the owner is named unless the company (system) acted."""
    facts: dict[str, Any] = {
        "companyId": store.company.id,
        "userId": None if system else report.owner_id,
        "actingUserId": None,
        "reportId": report.report_id,
        "reportType": report.report_type,
        "lastModifiedDate": rfc3339(now),
    }
    if event_type != "reportDeleted":
        facts["href"] = report_href(store, report)
    return facts


def status_facts(
    store: Store,
    report: SandboxReport,
    *,
    previous: tuple[str, str],
    focus_user: str | None,
    now: datetime,
) -> dict[str, Any]:
    """A ``statusChanged`` event's facts: the statuses before and after, and the new step."""
    workflow = report.workflow
    return {
        "companyId": store.company.id,
        "userId": focus_user,
        "actingUserId": None,
        "reportId": report.report_id,
        "previousApprovalStatus": previous[0],
        "currentApprovalStatus": workflow.approval_status,
        "previousPaymentStatus": previous[1],
        "currentPaymentStatus": workflow.payment_status,
        "reportType": report.report_type,
        "stepCode": workflow.step_code,
        "href": report_href(store, report),
        "lastModifiedDate": rfc3339(now),
        "processId": workflow.process_id,
        "startingStep": {
            "roleCode": workflow.role_code,
            "stepInstances": [
                {"id": i.id, "assignedUserId": i.assigned_user_id} for i in workflow.instances
            ],
        },
    }


__all__ = ["report_facts", "report_href", "rfc3339", "status_facts"]
