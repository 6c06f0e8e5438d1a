"""v1.1 expense entries over real HTTP: the documented ExpenseEntry sample and entry POSTs."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from sandbox import seed
from sandbox.records import SandboxReport
from tests.sandbox.xml_support import (
    API,
    NS11,
    XSI,
    entries_body,
    find,
    findall,
    get,
    local,
    names,
    parse,
    post,
    text,
)
from tests.support.sandbox import SandboxHarness

DOC = Path("/work/shared/concur-docs/v1.1-expense-entry.txt")
# The "XML Example of Successful Response" of Get Expense Entry Details, verbatim.
SAMPLE = b"""<ExpenseEntry xmlns="http://www.concursolutions.com/api/expense/expensereport/2011/03" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
    <ApprovedAmount>40.00000000</ApprovedAmount>
    <Attendee-Url>https://www.concursolutions.com/api/expense/expensereport/v1.1/report/nYO0ck05r5fATbnjrMBf0d$sCIBqX8WQYw/entry/nbmTPob9qSUJWKttTEr6MLaXaPKYYPv7U/Attendees
    </Attendee-Url>
    <Allocation-Url>https://www.concursolutions.com/api/expense/expensereport/v1.1/report/nYO0ck05r5fATbnjrMBf0d$sCIBqX8WQYw/entry/nbmTPob9qSUJWKttTEr6MLaXaPKYYPv7U/Allocations</Allocation-Url>
    <BusinessPurpose />
    <EreceiptId />
    <ExchangeRate>1.00000000000000</ExchangeRate>
    <ExpenseKey>BUSML</ExpenseKey>
    <ExpenseName>OTHER</ExpenseName>
    <SpendCategory>Miscellaneous</SpendCategory>
    <HasAllocation>N</HasAllocation>
    <HasAttendees>Y</HasAttendees>
    <HasComments>N</HasComments>
    <HasExceptions>N</HasExceptions>
    <HasVat>N</HasVat>
    <ImageRequired>N</ImageRequired>
    <IsCreditCardCharge>N</IsCreditCardCharge>
    <IsItemized>N</IsItemized>
    <Itemizations-Url>https://www.concursolutions.com/api/expense/expensereport/v1.1/report/nYO0ck05r5fATbnjrMBf0d$sCIBqX8WQYw/entry/nbmTPob9qSUJWKttTEr6MLaXaPKYYPv7U/Itemization</Itemizations-Url>
    <IsPersonal>N</IsPersonal>
    <IsPersonalCardCharge>N</IsPersonalCardCharge>
    <LastModified>2011-06-18T16:03:31</LastModified>
    <LocationName />
    <PaymentTypeKey>CASH</PaymentTypeKey>
    <PostedAmount>40.00000000</PostedAmount>
    <ReceiptImageId />
    <ReceiptRequired>N</ReceiptRequired>
    <ReportEntryID>nbmTPob9qSUJWKttTEr6MLaXaPKYYPv7U</ReportEntryID>
    <ReportID>nYO0ck05r5fATbnjrMBf0d$sCIBqX8WQYw</ReportID>
    <TransactionAmount>40.00000000</TransactionAmount>
    <TransactionCurrencyName>US, Dollar</TransactionCurrencyName>
    <TransactionDate>2011-06-15T00:00:00</TransactionDate>
    <VendorDescription />
    <X_UserID>cmiller@example.com</X_UserID>
    <OrgUnit1 />
    <OrgUnit2 />
    <OrgUnit3 />
    <OrgUnit4 />
    <OrgUnit5 />
    <OrgUnit6 />
    <Custom1>Value</Custom1>
    <Custom2 />
    <Custom3 />
    <Custom4 />
    <Custom5 />
    <Custom6 />
    <Custom7 />
    <Custom8 />
    <Custom9 />
    <Custom10 />
    <Custom11 />
    <Custom12 />
    <Custom13 />
    <Custom14 />
    <Custom15 />
    <Custom16 />
    <Custom17 />
    <Custom18 />
    <Custom19 />
    <Custom20 />
    <Custom21 />
    <Custom22 />
    <Custom23 />
    <Custom24 />
    <Custom25 />
    <Custom26 />
    <Custom27 />
    <Custom28 />
    <Custom29 />
    <Custom30 />
    <Custom31 />
    <Custom32 />
    <Custom33 />
    <Custom34 />
    <Custom35 />
    <Custom36 />
    <Custom37 />
    <Custom38 />
    <Custom39 />
    <Custom40 />
