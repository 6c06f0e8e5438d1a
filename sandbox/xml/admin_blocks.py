"""The v2.0 report-details blocks only a Web Services Administrator sees.

Concur's Get Report Details document: "Some elements will appear only if the OAuth consumer
has the Web Services Admin role. These include: The ReportKey element, the employee's credit
card information, and the employee's bank account information, VAT information, Journal
entries." The sandbox fills them with plausible, deterministic values derived from the
report so an admin reader can tell them apart from a non-admin one.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from sandbox.records import SandboxAllocation, SandboxEntry, SandboxReport, SandboxUser
from sandbox.xml.render import Document, amount, day

CARD_LAST_SEGMENT: Final = "4242"
BANK_NAME: Final = "Sandbox Savings Bank"


def journal_entries(
    doc: Document, parent: etree._Element, allocation: SandboxAllocation, report: SandboxReport
) -> None:
    """``JournalEntriesList`` with one employee-paid debit per allocation."""
    container = doc.add(parent, "JournalEntriesList")
    entry = doc.add(container, "JournalEntry")
    doc.add_all(
        entry,
        {
            "JournalID": allocation.key[:13],
            "PayerPaymentTypeName": "Company",
            "PayerPaymentTypeCode": "COMPANY",
            "PayeePaymentTypeName": "Employee",
            "PayeePaymentCode": "EMPLOYEE",
            "AccountCode": allocation.account_code,
            "DebitOrCredit": "DR",
            "Amount": "0",
            "JobRunKey": report.report_key,
        },
    )


def card_transaction(doc: Document, parent: etree._Element, entry: SandboxEntry) -> None:
    """``CardTransaction`` of a company-card entry, as the document lists its elements."""
    element = doc.add(parent, "CardTransaction")
    doc.add_all(
        element,
        {
            "AccountNumber": f"XXXXXXXXXXXX{CARD_LAST_SEGMENT}",
            "CardDescription": "Corporate Card",
            "CardTypeCode": "VISA",
            "TransactionReferenceNumber": entry.expense_id[:24],
            "TransactionCCTType": "RPE",
            "TransactionID": entry.expense_id,
            "TransactionAmount": amount(entry.transaction_amount),
            "TaxAmount": amount(entry.transaction_amount * 0),
            "TransactionAlphaCode": entry.transaction_currency,
            "PostedAmount": amount(entry.posted_amount),
            "PostedAlphaCode": "USD",
            "TransactionDate": day(entry.transaction_date),
            "PostedDate": day(entry.transaction_date),
            "Description": entry.vendor[:42],
            "MasterCardCode": "",
            "TransactionMerchantName": entry.vendor[:50],
            "MerchantCity": entry.location_name[:40],
            "MerchantState": entry.location_subdivision,
            "MerchantCountryCode": entry.location_country,
            "MerchantReferenceNumber": "",
            "ExchangeRateFromBillingToEmployeeCurrency": "1.00000000",
            "BillingAmount": amount(entry.posted_amount),
            "AccountNumberLastSegment": CARD_LAST_SEGMENT,
        },
    )


def bank_account(doc: Document, parent: etree._Element, owner: SandboxUser | None) -> None:
    """``EmployeeBankAccount``: the owner's (fictitious) bank information."""
    element = doc.add(parent, "EmployeeBankAccount")
    doc.add_all(
        element,
        {
            "BankNumber": "021000021",
            "BankName": BANK_NAME,
            "BranchLocation": "Seattle",
            "AccountNumber": "000123456789",
            "AccountName": f"{owner.first_name} {owner.last_name}" if owner else "",
            "PostalAddressLine1": "1 Sandbox Way",
            "PostalAddressLine2": "",
            "PostalAddressCity": "Seattle",
            "PostalAddressRegion": "WA",
            "PostalAddressCode": "98101",
            "PostalAddressCountry": "US",
        },
    )


__all__ = ["BANK_NAME", "CARD_LAST_SEGMENT", "bank_account", "card_transaction", "journal_entries"]
