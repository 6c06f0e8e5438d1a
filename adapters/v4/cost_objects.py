"""v4 ``costObjectsForApprover``: the cost objects of a report the caller may approve.

The doc's schema table names an expense's second amount ``claimedAmount`` while its sample
sends ``postedAmount``; either is read into the canonical ``posted_amount``.
"""

from __future__ import annotations

from typing import Final

from pydantic import TypeAdapter

from adapters.models import CostObject, CostObjectExpense
from adapters.v4.reports import amount, to_amount
from adapters.v4.wire import WireCostObject, parse_wire

COST_OBJECTS_ROUTE: Final = (
    "/expensereports/v4/users/{userId}/reports/{reportId}/costObjectsForApprover"
)

_COST_OBJECTS = TypeAdapter(list[WireCostObject])


def parse_cost_objects(body: bytes, *, correlation_id: str | None = None) -> list[CostObject]:
    rows = parse_wire(body, _COST_OBJECTS, correlation_id=correlation_id)
    return [
        CostObject(
            name=row.name,
            approved_amount=to_amount(row.approved_amount),
            claimed_amount=to_amount(row.claimed_amount),
            approver_id=row.approver_id,
            expenses=[
                CostObjectExpense(
                    id=expense.id,
                    approved_amount=amount(expense.approved_amount),
                    posted_amount=amount(expense.posted_amount or expense.claimed_amount),
                )
                for expense in row.expenses
            ],
            is_owned_by_caller=row.is_owned_by_caller,
            is_fully_approved=row.is_fully_approved,
            is_approvable_as_user=row.is_approvable_as_user,
            is_approvable_as_delegate=row.is_approvable_as_delegate,
        )
        for row in rows
    ]


__all__ = ["COST_OBJECTS_ROUTE", "parse_cost_objects"]
