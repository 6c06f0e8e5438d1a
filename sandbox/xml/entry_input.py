"""Reading one ``Expense`` element of a posted ``ReportEntries`` document.

Each ``Expense`` succeeds or fails on its own (Concur answers per entry with
``ReportEntryStatus``), so every problem with one element is an ``EntryRejected`` carrying
the message its ``FAILED`` status shows, never an HTTP error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Final

from lxml import etree

from sandbox.records import CustomValue
from sandbox.text_rules import MAX_AMOUNT_CHARACTERS, control_character_problem, decimal_amount
from sandbox.workflow_terms import MAX_COMMENT
from sandbox.xml.body import child_elements, local_name
from sandbox.xml.catalogue import PaymentType, payment_type

MAX_CUSTOM = 48
MAX_DESCRIPTION = 64
MAX_VENDOR = 64
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_CURRENCY: Final = re.compile(r"[A-Za-z]{3}")
_LIST_VALUE: Final = re.compile(r"\((?P<code>[^)]*)\)\s*(?P<name>.*)", re.DOTALL)
_NUMBERED: Final = re.compile(r"(?P<prefix>OrgUnit|Custom)(?P<number>\d{1,2})")
_PLAIN: Final = frozenset(
    {
        "CrnCode",
        "ExpKey",
        "Description",
        "TransactionDate",
        "TransactionAmount",
        "LocationID",
        "ExchangeRate",
        "Comment",
        "VendorDescription",
        "IsPersonal",
        "PaymentTypeID",
    }
)
_LIMITS: Final = {"OrgUnit": 6, "Custom": 40}


class EntryRejected(Exception):
    """One ``Expense`` cannot be applied; ``message`` goes into its FAILED status."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ExpenseInput:
    """The fields one ``Expense`` element sets; None means the element was absent."""

    crn_code: str | None = None
    exp_key: str | None = None
    description: str | None = None
    transaction_date: date | None = None
    transaction_amount: Decimal | None = None
    location_id: str | None = None
    exchange_rate: Decimal | None = None
    comment: str | None = None
    vendor: str | None = None
    is_personal: bool | None = None
    payment_type: PaymentType | None = None
    org_units: dict[int, CustomValue] = field(default_factory=dict)
    custom: dict[int, CustomValue] = field(default_factory=dict)


def _custom_value(name: str, text: str) -> CustomValue:
    match = _LIST_VALUE.fullmatch(text)
    value = CustomValue(match["name"], match["code"]) if match else CustomValue(text)
    if len(value.value) > MAX_CUSTOM:
        raise EntryRejected(f"{name} is longer than {MAX_CUSTOM} characters.")
    return value


def _amount(text: str) -> Decimal:
    """ "The total amount ... with up to three decimal places"; at most 23 characters."""
    value = decimal_amount(text, max_decimals=3, printed_decimals=8)
    if value is None:
        raise EntryRejected(
            f"TransactionAmount {text!r} is not a number with up to three decimal places "
            f"and at most {MAX_AMOUNT_CHARACTERS} characters."
        )
    return value


def _rate(text: str) -> Decimal:
    value = decimal_amount(text, max_decimals=14, printed_decimals=14)
    if value is None or value <= 0 or text.startswith("-"):
        raise EntryRejected(
            f"ExchangeRate {text!r} is not a positive number of at most "
            f"{MAX_AMOUNT_CHARACTERS} characters."
        )
    return value


def _date(text: str) -> date:
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise EntryRejected(f"TransactionDate {text!r} is not a date (YYYY-MM-DD).") from exc


def _flag(text: str) -> bool:
    if text.upper() not in ("Y", "N"):
        raise EntryRejected(f"IsPersonal must be Y or N, not {text!r}.")
    return text.upper() == "Y"


def _bounded(name: str, text: str, limit: int) -> str:
    if len(text) > limit:
        raise EntryRejected(f"{name} is longer than {limit} characters.")
    return text


def read_expense(element: etree._Element) -> ExpenseInput:
    """Validate the formats of one ``Expense``; what is required depends on new vs update."""
    plain: dict[str, str] = {}
    org_units: dict[int, CustomValue] = {}
    custom: dict[int, CustomValue] = {}
    for child in child_elements(element):
        name = local_name(child)
        text = (child.text or "").strip()
        problem = control_character_problem(text)
        if problem:
            raise EntryRejected(f"{name} {problem}.")
        numbered = _NUMBERED.fullmatch(name)
        if numbered:
            number = int(numbered["number"])
            if not 1 <= number <= _LIMITS[numbered["prefix"]]:
                raise EntryRejected(f"Unknown element {name}.")
            target = org_units if numbered["prefix"] == "OrgUnit" else custom
            target[number] = _custom_value(name, text)
        elif name in _PLAIN:
            plain[name] = text
        else:
            raise EntryRejected(f"Unknown element {name}.")
    crn = plain.get("CrnCode")
    if crn and not _CURRENCY.fullmatch(crn):
        raise EntryRejected(f"CrnCode {crn!r} is not a 3-letter ISO 4217 currency code.")
    pay: PaymentType | None = None
    if plain.get("PaymentTypeID"):
        pay = payment_type(plain["PaymentTypeID"])
        if pay is None:
            raise EntryRejected(f"PaymentTypeID {plain['PaymentTypeID']!r} is not configured.")
    return ExpenseInput(
        crn_code=crn.upper() if crn else None,
        exp_key=plain.get("ExpKey") or None,
        description=_maybe(plain, "Description", MAX_DESCRIPTION),
        transaction_date=_date(plain["TransactionDate"]) if plain.get("TransactionDate") else None,
        transaction_amount=(
            _amount(plain["TransactionAmount"]) if plain.get("TransactionAmount") else None
        ),
        location_id=plain.get("LocationID"),
        exchange_rate=_rate(plain["ExchangeRate"]) if plain.get("ExchangeRate") else None,
        comment=_maybe(plain, "Comment", MAX_COMMENT),
        vendor=_maybe(plain, "VendorDescription", MAX_VENDOR),
        is_personal=_flag(plain["IsPersonal"]) if plain.get("IsPersonal") else None,
        payment_type=pay,
        org_units=org_units,
        custom=custom,
    )


def _maybe(plain: dict[str, str], name: str, limit: int) -> str | None:
    text = plain.get(name)
    return None if text is None else _bounded(name, text, limit)


__all__ = ["MAX_CUSTOM", "EntryRejected", "ExpenseInput", "read_expense"]
