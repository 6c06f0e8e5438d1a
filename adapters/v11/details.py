"""v2.0 report details (``ReportDetails`` in ns ``2012/07``).

This is the document the v1.1 workflow-action warning says to read first: its
``ApprovalStatusCode``/``Name`` tell where the report is, ``WorkflowActionURL`` is where an
action for the current step goes (an empty element when the caller has none), and
``ReportKey`` (sent to Web Services Administrators only) is the *unencrypted* key, which no
v1.1 route takes: it is not read, and ``report_key`` stays None. Entries are keyed by
``ReportEntryID`` and belong to the plain report id. A non-itemized entry still lists one
``Regular`` itemization (a copy of itself); only ``Child`` rows are real itemizations.
"""

from __future__ import annotations

from adapters.models import (
    Entry,
    ExpenseType,
    Itemization,
    PaymentType,
    ReportDetails,
    Status,
)
from adapters.v11.currencies import currency_code
from adapters.v11.namespaces import V20_REPORT_NS, expect_root
from adapters.v11.values import XmlRecord, entry_flags
from adapters.v11.xmlsafe import parse_xml


def _itemization(item: XmlRecord, currency: str | None, transaction_currency: str) -> Itemization:
    type_key = item.text("ExpenseTypeID")
    return Itemization(
        id=item.required("ItemizationID"),
        expense_type=(
            ExpenseType(key=type_key, name=item.text("ExpenseTypeName")) if type_key else None
        ),
        transaction_date=item.day("TransactionDate"),
        transaction_amount=item.amount("TransactionAmount", transaction_currency),
        posted_amount=item.amount("PostedAmount", currency),
        approved_amount=item.amount("ApprovedAmount", currency),
        business_purpose=item.text("BusinessPurpose"),
        is_personal=item.flag("IsPersonal"),
        last_modified=item.instant("LastModified"),
    )


def _entry(entry: XmlRecord, report_id: str, currency: str | None) -> Entry:
    exchange_rate = entry.decimal("ExchangeRate")
    transaction_currency = currency_code(
        entry.text("TransactionCurrencyName"),
        exchange_rate=exchange_rate,
        report_currency=currency,
    )
    payment_code = entry.text("PaymentTypeCode")
    itemizations = [
        _itemization(item, currency, transaction_currency)
        for item in entry.records("ItemizationsList", "Itemization")
        if (item.text("ItemType") or "").lower() == "child"
    ]
    return Entry(
        id=entry.required("ReportEntryID"),
        report_id=report_id,
        expense_type=ExpenseType(
            key=entry.required("ExpenseTypeID"), name=entry.text("ExpenseTypeName")
        ),
        spend_category=entry.text("SpendCategory"),
        transaction_date=entry.day("TransactionDate"),
        transaction_amount=entry.amount("TransactionAmount", transaction_currency),
        posted_amount=entry.amount("PostedAmount", currency),
        approved_amount=entry.amount("ApprovedAmount", currency),
        exchange_rate=exchange_rate,
        vendor=entry.text("VendorDescription") or entry.text("ReportEntryVendorName"),
        location=entry.text("LocationName"),
        payment_type=(
            PaymentType(key=payment_code, name=entry.text("PaymentTypeName"))
            if payment_code
            else None
        ),
        business_purpose=entry.text("BusinessPurpose"),
        **entry_flags(entry),
        receipt_image_id=entry.text("EntryImageID"),
        allocation=entry.allocation("HasAllocation"),
        custom_fields=entry.custom_fields("Custom", 40, "custom"),
        org_units=entry.custom_fields("OrgUnit", 6, "orgUnit"),
        itemizations=itemizations,
        last_modified=entry.instant("LastModified") or entry.instant("LastModifiedDate"),
    )


def _status(report: XmlRecord, code_element: str, name_element: str) -> Status | None:
    code = report.text(code_element)
    if code is None:
        return None
    return Status(code=code, name=report.text(name_element) or code)


def parse_report_details(body: bytes, *, correlation_id: str | None = None) -> ReportDetails:
    root = parse_xml(body, correlation_id=correlation_id)
    namespace = expect_root(root, "ReportDetails", V20_REPORT_NS, correlation_id=correlation_id)
    report = XmlRecord(root, namespace, correlation_id=correlation_id)
    report_id = report.required("ReportID")
    currency = report.text("CurrencyCode")
    approval_code = report.required("ApprovalStatusCode")
    approval = Status(code=approval_code, name=report.text("ApprovalStatusName") or approval_code)
    return ReportDetails(
        report_id=report_id,
        currency_code=currency,
        approval_status=approval,
        payment_status=_status(report, "PaymentStatusCode", "PaymentStatusName"),
        workflow_action_url=report.text("WorkflowActionURL"),
        entries=[
            _entry(entry, report_id, currency)
            for entry in report.records("ExpenseEntriesList", "ExpenseEntry")
        ],
    )


__all__ = ["parse_report_details"]