</ExpenseEntry>"""
AMOUNT = re.compile(r"-?\d+\.\d{8}")
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def _report(sandbox: SandboxHarness, owner: str, status: str, name: str = "") -> SandboxReport:
    return next(
        r
        for r in sandbox.store.reports.values()
        if r.owner_id == owner
        and r.workflow.approval_status == status
        and r.entries
        and name in r.name
    )


def _entries_url(report: SandboxReport, suffix: str = "") -> str:
    return f"{API}/v1.1/report/{report.rpt_key}/entry{suffix}"


def test_embedded_sample_is_the_documented_one() -> None:
    if not DOC.exists():
        pytest.skip("the Concur documents are not available here")
    doc_text = DOC.read_text(encoding="utf-8")
    start = doc_text.index("<ExpenseEntry xmlns")
    end = doc_text.index("</ExpenseEntry>") + len("</ExpenseEntry>")
    documented = parse(doc_text[start:end].encode())
    sample = parse(SAMPLE)
    assert documented.tag == sample.tag
    assert documented.nsmap == sample.nsmap
    assert names(documented) == names(sample)


async def test_entry_reproduces_the_documented_sample(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = _report(sandbox, seed.TRAVELER_ID, "A_NOTF", "Seattle")
    entry = next(e for e in report.entries if e.custom)
    reply = await get(sandbox, _entries_url(report, f"/{entry.rpe_key}"), token)
    assert reply.status == 200, reply.raw
    assert reply.headers["Content-Type"].startswith("application/xml")
    sample = parse(SAMPLE)
    root = reply.root
    assert root.tag == sample.tag == f"{{{NS11}}}ExpenseEntry"
    assert root.nsmap == {None: NS11, "i": XSI}
    assert names(root) == names(sample)
    assert all(etree.QName(child).namespace == NS11 for child in root)

    link = f"{sandbox.base_url}{API}/v1.1/report/{report.rpt_key}/entry/{entry.rpe_key}"
    assert text(root, "Attendee-Url") == f"{link}/Attendees"
    assert text(root, "Allocation-Url") == f"{link}/Allocations"
    assert text(root, "Itemizations-Url") == f"{link}/Itemization"
    assert text(root, "ReportEntryID") == entry.rpe_key
    assert text(root, "ReportID") == report.rpt_key
    assert text(root, "X_UserID") == "traveler@example.com"
    assert text(root, "ExpenseKey") == entry.expense_type_key
    assert text(root, "TransactionCurrencyName") == "US, Dollar"
    assert text(root, "ExchangeRate") == "1.00000000000000"
    assert Decimal(text(root, "PostedAmount")) == entry.posted_amount
    for name in ("ApprovedAmount", "PostedAmount", "TransactionAmount"):
        assert AMOUNT.fullmatch(text(root, name)), name
    assert DATETIME.fullmatch(text(root, "LastModified"))
    assert text(root, "TransactionDate") == f"{entry.transaction_date.isoformat()}T00:00:00"
    assert text(root, "HasAllocation") in ("P", "F", "N")
    for name in ("HasAttendees", "HasComments", "IsItemized", "IsPersonal", "ReceiptRequired"):
        assert text(root, name) in ("Y", "N")
    code, value = next((k, v) for k, v in sorted(entry.custom.items()) if v.code)
    assert text(root, f"Custom{code}") == f"({value.code}) {value.value}"
    assert len(findall(root, "Custom40")) == 1


async def test_entry_of_an_unreadable_report_or_unknown_key_is_404(
    sandbox: SandboxHarness,
) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_NOTF")
    entry = report.entries[0]
    other = await sandbox.user_token("traveler2@example.com")
    reply = await get(sandbox, _entries_url(report, f"/{entry.rpe_key}"), other)
    assert reply.status == 404
    assert reply.root.tag == "Error"
    owner = await sandbox.user_token("traveler@example.com")
    reply = await get(sandbox, _entries_url(report, "/nNoSuchEntry$x"), owner)
    assert reply.status == 404
    assert names(reply.root) == ["Message", "Server-Time", "Id"]


async def test_post_mixed_entries_applies_each_on_its_own(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = _report(sandbox, seed.TRAVELER_ID, "A_NOTF")
    version, count = report.version, len(report.entries)
    events: list[str] = []
    sandbox.store.listeners.append(lambda event: events.append(event.event_type))
    body = entries_body(
        [
            {
                "CrnCode": "USD",
                "ExpKey": "BRKFT",
                "Description": "Breakfast meeting",
                "TransactionDate": "2025-06-01",
                "TransactionAmount": "15.54",
                "Comment": "Breakfast with the team",
                "VendorDescription": "Starbucks",
                "IsPersonal": "N",
                "Custom1": "(PRJ-100) Project Falcon",
            },
            {"CrnCode": "USD", "TransactionDate": "2025-06-01", "TransactionAmount": "3"},
            {
                "CrnCode": "USD",
                "ExpKey": "TAXIX",
                "TransactionDate": "2025-06-01",
                "TransactionAmount": "12.3456",
            },
            {
                "CrnCode": "EUR",
                "ExpKey": "DINNR",
                "TransactionDate": "2025-06-02",
                "TransactionAmount": "100.005",
            },
            {
                "CrnCode": "XYZ",
                "ExpKey": "DINNR",
                "TransactionDate": "2025-06-02",
                "TransactionAmount": "10",
            },
            {
                "CrnCode": "GBP",
                "ExpKey": "TAXIX",
                "TransactionDate": "2025-06-31",
                "TransactionAmount": "10",
            },
        ]
    )
    reply = await post(sandbox, _entries_url(report), token, body)
    assert reply.status == 200, reply.raw
    root = reply.root
    assert root.tag == f"{{{NS11}}}ReportEntryStatusList"
    assert root.nsmap == {None: NS11, "i": XSI}
    statuses = findall(root, "ReportEntryStatus")
    assert [text(s, "Index") for s in statuses] == ["1", "2", "3", "4", "5", "6"]
    assert [text(s, "Status") for s in statuses] == [
        "SUCCESS",
        "FAILED",
        "FAILED",
        "SUCCESS",
        "FAILED",
        "FAILED",
    ]
    assert names(statuses[0]) == ["Index", "Status", "Report-Entry-Details-Url"]
    assert names(statuses[1]) == ["Index", "Status", "Message"]
    assert "ExpKey" in text(statuses[1], "Message")
    assert "three decimal places" in text(statuses[2], "Message")
    assert "exchange rate" in text(statuses[4], "Message")
    assert "TransactionDate" in text(statuses[5], "Message")

    assert len(report.entries) == count + 2
    assert report.version == version + 2
    assert events == ["reportUpdated", "reportUpdated"]
    breakfast, dinner = report.entries[-2:]
    assert breakfast.custom[1].code == "PRJ-100"
    assert breakfast.comment == "Breakfast with the team"
    assert dinner.transaction_amount == Decimal("100.005")
    assert dinner.exchange_rate == Decimal("1.08")
    assert dinner.posted_amount == Decimal("108.01")

    url = text(statuses[3], "Report-Entry-Details-Url")
    assert url == f"{sandbox.base_url}{_entries_url(report)}/{dinner.rpe_key}"
    detail = await get(sandbox, url, token)
    assert detail.status == 200
    assert text(detail.root, "TransactionCurrencyName") == "Euro Member Countries, Euro"
    assert text(detail.root, "TransactionAmount") == "100.00500000"
    assert text(detail.root, "PostedAmount") == "108.01000000"
    assert text(detail.root, "ExchangeRate") == "1.08000000000000"


async def test_post_with_explicit_rate_trailing_slash_and_company_token(
    sandbox: SandboxHarness,
) -> None:
    company = await sandbox.company_token()
    report = _report(sandbox, seed.TRAVELER2_ID, "A_NOTF")
    body = entries_body(
        [
            {
                "CrnCode": "GBP",
                "ExpKey": "TAXIX",
                "TransactionDate": "2025-06-01",
                "TransactionAmount": "20",
                "ExchangeRate": "1.25",
                "PaymentTypeID": "CPAID",
            }
        ]
    )
    reply = await post(sandbox, _entries_url(report, "/"), company, body)
    assert reply.status == 200
    assert text(find(reply.root, "ReportEntryStatus"), "Status") == "SUCCESS"
    entry = report.entries[-1]
    assert (entry.posted_amount, entry.payment_type_key) == (Decimal("25.00"), "CPAID")


async def test_post_to_a_submitted_report_fails_every_entry(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = _report(sandbox, seed.TRAVELER_ID, "A_PEND")
    version, count = report.version, len(report.entries)
    valid = {
        "CrnCode": "USD",
        "ExpKey": "BRKFT",
        "TransactionDate": "2025-06-01",
        "TransactionAmount": "9.99",
    }
    reply = await post(sandbox, _entries_url(report), token, entries_body([valid, valid]))
    assert reply.status == 200
    statuses = findall(reply.root, "ReportEntryStatus")
    assert [text(s, "Status") for s in statuses] == ["FAILED", "FAILED"]
    assert all("submitted" in text(s, "Message") for s in statuses)
    assert (report.version, len(report.entries)) == (version, count)


@pytest.mark.parametrize(
    "body",
    [
        b"<ReportEntries><Expense><CrnCode>USD</CrnCode></Expense>",
        b'<?xml version="1.0"?><!DOCTYPE ReportEntries [<!ENTITY amt "10">]>'
        b"<ReportEntries><Expense><CrnCode>USD</CrnCode><ExpKey>BRKFT</ExpKey>"
        b"<TransactionDate>2025-06-01</TransactionDate>"
        b"<TransactionAmount>&amt;</TransactionAmount></Expense></ReportEntries>",
        b'<!DOCTYPE ReportEntries SYSTEM "file:///etc/passwd"><ReportEntries/>',
        b"<Report><Name>x</Name></Report>",
    ],
)
async def test_malformed_or_doctype_bodies_are_400_and_change_nothing(
    sandbox: SandboxHarness, body: bytes
) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = _report(sandbox, seed.TRAVELER_ID, "A_NOTF")
    version, count = report.version, len(report.entries)
    reply = await post(sandbox, _entries_url(report), token, body)
    assert reply.status == 400
    assert reply.root.tag == "Error"
    assert (report.version, len(report.entries)) == (version, count)


async def test_update_entry_keeps_its_expense_type(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = _report(sandbox, seed.TRAVELER_ID, "A_NOTF")
    entry = next(e for e in report.entries if e.transaction_currency == "USD")
    version = report.version
    url = _entries_url(report, f"/{entry.rpe_key}")
    change = {
        "ExpKey": entry.expense_type_key,
        "TransactionAmount": "42.5",
        "VendorDescription": "Renamed Vendor",
    }
    reply = await post(sandbox, url, token, entries_body([change]))
    status = find(reply.root, "ReportEntryStatus")
    assert text(status, "Status") == "SUCCESS", reply.raw
    assert text(status, "Report-Entry-Details-Url").endswith(f"/entry/{entry.rpe_key}")
    updated = next(e for e in report.entries if e.rpe_key == entry.rpe_key)
    assert (updated.transaction_amount, updated.posted_amount) == (Decimal("42.5"), Decimal("42.5"))
    assert updated.vendor == "Renamed Vendor"
    assert report.version == version + 1

    other_type = "PARKG" if entry.expense_type_key != "PARKG" else "TAXIX"
    bad = {"ExpKey": other_type, "TransactionAmount": "1"}
    reply = await post(sandbox, url, token, entries_body([bad, {"TransactionAmount": "1"}]))
    messages = [text(s, "Message") for s in findall(reply.root, "ReportEntryStatus")]
    assert "cannot change" in messages[0]
    assert "ExpKey and TransactionAmount" in messages[1]
    assert report.version == version + 1


async def test_only_the_owner_or_company_may_post(sandbox: SandboxHarness) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_RESU")
    manager = await sandbox.user_token("manager@example.com")
    body = entries_body(
        [
            {
                "CrnCode": "USD",
                "ExpKey": "BRKFT",
                "TransactionDate": "2025-06-01",
                "TransactionAmount": "5",
            }
        ]
    )
    reply = await post(sandbox, _entries_url(report), manager, body)
    assert reply.status == 403
    assert local(reply.root) == "Error"
    stranger = await sandbox.user_token("traveler2@example.com")
    reply = await post(sandbox, _entries_url(report), stranger, body)
    assert reply.status == 404
