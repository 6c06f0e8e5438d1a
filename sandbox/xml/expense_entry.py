"""The v1.1 ``ExpenseEntry`` document (Get Expense Entry Details).

Element names and order copy the documented sample exactly, including its hyphenated link
elements (``Attendee-Url``...) and empty elements for empty values; ``ReportID`` is the
report's opaque key and ``X_UserID`` the owner's login.
"""

from __future__ import annotations

from sandbox.records import SandboxEntry, SandboxReport, SandboxUser
from sandbox.xml import links
from sandbox.xml.currencies import currency_name
from sandbox.xml.namespaces import NS_V11
from sandbox.xml.render import Document, amount, rate, timestamp, yn


def has_comments(entry: SandboxEntry) -> bool:
    return entry.has_comments or bool(entry.comment)


def comment_count(entry: SandboxEntry) -> int:
    return 1 if has_comments(entry) else 0


def expense_entry_document(
    base_url: str, report: SandboxReport, entry: SandboxEntry, owner: SandboxUser | None
) -> Document:
    doc = Document("ExpenseEntry", NS_V11)
    root = doc.root
    entry_link = links.entry_url(base_url, report.rpt_key, entry.rpe_key)
    doc.add_all(
        root,
        {
            "ApprovedAmount": amount(entry.approved_amount),
            "Attendee-Url": f"{entry_link}/Attendees",
            "Allocation-Url": f"{entry_link}/Allocations",
            "BusinessPurpose": entry.business_purpose,
            "EreceiptId": entry.ereceipt_id,
            "ExchangeRate": rate(entry.exchange_rate),
            "ExpenseKey": entry.expense_type_key,
            "ExpenseName": entry.expense_type_name,
            "SpendCategory": entry.spend_category,
            "HasAllocation": entry.allocation_flag,
            "HasAttendees": yn(entry.has_attendees),
            "HasComments": yn(has_comments(entry)),
            "HasExceptions": yn(entry.has_exceptions),
            "HasVat": yn(entry.has_vat),
            "ImageRequired": yn(entry.image_required),
            "IsCreditCardCharge": yn(entry.is_credit_card_charge),
            "IsItemized": yn(entry.is_itemized),
            "Itemizations-Url": f"{entry_link}/Itemization",
            "IsPersonal": yn(entry.is_personal),
            "IsPersonalCardCharge": yn(entry.is_personal_card_charge),
            "LastModified": timestamp(entry.last_modified),
            "LocationName": entry.location_name,
            "PaymentTypeKey": entry.payment_type_key,
            "PostedAmount": amount(entry.posted_amount),
            "ReceiptImageId": entry.receipt_image_id,
            "ReceiptRequired": yn(entry.receipt_required),
            "ReportEntryID": entry.rpe_key,
            "ReportID": report.rpt_key,
            "TransactionAmount": amount(entry.transaction_amount),
            "TransactionCurrencyName": currency_name(entry.transaction_currency),
            "TransactionDate": timestamp(entry.transaction_date),
            "VendorDescription": entry.vendor,
            "X_UserID": owner.login if owner else "",
        },
    )
    doc.numbered(root, "OrgUnit", 6, entry.org_units)
    doc.numbered(root, "Custom", 40, entry.custom)
    return doc


__all__ = ["comment_count", "expense_entry_document", "has_comments"]
