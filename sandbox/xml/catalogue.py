"""The sandbox company's expense types and payment types, as Expense Group Configuration
would list them: what a posted ``ExpKey`` and ``PaymentTypeID`` may name.

Types already used by entries in the store count as configured too, so seed data and
posted entries always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sandbox.state import Store


@dataclass(frozen=True)
class ExpenseType:
    key: str
    name: str
    spend_category: str


@dataclass(frozen=True)
class PaymentType:
    key: str
    name: str


EXPENSE_TYPES: Final[tuple[ExpenseType, ...]] = (
    ExpenseType("AIRFR", "Airfare", "Travel"),
    ExpenseType("BRKFT", "Breakfast", "Meals"),
    ExpenseType("LUNCH", "Lunch", "Meals"),
    ExpenseType("DINNR", "Dinner", "Meals"),
    ExpenseType("BUSML", "Business Meal (attendees)", "Entertainment"),
    ExpenseType("BUSPR", "Business Promotions", "Miscellaneous"),
    ExpenseType("CARRT", "Car Rental", "Transportation"),
    ExpenseType("TAXIX", "Taxi", "Transportation"),
    ExpenseType("PARKG", "Parking", "Transportation"),
    ExpenseType("MILEG", "Mileage", "Transportation"),
    ExpenseType("LODNG", "Hotel", "Lodging"),
    ExpenseType("OFCSP", "Office Supplies", "Office"),
    ExpenseType("MISCL", "Miscellaneous", "Miscellaneous"),
)

PAYMENT_TYPES: Final[tuple[PaymentType, ...]] = (
    PaymentType("CASH", "Cash"),
    PaymentType("CPAID", "Company Paid"),
    PaymentType("PENDC", "Pending Card Transaction"),
)
DEFAULT_PAYMENT_TYPE: Final = PAYMENT_TYPES[0]


def expense_type(store: Store, key: str) -> ExpenseType | None:
    """The configured type with this key (case-insensitive), or None."""
    wanted = key.upper()
    for known in EXPENSE_TYPES:
        if known.key == wanted:
            return known
    for report in store.reports.values():
        for entry in report.entries:
            if entry.expense_type_key.upper() == wanted:
                return ExpenseType(
                    entry.expense_type_key, entry.expense_type_name, entry.spend_category
                )
    return None


def payment_type(key: str) -> PaymentType | None:
    """By id or name (``CASH``, ``Cash``, ``Company Paid``), case-insensitive."""
    wanted = key.strip().lower()
    return next(
        (p for p in PAYMENT_TYPES if wanted in (p.key.lower(), p.name.lower())),
        None,
    )


__all__ = [
    "DEFAULT_PAYMENT_TYPE",
    "EXPENSE_TYPES",
    "PAYMENT_TYPES",
    "ExpenseType",
    "PaymentType",
    "expense_type",
    "payment_type",
]
