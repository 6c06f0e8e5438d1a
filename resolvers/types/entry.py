"""An expense entry: every field a plain attribute copied from the canonical model."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from adapters import models
from resolvers.types.amount import Amount
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
        return cls(
            id=strawberry.ID(model.id),
            report_id=strawberry.ID(model.report_id),
            expense_type=ExpenseType.from_model(model.expense_type),
            spend_category=model.spend_category,
            transaction_date=model.transaction_date,
            transaction_amount=Amount.from_model(model.transaction_amount),
            posted_amount=Amount.from_model(model.posted_amount),
            approved_amount=Amount.from_model(model.approved_amount),
            exchange_rate=model.exchange_rate,
            vendor=model.vendor,
            location=model.location,
            payment_type=PaymentType.from_model(model.payment_type),
            business_purpose=model.business_purpose,
            is_personal=model.is_personal,
            is_itemized=model.is_itemized,
            has_attendees=model.has_attendees,
            has_comments=model.has_comments,
            has_exceptions=model.has_exceptions,
            has_vat=model.has_vat,
            receipt_required=model.receipt_required,
            image_required=model.image_required,
            is_credit_card_charge=model.is_credit_card_charge,
            is_personal_card_charge=model.is_personal_card_charge,
            receipt_image_id=model.receipt_image_id,
            allocation=model.allocation,
            custom_fields=[CustomField.from_model(f) for f in model.custom_fields],
            org_units=[CustomField.from_model(f) for f in model.org_units],
            itemizations=[Itemization.from_model(i) for i in model.itemizations],
            last_modified=model.last_modified,
        )


__all__ = ["Entry"]
