"""v2.0 report details (administrators only) and v1.1 full details (every reader) over real
HTTP, for owner, approvers, administrators and the company."""

from __future__ import annotations

import re

from lxml import etree

from sandbox import seed
from sandbox.records import SandboxEntry, SandboxReport
from tests.sandbox.xml_support import (
    API,
    NS11,
    NS20,
    XSI,
    find,
    findall,
    get,
    names,
    text,
)
from tests.support.sandbox import SandboxHarness


def _numbered(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{n}" for n in range(1, count + 1)]


# The documented v2.0 sample's order, with ReportImageURL (in the element table) in its
# documented place; ReportKey and EmployeeBankAccount are a Web Services Admin's only.
HEADER = [
    "UserLoginID",
    "EmployeeName",
    "ReportID",
    "ReportName",
    "Purpose",
    "ReportDate",
    "CreationDate",
    "SubmitDate",
    "PaidDate",
    "CurrencyCode",
    "ReportTotal",
    "PersonalExpenses",
    "AmountDueEmployee",
    "AmountDueCompanyCard",
    "TotalClaimedAmount",
    "TotalApprovedAmount",
    "ApprovalStatusCode",
    "ApprovalStatusName",
    "PaymentStatusCode",
    "PaymentStatusName",
    *_numbered("OrgUnit", 6),
    *_numbered("Custom", 20),
    "LedgerName",
    "PolicyID",
    "EverSentBack",
    "HasException",
    "WorkflowActionURL",
    "ExpenseEntriesList",
    "ReportImageURL",
    "Country",
    "CountrySubdivision",
    "ProcessingPaymentDate",
    "ReceiptsReceived",
    "ReportOwner",
]
ADMIN_HEADER = [*HEADER[:3], "ReportKey", *HEADER[3:], "EmployeeBankAccount"]
# The documented v2.0 ExpenseEntry sample's order (up to ItemizationsList), then the
# table's optional elements and the sample's trailing UserLoginID.
ENTRY = [
    "ReportEntryID",
    "LegacyEntryID",
    "ExpenseTypeID",
    "ExpenseTypeName",
    "SpendCategory",
    "PaymentTypeCode",
    "PaymentTypeName",
    "TransactionDate",
    "TransactionCurrencyName",
    "ExchangeRate",
    "TransactionAmount",
    "PostedAmount",
    "ApprovedAmount",
    "BusinessPurpose",
    "VendorDescription",
    "LocationName",
    "LocationSubdivision",
    "LocationCountry",
    *_numbered("OrgUnit", 6),
    *_numbered("Custom", 40),
    "FormID",
    "EntryImageID",
    "HasVat",
    "HasComments",
    "CommentCount",
    "IsItemized",
    "HasExceptions",
    "IsPersonal",
    "HasAttendees",
    "HasAllocation",
    "IsCreditCardCharge",
    "IsPersonalCardCharge",
    "ReceiptRequired",
    "ImageRequired",
    "E-ReceiptID",
    "LastModified",
    "ItemizationsList",
    "ReportEntryVendorName",
    "ReportEntryReceiptReceived",
    "ReportEntryReceiptType",
    "ExpensePay",
    "UserLoginID",
]
ITEM = [
    "ItemType",
    "ItemizationID",
    "ExpenseTypeID",
    "ExpenseTypeName",
    "TransactionDate",
    "TransactionAmount",
    "PostedAmount",
    "ApprovedAmount",
    "BusinessPurpose",
    *_numbered("OrgUnit", 6),
    *_numbered("Custom", 40),
    "HasComments",
    "CommentCount",
    "IsPersonal",
    "LastModified",
    "AllocationsList",
    "AttendeesList",
]
ATTENDEE = [
    "AttendeeType",
    "FirstName",
    "LastName",
    "Company",
    "Title",
    "ExternalID",
    *_numbered("Custom", 20),
    "HasExceptionsPrevYear",
    "HasExceptionsYTD",
    "IsDeleted",
    "OwnerEmpName",
    "TotalAmountPrevYear",
    "TotalAmountYTD",
    "VersionNumber",
    "AttendeeID",
    "AttendeeTypeCode",
    "AttendeeOwnerID",
    "CurrencyCode",
]
ALLOCATION = ["AllocationID", "Percentage", "AccountCode1", "AccountCode2"]
ALLOCATION += _numbered("Custom", 20)
ADMIN_ALLOCATION = [*ALLOCATION, "JournalEntriesList", "VATDataList"]
ADMIN_ONLY = frozenset({"ReportKey", "CardTransaction", "EmployeeBankAccount"})
ADMIN_ONLY |= {"VATDataList", "JournalEntriesList"}
FULL_HEADER = [
    "X_UserID",
    "ReportId",
    "ReportName",
    "Purpose",
    "CrnCode",
    "ApsKey",
    "ReportDate",
    "CreationDate",
    "ReceiptImageUrl",
    "HasException",
    "EverSentBack",
    "EmployeeName",
    "ApvStatusName",
    "PayKey",
    "PayStatusName",
    "PaidDate",
    "SubmitDate",
    "EntryCount",
    "LedgerName",
    *_numbered("OrgUnit", 6),
    *_numbered("Custom", 20),
    "PolKey",
    "RptKey",
    "ReportTotal",
    "PersonalExpenses",
    "AmountDueEmployee",
    "AmountDueCompanyCard",
    "TotalClaimedAmount",
    "TotalApprovedAmount",
    "WorkflowActionURL",
    "Entries",
]
AMOUNT = re.compile(r"-?\d+\.\d{8}")


def _report(sandbox: SandboxHarness, owner: str, status: str, payment: str = "") -> SandboxReport:
    return next(
        r
        for r in sandbox.store.reports.values()
        if r.owner_id == owner
        and r.workflow.approval_status == status
        and payment in r.workflow.payment_status
        and r.entries
    )


def _details(report: SandboxReport) -> str:
    return f"{API}/v2.0/report/{report.report_id}"


def _action_url(sandbox: SandboxHarness, report: SandboxReport) -> str:
    return f"{sandbox.base_url}{API}/v1.1/report/{report.workflow.step_key}/workflowaction"


def _plain_entry_id(entry: SandboxEntry) -> str:
    return str(int(entry.expense_id[-7:], 16))


def _local_names(root: etree._Element) -> set[str]:
    return {etree.QName(e).localname for e in root.iter() if isinstance(e.tag, str)}


async def test_company_admin_reads_v2_details_without_admin_only_elements(
    sandbox: SandboxHarness,
) -> None:
    token = await sandbox.user_token(seed.COMPANY_ADMIN_LOGIN)
    report = _report(sandbox, seed.TRAVELER_ID, "A_NOTF")
    reply = await get(sandbox, _details(report), token)
    assert reply.status == 200, reply.raw
    root = reply.root
    assert root.tag == f"{{{NS20}}}ReportDetails"
    assert root.nsmap == {None: NS20, "i": XSI}
    assert all(etree.QName(child).namespace == NS20 for child in root.iter())
    assert names(root) == HEADER
    assert not _local_names(root) & ADMIN_ONLY
    assert text(root, "ReportID") == report.report_id
    assert text(root, "UserLoginID") == "traveler@example.com"
    assert text(root, "EmployeeName") == "Miller, Chris"
    assert text(root, "SubmitDate") == "0001-01-01T00:00:00"
    assert find(root, "PaidDate").get(f"{{{XSI}}}nil") == "true"
    assert (text(root, "ApprovalStatusCode"), text(root, "ApprovalStatusName")) == (
        "A_NOTF",
        "Not Submitted",
    )
    assert text(root, "WorkflowActionURL") == ""
    for name in ("ReportTotal", "PersonalExpenses", "AmountDueEmployee", "TotalClaimedAmount"):
        assert AMOUNT.fullmatch(text(root, name)), name
    assert text(root, "ReportTotal") == f"{report.total:.8f}"
    assert text(root, "OrgUnit1") == report.custom_data[2]["value"]
    assert names(find(root, "ReportOwner"))[:3] == ["EmployeeID", "LastName", "FirstName"]
    assert text(find(root, "ReportOwner"), "EmployeeID") == "EMP1001"

    entries = findall(find(root, "ExpenseEntriesList"), "ExpenseEntry")
    plain = [_plain_entry_id(e) for e in report.entries]
    assert [text(e, "ReportEntryID") for e in entries] == plain
    assert all(p.isdigit() and len(p) <= 13 for p in plain)
    assert not {e.rpe_key for e in report.entries} & set(plain)
    for element, entry in zip(entries, report.entries, strict=True):
        assert names(element) == ENTRY
        items = findall(find(element, "ItemizationsList"), "Itemization")
        assert items
        assert all(names(item) == ITEM for item in items)
        if entry.itemizations:
            assert [text(i, "ItemType") for i in items] == ["Child"] * len(entry.itemizations)
            assert [text(i, "ItemizationID") for i in items] == [i.key for i in entry.itemizations]
        else:
            assert [text(i, "ItemType") for i in items] == ["Regular"]
            assert text(items[0], "ItemizationID") == _plain_entry_id(entry)
        attendees = [a for i in items for a in findall(find(i, "AttendeesList"), "Attendee")]
        assert len(attendees) == len(entry.attendees)
        assert all(names(a) == ATTENDEE for a in attendees)
        allocations = findall(find(items[0], "AllocationsList"), "Allocation")
        assert len(allocations) == len(entry.allocations)
        assert all(names(a) == ALLOCATION for a in allocations)
        assert all(text(a, "Percentage").endswith("%") for a in allocations)


async def test_web_services_admin_sees_report_key_and_admin_blocks(
    sandbox: SandboxHarness,
) -> None:
    token = await sandbox.user_token(seed.ADMIN_LOGIN)
    report = next(
        r
        for r in sandbox.store.reports.values()
        if any(e.is_credit_card_charge for e in r.entries) and any(e.allocations for e in r.entries)
    )
    reply = await get(sandbox, _details(report), token)
    assert reply.status == 200, reply.raw
    root = reply.root
    assert names(root) == ADMIN_HEADER
    key = text(root, "ReportKey")
    assert key == report.report_key
    assert key.isdigit()
    assert key not in (report.report_id, report.rpt_key)
    assert text(find(root, "EmployeeBankAccount"), "PostalAddressCountry") == "US"
    entries = findall(find(root, "ExpenseEntriesList"), "ExpenseEntry")
    for element, entry in zip(entries, report.entries, strict=True):
        card = findall(element, "CardTransaction")
        assert len(card) == (1 if entry.is_credit_card_charge else 0)
        if card:
            assert names(element).index("CardTransaction") == names(element).index("ExpensePay") - 1
            assert text(card[0], "AccountNumberLastSegment") == "4242"
        items = findall(find(element, "ItemizationsList"), "Itemization")
        for allocation in findall(find(items[0], "AllocationsList"), "Allocation"):
            assert names(allocation) == ADMIN_ALLOCATION
            journal = findall(find(allocation, "JournalEntriesList"), "JournalEntry")
            assert len(journal) == 1


async def test_v2_details_refuse_every_user_without_an_admin_role(
    sandbox: SandboxHarness,
) -> None:
    own = _report(sandbox, seed.TRAVELER_ID, "A_PEND")
    for login in ("traveler@example.com", "manager@example.com", "processor@example.com"):
        token = await sandbox.user_token(login)
        reply = await get(sandbox, _details(own), token)
        assert reply.status == 403, login
        assert reply.root.tag == "Error"
        assert names(reply.root) == ["Message", "Server-Time", "Id"]
    admin = await sandbox.user_token(seed.ADMIN_LOGIN)
    reply = await get(sandbox, f"{API}/v2.0/report/0123456789ABCDEF0123", admin)
    assert reply.status == 404
    for not_an_id in (own.rpt_key, own.report_key):  # only the plain ReportID is taken
        reply = await get(sandbox, f"{API}/v2.0/report/{not_an_id}", admin)
        assert reply.status == 404, not_an_id


async def test_paid_report_has_dates(sandbox: SandboxHarness) -> None:
    token = await sandbox.company_token()
    report = _report(sandbox, seed.TRAVELER_ID, "A_APPR", "P_PAID")
    reply = await get(sandbox, _details(report), token)
    assert reply.status == 200
    assert names(reply.root) == HEADER  # a company token gets no Web Services Admin elements
    assert report.paid_date is not None
    assert text(reply.root, "PaidDate") == report.paid_date.strftime("%Y-%m-%dT%H:%M:%S")
    assert text(reply.root, "PaymentStatusName") == "Paid"
    assert text(reply.root, "SubmitDate") != "0001-01-01T00:00:00"


def _full(report: SandboxReport) -> str:
    return f"{API}/v1.1/reportfulldetails/{report.rpt_key}"


async def test_workflow_action_url_depends_on_the_caller(sandbox: SandboxHarness) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_PEND")
    url = _action_url(sandbox, report)
    expected = {
        "traveler@example.com": url,  # recall is still possible
        "manager@example.com": url,  # the assigned approver
        "processor@example.com": "",  # may read a submitted report, cannot act on it
        seed.ADMIN_LOGIN: url,  # the System role: an admin, and the owner has an approver
        seed.COMPANY_ADMIN_LOGIN: url,
    }
    for login, wanted in expected.items():
        token = await sandbox.user_token(login)
        reply = await get(sandbox, _full(report), token)
        assert reply.status == 200, (login, reply.raw)
        assert text(reply.root, "WorkflowActionURL") == wanted, login
    company = await sandbox.company_token()
    reply = await get(sandbox, _details(report), company)
    assert text(reply.root, "WorkflowActionURL") == url

    processor_step = _report(sandbox, seed.TRAVELER_ID, "A_ACCO")
    reply = await get(sandbox, _details(processor_step), company)
    assert reply.status == 200
    assert text(reply.root, "WorkflowActionURL") == ""
    manager = await sandbox.user_token("manager@example.com")
    reply = await get(sandbox, _full(processor_step), manager)
    assert reply.status == 200  # had the manager step instance
    assert text(reply.root, "WorkflowActionURL") == ""


async def test_full_details_are_404_for_callers_who_may_not_see_the_report(
    sandbox: SandboxHarness,
) -> None:
    unsubmitted = _report(sandbox, seed.TRAVELER_ID, "A_NOTF")
    for login in ("traveler2@example.com", "manager@example.com", "processor@example.com"):
        token = await sandbox.user_token(login)
        reply = await get(sandbox, _full(unsubmitted), token)
        assert reply.status == 404, login
        assert reply.root.tag == "Error"
    for login in ("traveler@example.com", seed.ADMIN_LOGIN, seed.COMPANY_ADMIN_LOGIN):
        token = await sandbox.user_token(login)
        reply = await get(sandbox, _full(unsubmitted), token)
        assert reply.status == 200, login


async def test_v11_full_details(sandbox: SandboxHarness) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_PEND")
    token = await sandbox.user_token("manager@example.com")
    reply = await get(sandbox, f"{API}/v1.1/ReportFullDetails/{report.rpt_key}", token)
    assert reply.status == 200, reply.raw
    root = reply.root
    assert root.tag == f"{{{NS11}}}ReportDetails"
    assert root.nsmap == {None: NS11, "i": XSI}
    assert names(root) == FULL_HEADER
    assert text(root, "RptKey") == report.rpt_key
    assert report.rpt_key not in (report.report_id, report.report_key)
    assert text(root, "ApsKey") == "A_PEND"
    assert text(root, "ApvStatusName") == "Submitted & Pending Approval"
    assert (text(root, "PayKey"), text(root, "PayStatusName")) == ("P_NOTP", "Not Paid")
    assert text(root, "WorkflowActionURL") == _action_url(sandbox, report)
    container = find(root, "Entries")
    assert container.get("Count") == str(len(report.entries))
    entries = findall(container, "ExpenseEntry")
    assert [text(e, "RpeKey") for e in entries] == [e.rpe_key for e in report.entries]
    for element, entry in zip(entries, report.entries, strict=True):
        assert text(element, "RptKey") == report.rpt_key
        assert text(element, "RpeKey") not in (entry.expense_id, _plain_entry_id(entry))
        assert text(element, "ExpKey") == entry.expense_type_key
        assert len(findall(element, "AttendeeDetails")) == len(entry.attendees)
        if entry.itemizations:
            details = findall(find(element, "ItemizationsList"), "ItemizationEntryDetails")
            assert [text(d, "ItemizationKey") for d in details] == [
                i.key for i in entry.itemizations
            ]
        else:
            assert find(element, "ItemizationList").text is None
            allocations = findall(element, "Allocations")
            assert len(allocations) == max(len(entry.allocations), 1)

    owner = await sandbox.user_token("traveler2@example.com")
    reply = await get(sandbox, _full(report), owner)
    assert reply.status == 404


async def test_plain_ids_are_404_on_v11_routes(sandbox: SandboxHarness) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_NOTF")
    entry = report.entries[0]
    token = await sandbox.user_token("traveler@example.com")
    for plain in (report.report_id, report.report_key):
        reply = await get(sandbox, f"{API}/v1.1/reportfulldetails/{plain}", token)
        assert reply.status == 404, plain
        reply = await get(sandbox, f"{API}/v1.1/report/{plain}/entry/{entry.rpe_key}", token)
        assert reply.status == 404, plain
    for plain in (entry.expense_id, _plain_entry_id(entry)):
        reply = await get(sandbox, f"{API}/v1.1/report/{report.rpt_key}/entry/{plain}", token)
        assert reply.status == 404, plain
    reply = await get(sandbox, f"{API}/v1.1/report/{report.rpt_key}/entry/{entry.rpe_key}", token)
    assert reply.status == 200
