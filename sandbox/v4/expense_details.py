"""``ReportExpenseSummary`` and ``ReportExpenseDetail`` as Concur's v4 names their fields.

Transaction amounts are in the transaction currency; posted, approved and claimed
amounts in the report currency. List custom fields show their list item id, as v4 does.
"""

from __future__ import annotations

from typing import Any, Final

from sandbox.records import ZERO, SandboxEntry, SandboxReport
from sandbox.state import Store
from sandbox.v4.render import (
    amount,
    custom_value_item,
    date_text,
    datetime_text,
    derived_id,
    link,
    number,
)

PAYMENT_CODES: Final[dict[str, str]] = {"CASH": "CASH", "CPAID": "CBCP", "PENDC": "CBCP"}
ALLOCATION_STATES: Final[dict[str, str]] = {
    "N": "NOT_ALLOCATED",
    "P": "PARTIALLY_ALLOCATED",
    "F": "FULLY_ALLOCATED",
}
TAX_SUMMARY_FIELDS: Final = (
    "netAdjustedTaxAmount",
    "netReclaimAdjustedAmount",
    "netReclaimAmount",
    "netTaxAmount",
    "totalReclaimAdjustedAmount",
    "totalReclaimPostedAmount",
    "totalTaxAdjustedAmount",
    "totalTaxPostedAmount",
    "vatTaxTotal",
)


def expense_href(
    store: Store, user_id: str, context: str, report: SandboxReport, entry: SandboxEntry
) -> str:
    return (
        f"{store.base_url}/expensereports/v4/users/{user_id}/context/{context}"
        f"/reports/{report.report_id}/expenses/{entry.expense_id}"
    )


def _source_identifiers(entry: SandboxEntry) -> dict[str, Any]:
    card = entry.is_credit_card_charge
    return {
        "creditCardTransactionId": derived_id("cct", entry.expense_id) if card else None,
        "ereceiptId": entry.ereceipt_id or None,
        "expenseCaptureImageId": None,
        "jptRouteId": None,
        "personalCardTransactionId": None,
        "quickExpenseId": None,
        "receiptImageId": entry.receipt_image_id or None,
        "segmentId": None,
        "segmentTypeId": None,
        "tripId": None,
    }


def _location(entry: SandboxEntry) -> dict[str, Any] | None:
    if not entry.location_name:
        return None
    return {
        "id": derived_id("location", entry.location_name, entry.location_country),
        "name": entry.location_name or None,
        "city": entry.location_name or None,
        "countryCode": entry.location_country or None,
        "countrySubDivisionCode": entry.location_subdivision or None,
    }


def _vendor(entry: SandboxEntry) -> dict[str, Any] | None:
    if not entry.vendor:
        return None
    return {"id": None, "name": entry.vendor, "description": entry.vendor}


def expense_summary(
    store: Store, report: SandboxReport, entry: SandboxEntry, *, user_id: str, context: str
) -> dict[str, Any]:
    currency = report.currency_code
    flag = entry.allocation_flag
    return {
        "allocationSetId": derived_id("allocations", entry.expense_id) if flag != "N" else None,
        "allocationState": ALLOCATION_STATES[flag],
        "approvedAmount": amount(entry.approved_amount, currency),
        "approverAdjustedAmount": amount(ZERO, currency),
        "attendeeCount": len(entry.attendees),
        "businessPurpose": entry.business_purpose or None,
        "claimedAmount": amount(ZERO if entry.is_personal else entry.posted_amount, currency),
        "ereceiptImageId": entry.ereceipt_id or None,
        "exchangeRate": {"value": number(entry.exchange_rate), "operation": "MULTIPLY"},
        "expenseId": entry.expense_id,
        "expenseSourceIdentifiers": _source_identifiers(entry),
        "expenseType": {
            "id": entry.expense_type_key,
            "code": entry.expense_type_key,
            "name": entry.expense_type_name,
            "isDeleted": False,
        },
        "fuelTypeListItem": None,
        "hasBlockingExceptions": False,
        "hasExceptions": entry.has_exceptions,
        "hasMissingReceiptDeclaration": False,
        "imageCertificationStatus": "NOT_CERTIFIED",
        "isAutoCreated": False,
        "isImageRequired": entry.image_required,
        "isPaperReceiptRequired": entry.receipt_required,
        "isPersonalExpense": entry.is_personal,
        "jptRouteId": None,
        "links": [link("self", expense_href(store, user_id, context, report, entry))],
        "location": _location(entry),
        "paymentType": {
            "id": entry.payment_type_key,
            "code": PAYMENT_CODES.get(entry.payment_type_key, entry.payment_type_key),
            "name": entry.payment_type_name,
        },
        "postedAmount": amount(entry.posted_amount, currency),
        "receiptImageId": entry.receipt_image_id or None,
        "ticketNumber": None,
        "transactionAmount": amount(entry.transaction_amount, entry.transaction_currency),
        "transactionDate": date_text(entry.transaction_date),
        "travelAllowance": {
            "dailyLimitAmount": None,
            "dailyTravelAllowanceId": None,
            "isExpensePartOfTravelAllowance": False,
        },
        "vendor": _vendor(entry),
    }


def _custom_data(store: Store, entry: SandboxEntry) -> list[dict[str, Any]]:
    items = [
        custom_value_item(store.base_url, f"custom{n}", value)
        for n, value in sorted(entry.custom.items())
    ]
    items += [
        custom_value_item(store.base_url, f"orgUnit{n}", value)
        for n, value in sorted(entry.org_units.items())
    ]
    return items


def _receipt_type(entry: SandboxEntry) -> dict[str, Any]:
    if entry.ereceipt_id:
        return {"id": "T", "status": "ERECEIPT"}
    if entry.receipt_image_id:
        return {"id": "R", "status": "IMAGE"}
    return {"id": "N", "status": "NONE"}


def expense_detail(
    store: Store, report: SandboxReport, entry: SandboxEntry, *, user_id: str, context: str
) -> dict[str, Any]:
    body = expense_summary(store, report, entry, user_id=user_id, context=context)
    del body["ticketNumber"]  # the detail carries it inside ``travel``
    currency = report.currency_code
    body.update(
        {
            "authorizationRequestExpenseId": None,
            "budgetAccrualDate": None,
            "customData": _custom_data(store, entry),
            "expenseTaxSummary": {name: amount(ZERO, currency) for name in TAX_SUMMARY_FIELDS},
            "isExcludedFromCashAdvanceByUser": False,
            "isExpenseBillable": False,
            "isExpenseRejected": False,
            "isPaperReceiptReceived": False,
            "merchantTaxId": None,
            "mileage": None,
            "parentExpenseId": None,
            "receiptType": _receipt_type(entry),
            "taxRateLocation": "HOME" if entry.location_country in ("", "US") else "FOREIGN",
            "travel": None,
            "lastModifiedDate": datetime_text(entry.last_modified),
            "invoiceId": None,
            "governmentInvoiceId": None,
        }
    )
    return body


__all__ = ["expense_detail", "expense_href", "expense_summary"]
