"""An itemization of an expense entry."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from adapters import models
from resolvers.types.amount import Amount
from resolvers.types.copy import from_model
from resolvers.types.expense_type import ExpenseType


@strawberry.type(description="One part of an itemized entry (a hotel night, a minibar charge).")
class Itemization:
    id: strawberry.ID
    expense_type: ExpenseType | None
    transaction_date: date | None
    transaction_amount: Amount | None
    posted_amount: Amount | None
    approved_amount: Amount | None
    business_purpose: str | None
    is_personal: bool
    last_modified: datetime | None

    @classmethod
    def from_model(cls, model: models.Itemization) -> Itemization:
        return from_model(cls, model)


__all__ = ["Itemization"]
