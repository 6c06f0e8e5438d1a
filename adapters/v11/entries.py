"""v1.1 expense entries: ``ExpenseEntry`` (GET); ``ReportEntries`` → ``ReportEntryStatusList``
(POST).

The v1.1 entry names its report by the opaque key (``ReportID``) and carries no currency
code at all: posted and approved amounts are in the report currency, which only the report
knows, so callers that know it pass it in (see ``adapters.v11.currencies`` otherwise).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Final

from lxml import etree

from adapters.errors import BadUserInput
from adapters.models import (
    CustomField,
    Entry,
    EntryResult,
    ExpenseType,
    NewEntry,
    PaymentType,
)
from adapters.paths import segment_after
from adapters.v11.currencies import UNKNOWN_CURRENCY, currency_code
from adapters.v11.namespaces import V11_NS, expect_root
from adapters.v11.values import XmlRecord, entry_flags
from adapters.v11.xmlsafe import element, parse_xml, to_bytes

_FIELD_ID = re.compile(r"^(?P<kind>custom|orgunit)(?P<index>[0-9]{1,2})$", re.IGNORECASE)
_FIELD_LIMITS: Final = {"custom": 40, "orgunit": 6}
_FIELD_ELEMENT: Final = {"custom": "Custom", "orgunit": "OrgUnit"}


def parse_expense_entry(
    body: bytes,
    *,
    report_id: str | None = None,
    currency: str | None = None,
    correlation_id: str | None = None,
) -> Entry:
    """Read the doc's ``ExpenseEntry``. ``report_id`` replaces the opaque ``ReportID`` key when
    the caller knows the plain id; ``currency`` is the report currency when known."""
    root = parse_xml(body, correlation_id=correlation_id)
    namespace = expect_root(root, "ExpenseEntry", V11_NS, correlation_id=correlation_id)
    entry = XmlRecord(root, namespace, correlation_id=correlation_id)
    exchange_rate = entry.decimal("ExchangeRate")
    transaction_currency = currency_code(
        entry.text("TransactionCurrencyName"),
        exchange_rate=exchange_rate,
        report_currency=currency,
    )
    if currency is not None:
        posted_currency = currency
    elif exchange_rate is not None and exchange_rate == 1:
        posted_currency = transaction_currency
    else:
        posted_currency = UNKNOWN_CURRENCY
    payment_key = entry.text("PaymentTypeKey")
    return Entry(
        id=entry.required("ReportEntryID"),
        report_id=report_id or entry.required("ReportID"),
        expense_type=ExpenseType(key=entry.required("ExpenseKey"), name=entry.text("ExpenseName")),
        spend_category=entry.text("SpendCategory"),
        transaction_date=entry.day("TransactionDate"),
        transaction_amount=entry.amount("TransactionAmount", transaction_currency),
        posted_amount=entry.amount("PostedAmount", posted_currency),
        approved_amount=entry.amount("ApprovedAmount", posted_currency),
        exchange_rate=exchange_rate,
        vendor=entry.text("VendorDescription"),
        location=entry.text("LocationName"),
        payment_type=PaymentType(key=payment_key) if payment_key else None,
        business_purpose=entry.text("BusinessPurpose"),
        **entry_flags(entry),
        receipt_image_id=entry.text("ReceiptImageId"),
        allocation=entry.allocation("HasAllocation"),
        custom_fields=entry.custom_fields("Custom", 40, "custom"),
        org_units=entry.custom_fields("OrgUnit", 6, "orgUnit"),
        last_modified=entry.instant("LastModified"),
    )


def _field_element(field: CustomField, index: int) -> tuple[str, int, str]:
    """(element name, order, value) for a custom/org-unit field of entry ``index``."""
    match = _FIELD_ID.match(field.id)
    where = f"entries[{index}].custom_fields"
    if match is None:
        raise BadUserInput(
            f"Unknown entry field id {field.id!r}: use custom1..custom40 or orgUnit1..orgUnit6.",
            field=where,
        )
    kind, number = match["kind"].lower(), int(match["index"])
    if not 1 <= number <= _FIELD_LIMITS[kind]:
        raise BadUserInput(
            f"Entry field id {field.id!r} is out of range: use custom1..custom40 or "
            "orgUnit1..orgUnit6.",
            field=where,
        )
    # A list item is posted by its code; free text by its value.
    value = field.code if field.code is not None else field.value
    return _FIELD_ELEMENT[kind], number, value or ""


def _put(parent: etree._Element, name: str, value: str | None) -> None:
    if value is not None:
        etree.SubElement(parent, f"{{{V11_NS}}}{name}").text = value


def build_report_entries(entries: list[NewEntry]) -> bytes:
    """``ReportEntries`` with one ``Expense`` per entry, children in the documented order."""
    if not entries:
        raise BadUserInput("Give at least one entry to add.", field="entries")
    root = element("ReportEntries", V11_NS)

    for index, new in enumerate(entries):
        expense = etree.SubElement(root, f"{{{V11_NS}}}Expense")
        put = partial(_put, expense)
        fields = sorted(
            (_field_element(field, index) for field in new.custom_fields),
            key=lambda item: (item[0] != "OrgUnit", item[1]),
        )
        put("CrnCode", new.currency_code)
        put("ExpKey", new.expense_type_key)
        put("Description", new.description)
        put("TransactionDate", new.transaction_date.isoformat())
        put("TransactionAmount", format(new.transaction_amount, "f"))
        put("LocationID", new.location_id)
        for name, number, value in fields:
            put(f"{name}{number}", value)
        put("Comment", new.comment)
        put("VendorDescription", new.vendor)
        put("IsPersonal", "Y" if new.is_personal else "N")
        put("PaymentTypeID", new.payment_type_id)
    return to_bytes(root)


def parse_entry_status_list(body: bytes, *, correlation_id: str | None = None) -> list[EntryResult]:
    """``ReportEntryStatusList``: one result per posted entry, in request order (1-based)."""
    root = parse_xml(body, correlation_id=correlation_id)
    namespace = expect_root(root, "ReportEntryStatusList", V11_NS, correlation_id=correlation_id)
    results: list[EntryResult] = []
    for status in XmlRecord(root, namespace, correlation_id=correlation_id).items(
        "ReportEntryStatus"
    ):
        success = (status.text("Status") or "").upper().startswith("SUCCESS")
        url = status.text("Report-Entry-Details-Url")
        results.append(
            EntryResult(
                index=status.integer("Index") or len(results) + 1,
                success=success,
                entry_id=segment_after(url, "entry") if url else None,
                message=status.text("Message"),
            )
        )
    return results


__all__ = ["build_report_entries", "parse_entry_status_list", "parse_expense_entry"]
