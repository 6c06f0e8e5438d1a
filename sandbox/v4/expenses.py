"""Expenses v4: the list (``ReportExpenseSummary``) and one expense (``ReportExpenseDetail``)."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from sandbox.keys import STORE
from sandbox.v4.access import (
    USER_OR_COMPANY,
    caller_of,
    context_of,
    path_user,
    report_of,
    require_view,
)
from sandbox.v4.errors import V4Error, v4_errors
from sandbox.v4.expense_details import expense_detail, expense_summary
from sandbox.v4.render import json_response

EXPENSE_CONTEXTS: Final = frozenset({"TRAVELER", "MANAGER", "PROXY"})


@v4_errors
async def list_expenses(request: web.Request) -> web.StreamResponse:
    caller = caller_of(request, USER_OR_COMPANY)
    context = context_of(request, EXPENSE_CONTEXTS)
    user = path_user(request, caller)
    report = report_of(request)
    require_view(report, caller, user, context)
    store = request.app[STORE]
    user_id = request.match_info["userId"]
    return json_response(
        [
            expense_summary(store, report, entry, user_id=user_id, context=context)
            for entry in report.entries
        ]
    )


@v4_errors
async def get_expense(request: web.Request) -> web.StreamResponse:
    caller = caller_of(request, USER_OR_COMPANY)
    context = context_of(request, EXPENSE_CONTEXTS)
    user = path_user(request, caller)
    report = report_of(request)
    require_view(report, caller, user, context)
    wanted = request.match_info["expenseId"].upper()
    entry = next((e for e in report.entries if e.expense_id.upper() == wanted), None)
    if entry is None:
        raise V4Error(404, f"Expense {request.match_info['expenseId']} was not found.")
    body = expense_detail(
        request.app[STORE], report, entry, user_id=request.match_info["userId"], context=context
    )
    return json_response(body)


__all__ = ["EXPENSE_CONTEXTS", "get_expense", "list_expenses"]
