"""An expense entry: every field a plain attribute copied from the canonical model."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from adapters import models
from resolvers.types.amount import Amount
from resolvers.types.copy import from_model
from resolvers.types.custom_field import CustomField
from resolvers.types.enums import Allocation
from resolvers.types.expense_type import ExpenseType
from resolvers.types.itemization import Itemization
from resolvers.types.payment_type import PaymentType


@strawberry.type(description="An expense entry of a report.")
class Entry:
    id: strawberry.ID
    report_id: strawberry.ID
    expense_type: ExpenseType
    spend_category: str | None
    transaction_date: date | None
    transaction_amount: Amount | None
    posted_amount: Amount | None
    approved_amount: Amount | None
    exchange_rate: Decimal | None
    vendor: str | None
    location: str | None
    payment_type: PaymentType | None
    business_purpose: str | None
    is_personal: bool
    is_itemized: bool
    has_attendees: bool
    has_comments: bool
    has_exceptions: bool
    has_vat: bool
    receipt_required: bool
    image_required: bool
    is_credit_card_charge: bool
    is_personal_card_charge: bool
    receipt_image_id: str | None
    allocation: Allocation
    custom_fields: list[CustomField]
    org_units: list[CustomField]
    itemizations: list[Itemization]
    last_modified: datetime | None

    @classmethod
    def from_model(cls, model: models.Entry) -> Entry:
        return from_model(cls, model)


__all__ = ["Entry"]
