"""Registration of every v4 route, with the URI templates exactly as Concur documents them."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from sandbox.v4 import cost_objects, expenses, reports, workflow

V4: Final = "/expensereports/v4"
USER_CONTEXT: Final = V4 + "/users/{userId}/context/{contextType}"


def add_v4_routes(app: web.Application) -> None:
    """Register the v4 routes on the sandbox app."""
    router = app.router
    report = USER_CONTEXT + "/reports/{reportId}"
    router.add_get(report, reports.get_report)
    router.add_patch(report, reports.update_report)
    router.add_post(USER_CONTEXT + "/reports", reports.create_report)
    router.add_patch(V4 + "/reports/{reportId}", reports.update_submitted_report)
    router.add_get(
        V4 + "/users/{userId}/context/MANAGER/reportsToApprove", reports.reports_to_approve
    )
    router.add_get(report + "/expenses", expenses.list_expenses)
    router.add_get(report + "/expenses/{expenseId}", expenses.get_expense)
    router.add_get(
        V4 + "/users/{userId}/reports/{reportId}/costObjectsForApprover",
        cost_objects.cost_objects_for_approver,
    )
    router.add_patch(V4 + "/reports/{reportId}/approve", workflow.approve_as_company)
    router.add_patch(V4 + "/reports/{reportId}/sendBack", workflow.send_back_as_company)
    router.add_patch(report + "/approve", workflow.approve_as_manager)
    router.add_patch(report + "/sendBack", workflow.send_back_as_manager)
    router.add_patch(report + "/recall", workflow.recall)
    router.add_patch(V4 + "/users/{userId}/reports/{reportId}/submit", workflow.submit)


__all__ = ["USER_CONTEXT", "V4", "add_v4_routes"]
