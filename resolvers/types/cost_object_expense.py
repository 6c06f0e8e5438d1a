"""An expense counted in a cost object (v4 ``CostObjectExpense``)."""

from __future__ import annotations

import strawberry

from adapters import models
from resolvers.types.amount import Amount
from resolvers.types.copy import from_model


@strawberry.type(description="An expense counted in a cost object.")
class CostObjectExpense:
    id: strawberry.ID
    approved_amount: Amount | None
    posted_amount: Amount | None

    @classmethod
    def from_model(cls, model: models.CostObjectExpense) -> CostObjectExpense:
        return from_model(cls, model)


__all__ = ["CostObjectExpense"]
