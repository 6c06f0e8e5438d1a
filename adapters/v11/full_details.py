"""v1.1 Report Full Details (``ReportDetails`` in ns ``2011/03``) → ``ReportDetails``.

The one details document every caller who may read a report can get (v2.0 details are for
administrators), addressed by the encrypted ``RptKey``. Its names differ from v2.0:
``ApsKey``/``ApvStatusName`` and ``PayKey``/``PayStatusName`` are the statuses, ``CrnCode``
the report currency, entries are keyed by ``RpeKey`` (the key v1.1 entry routes take) with
``ExpKey``/``ExpName`` and ``PaymentTypeKey``. Itemizations are
``ItemizationsList/ItemizationEntryDetails`` (an empty ``ItemizationList`` when there are
none). Concur's sample declares the namespace with a prefix only, leaving the children
unqualified, so a root without a namespace is read as well as one in ``2011/03``.
"""

from __future__ import annotations

from lxml import etree

from adapters.errors import UpstreamBadResponse
from adapters.models import Entry, ExpenseType, Itemization, PaymentType, ReportDetails, Status
from adapters.v11.currencies import currency_code
from adapters.v11.namespaces import V11_NS, scheme_variants
from adapters.v11.values import XmlRecord, entry_flags
from adapters.v11.xmlsafe import parse_xml


def _namespace(root: etree._Element, correlation_id: str | None) -> str:
    qname = etree.QName(root)
    namespace = qname.namespace or ""
    if qname.localname != "ReportDetails" or namespace not in {"", *scheme_variants(V11_NS)}:
        raise UpstreamBadResponse(
            "Concur returned an unexpected XML document (expected ReportDetails).",
            correlation_id=correlation_id,
        )
    return namespace


def _itemization(item: XmlRecord, currency: str | None, transaction_currency: str) -> Itemization:
    type_key = item.text("ExpenseKey")
    return Itemization(
        id=item.required("ItemizationKey"),
        expense_type=ExpenseType(key=type_key, name=item.text("ExpenseName")) if type_key else None,
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
        entry.text("TransactionCurrencyName"), exchange_rate=exchange_rate, report_currency=currency
    )
    payment_key = entry.text("PaymentTypeKey")
    return Entry(
        id=entry.required("RpeKey"),
        report_id=report_id,
        expense_type=ExpenseType(key=entry.required("ExpKey"), name=entry.text("ExpName")),
        spend_category=entry.text("SpendCategory"),
        transaction_date=entry.day("TransactionDate"),
        transaction_amount=entry.amount("TransactionAmount", transaction_currency),
        posted_amount=entry.amount("PostedAmount", currency),
        approved_amount=entry.amount("ApprovedAmount", currency),
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
        itemizations=[
            _itemization(item, currency, transaction_currency)
            for item in entry.records("ItemizationsList", "ItemizationEntryDetails")
        ],
        last_modified=entry.instant("LastModifiedDate") or entry.instant("LastModified"),
    )


def _status(report: XmlRecord, code_element: str, name_element: str) -> Status | None:
    code = report.text(code_element)
    if code is None:
        return None
    return Status(code=code, name=report.text(name_element) or code)


def parse_full_details(body: bytes, *, correlation_id: str | None = None) -> ReportDetails:
    root = parse_xml(body, correlation_id=correlation_id)
    report = XmlRecord(root, _namespace(root, correlation_id), correlation_id=correlation_id)
    report_id = report.required("ReportId")
    currency = report.text("CrnCode")
    approval = _status(report, "ApsKey", "ApvStatusName")
    if approval is None:
        raise UpstreamBadResponse(
            "Concur's answer lacks the ApsKey element.", correlation_id=correlation_id
        )
    return ReportDetails(
        report_id=report_id,
        report_key=report.required("RptKey"),
        currency_code=currency,
        approval_status=approval,
        payment_status=_status(report, "PayKey", "PayStatusName"),
        workflow_action_url=report.text("WorkflowActionURL"),
        entries=[
            _entry(entry, report_id, currency)
            for entry in report.records("Entries", "ExpenseEntry")
        ],
    )


__all__ = ["parse_full_details"]
