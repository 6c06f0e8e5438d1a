"""A cost object the caller may approve (v4 ``CostObjectForApprover``, field for field)."""

from __future__ import annotations

import strawberry

from adapters import models
from resolvers.types.amount import Amount
from resolvers.types.cost_object_expense import CostObjectExpense


@strawberry.type(description="A cost object of a report that the caller can approve.")
class CostObject:
    name: str
    approved_amount: Amount
    claimed_amount: Amount
    approver_id: strawberry.ID
    expenses: list[CostObjectExpense]
    is_owned_by_caller: bool
    is_fully_approved: bool
    is_approvable_as_user: bool
    is_approvable_as_delegate: bool

    @classmethod
    def from_model(cls, model: models.CostObject) -> CostObject:
        return cls(
            name=model.name,
            approved_amount=Amount(
                value=model.approved_amount.value,
                currency_code=model.approved_amount.currency_code,
            ),
            claimed_amount=Amount(
                value=model.claimed_amount.value,
                currency_code=model.claimed_amount.currency_code,
            ),
            approver_id=strawberry.ID(model.approver_id),
            expenses=[CostObjectExpense.from_model(e) for e in model.expenses],
            is_owned_by_caller=model.is_owned_by_caller,
            is_fully_approved=model.is_fully_approved,
            is_approvable_as_user=model.is_approvable_as_user,
            is_approvable_as_delegate=model.is_approvable_as_delegate,
        )


__all__ = ["CostObject"]
