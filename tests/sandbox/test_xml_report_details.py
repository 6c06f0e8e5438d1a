"""v2.0 report details and v1.1 full details over real HTTP, for owner, manager and company."""

from __future__ import annotations

import re

from lxml import etree

from sandbox import seed
from sandbox.state import SandboxReport
from tests.conftest import SandboxHarness
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


def _numbered(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{n}" for n in range(1, count + 1)]


# The documented v2.0 sample's order, with ReportKey (shown to every reader, see WIRE) and
# ReportImageURL (in the element table) in their documented places.
HEADER = [
    "UserLoginID",
    "EmployeeName",
    "ReportID",
    "ReportKey",
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
ALLOCATION += [*_numbered("Custom", 20), "VATDataList"]
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


async def test_owner_reads_v2_details_in_documented_order(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = _report(sandbox, seed.TRAVELER_ID, "A_NOTF")
    reply = await get(sandbox, _details(report), token)
    assert reply.status == 200, reply.raw
    root = reply.root
    assert root.tag == f"{{{NS20}}}ReportDetails"
    assert root.nsmap == {None: NS20, "i": XSI}
    assert all(etree.QName(child).namespace == NS20 for child in root.iter())
    assert names(root) == HEADER
    assert text(root, "ReportID") == report.report_id
    assert text(root, "ReportKey") == report.report_key
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
    assert [text(e, "ReportEntryID") for e in entries] == [e.entry_key for e in report.entries]
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
            assert text(items[0], "ItemizationID") == entry.entry_key
        attendees = [a for i in items for a in findall(find(i, "AttendeesList"), "Attendee")]
        assert len(attendees) == len(entry.attendees)
        assert all(names(a) == ATTENDEE for a in attendees)
        allocations = findall(find(items[0], "AllocationsList"), "Allocation")
        assert len(allocations) == len(entry.allocations)
        assert all(names(a) == ALLOCATION for a in allocations)
        assert all(text(a, "Percentage").endswith("%") for a in allocations)


async def test_paid_report_has_dates(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = _report(sandbox, seed.TRAVELER_ID, "A_APPR", "P_PAID")
    reply = await get(sandbox, _details(report), token)
    assert report.paid_date is not None
    assert text(reply.root, "PaidDate") == report.paid_date.strftime("%Y-%m-%dT%H:%M:%S")
    assert text(reply.root, "PaymentStatusName") == "Paid"
    assert text(reply.root, "SubmitDate") != "0001-01-01T00:00:00"


async def test_workflow_action_url_depends_on_the_caller(sandbox: SandboxHarness) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_PEND")
    url = _action_url(sandbox, report)
    expected = {
        "traveler@example.com": url,  # recall is still possible
        "manager@example.com": url,  # the assigned approver
        "processor@example.com": "",  # may read a submitted report, cannot act on it
    }
    for login, wanted in expected.items():
        token = await sandbox.user_token(login)
        reply = await get(sandbox, _details(report), token)
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
    reply = await get(sandbox, _details(processor_step), manager)
    assert reply.status == 200  # had the manager step instance
    assert text(reply.root, "WorkflowActionURL") == ""


async def test_details_are_404_for_callers_who_may_not_see_the_report(
    sandbox: SandboxHarness,
) -> None:
    unsubmitted = _report(sandbox, seed.TRAVELER_ID, "A_NOTF")
    for login in ("traveler2@example.com", "manager@example.com", "processor@example.com"):
        token = await sandbox.user_token(login)
        reply = await get(sandbox, _details(unsubmitted), token)
        assert reply.status == 404, login
        assert reply.root.tag == "Error"
    token = await sandbox.user_token("traveler@example.com")
    reply = await get(sandbox, f"{API}/v2.0/report/0123456789ABCDEF0123", token)
    assert reply.status == 404
    reply = await get(sandbox, f"{API}/v2.0/report/{unsubmitted.report_key}", token)
    assert reply.status == 200  # Concur's sample request uses the opaque key


async def test_v11_full_details(sandbox: SandboxHarness) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_PEND")
    token = await sandbox.user_token("manager@example.com")
    reply = await get(sandbox, f"{API}/v1.1/ReportFullDetails/{report.report_key}", token)
    assert reply.status == 200, reply.raw
    root = reply.root
    assert root.tag == f"{{{NS11}}}ReportDetails"
    assert root.nsmap == {None: NS11, "i": XSI}
    assert names(root) == FULL_HEADER
    assert text(root, "RptKey") == report.report_key
    assert text(root, "ApsKey") == "A_PEND"
    assert text(root, "ApvStatusName") == "Submitted & Pending Approval"
    assert (text(root, "PayKey"), text(root, "PayStatusName")) == ("P_NOTP", "Not Paid")
    assert text(root, "WorkflowActionURL") == _action_url(sandbox, report)
    container = find(root, "Entries")
    assert container.get("Count") == str(len(report.entries))
    entries = findall(container, "ExpenseEntry")
    assert [text(e, "RpeKey") for e in entries] == [e.entry_key for e in report.entries]
    for element, entry in zip(entries, report.entries, strict=True):
        assert text(element, "RptKey") == report.report_key
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
    reply = await get(sandbox, f"{API}/v1.1/reportfulldetails/{report.report_key}", owner)
    assert reply.status == 404
