"""v4 ``costObjectsForApprover``: the cost objects of a report the caller may approve.

The doc's schema table names an expense's second amount ``claimedAmount`` while its sample
sends ``postedAmount``; either is read into the canonical ``posted_amount``.
"""

from __future__ import annotations

from typing import Final

from pydantic import TypeAdapter

from adapters.models import CostObject, CostObjectExpense
from adapters.v4.copy import from_wire
from adapters.v4.reports import amount
from adapters.v4.wire import WireCostObject, parse_wire

COST_OBJECTS_ROUTE: Final = (
    "/expensereports/v4/users/{userId}/reports/{reportId}/costObjectsForApprover"
)

_COST_OBJECTS = TypeAdapter(list[WireCostObject])


def parse_cost_objects(body: bytes, *, correlation_id: str | None = None) -> list[CostObject]:
    """``CostObjectForApprover`` is ``CostObject`` field for field; only an expense's
    second amount is read by hand (either spelling)."""
    rows = parse_wire(body, _COST_OBJECTS, correlation_id=correlation_id)
    return [
        from_wire(
            CostObject,
            row,
            expenses=[
                from_wire(
                    CostObjectExpense,
                    expense,
                    posted_amount=amount(expense.posted_amount or expense.claimed_amount),
                )
                for expense in row.expenses
            ],
        )
        for row in rows
    ]


__all__ = ["COST_OBJECTS_ROUTE", "parse_cost_objects"]
