"""v2.0 Get Report Details: ``GET /api/expense/expensereport/v2.0/report/{reportId}``.

Children follow the documented sample's order. ``ReportKey`` is shown to every caller
allowed to read the report (real Concur shows it to Web Services Admins only; the gateway
needs it to reach the v1.1 endpoints by plain id). ``WorkflowActionURL`` is the absolute
v1.1 action URL when the caller can act at the current step, an empty element otherwise.
The path takes the plain report id; the opaque report key (as in Concur's own sample
request) is accepted too.
Each entry's ``ItemizationsList`` always has at least one item: a ``Regular`` copy of a
non-itemized entry, or one ``Child`` per itemization; attendees ride on the first item.
"""

from __future__ import annotations

from aiohttp import web
from lxml import etree

from sandbox.state import (
    PAYMENT_STATUS_NAMES,
    ZERO,
    SandboxAllocation,
    SandboxAttendee,
    SandboxEntry,
    SandboxItemization,
    SandboxReport,
    SandboxUser,
)
from sandbox.xml.context import XmlContext, xml_endpoint
from sandbox.xml.currencies import currency_name
from sandbox.xml.expense_entry import comment_count, has_comments
from sandbox.xml.namespaces import NS_V20
from sandbox.xml.render import (
    UNSUBMITTED_DATE,
    Document,
    amount,
    day,
    percentage,
    rate,
    timestamp,
    yn,
)
from sandbox.xml.report_fields import LEDGER_NAME, has_exception, report_customs

_PAYMENT_REACHED = frozenset({"P_PROC", "P_PAID"})


def legacy_entry_id(entry: SandboxEntry) -> str:
    """``LegacyEntryID`` is numeric in Concur; derived stably from the v4 expense id."""
    return str(int(entry.expense_id[-7:], 16))


class _Writer:
    """Writes one v2.0 ``ReportDetails`` for one report and owner."""

    def __init__(self, report: SandboxReport, owner: SandboxUser | None) -> None:
        self.doc = Document("ReportDetails", NS_V20)
        self.report = report
        self.owner = owner
        self.login = owner.login if owner else ""

    def allocations(self, parent: etree._Element, entry: SandboxEntry) -> None:
        container = self.doc.add(parent, "AllocationsList")
        for allocation in entry.allocations:
            self.allocation(container, allocation)

    def allocation(self, parent: etree._Element, allocation: SandboxAllocation) -> None:
        doc = self.doc
        element = doc.add(parent, "Allocation")
        doc.add_all(
            element,
            {
                "AllocationID": allocation.key,
                "Percentage": percentage(allocation.percentage),
                "AccountCode1": allocation.account_code,
                "AccountCode2": "",
            },
        )
        doc.numbered(element, "Custom", 20, allocation.custom)
        doc.add(element, "VATDataList")

    def attendees(self, parent: etree._Element, attendees: list[SandboxAttendee]) -> None:
        container = self.doc.add(parent, "AttendeesList")
        for attendee in attendees:
            self.attendee(container, attendee)

    def attendee(self, parent: etree._Element, attendee: SandboxAttendee) -> None:
        doc = self.doc
        element = doc.add(parent, "Attendee")
        doc.add_all(
            element,
            {
                "AttendeeType": attendee.attendee_type,
                "FirstName": attendee.first_name,
                "LastName": attendee.last_name,
                "Company": attendee.company,
                "Title": attendee.title,
                "ExternalID": attendee.external_id,
            },
        )
        doc.numbered(element, "Custom", 20)
        doc.add_all(
            element,
            {
                "HasExceptionsPrevYear": "N",
                "HasExceptionsYTD": "N",
                "IsDeleted": "N",
                "OwnerEmpName": self.owner.display_name if self.owner else "",
                "TotalAmountPrevYear": amount(ZERO),
                "TotalAmountYTD": amount(ZERO),
                "VersionNumber": "1",
                "AttendeeID": attendee.key,
                "AttendeeTypeCode": attendee.attendee_type,
                "AttendeeOwnerID": self.login,
                "CurrencyCode": self.report.currency_code,
            },
        )

    def regular_item(self, parent: etree._Element, entry: SandboxEntry) -> None:
        doc = self.doc
        item = doc.add(parent, "Itemization")
        doc.add_all(
            item,
            {
                "ItemType": "Regular",
                "ItemizationID": entry.entry_key,
                "ExpenseTypeID": entry.expense_type_key,
                "ExpenseTypeName": entry.expense_type_name,
                "TransactionDate": timestamp(entry.transaction_date),
                "TransactionAmount": amount(entry.transaction_amount),
                "PostedAmount": amount(entry.posted_amount),
                "ApprovedAmount": amount(entry.approved_amount),
                "BusinessPurpose": entry.business_purpose,
            },
        )
        doc.numbered(item, "OrgUnit", 6, entry.org_units)
        doc.numbered(item, "Custom", 40, entry.custom)
        doc.add_all(
            item,
            {
                "HasComments": yn(has_comments(entry)),
                "CommentCount": str(comment_count(entry)),
                "IsPersonal": yn(entry.is_personal),
                "LastModified": timestamp(entry.last_modified),
            },
        )
        self.allocations(item, entry)
        self.attendees(item, entry.attendees)

    def child_item(
        self,
        parent: etree._Element,
        entry: SandboxEntry,
        child: SandboxItemization,
        attendees: list[SandboxAttendee],
    ) -> None:
        doc = self.doc
        item = doc.add(parent, "Itemization")
        doc.add_all(
            item,
            {
                "ItemType": "Child",
                "ItemizationID": child.key,
                "ExpenseTypeID": child.expense_type_key,
                "ExpenseTypeName": child.expense_type_name,
                "TransactionDate": timestamp(child.transaction_date),
                "TransactionAmount": amount(child.transaction_amount),
                "PostedAmount": amount(child.posted_amount),
                "ApprovedAmount": amount(child.approved_amount),
                "BusinessPurpose": child.business_purpose,
            },
        )
        doc.numbered(item, "OrgUnit", 6, entry.org_units)
        doc.numbered(item, "Custom", 40)
        doc.add_all(
            item,
            {
                "HasComments": "N",
                "CommentCount": "0",
                "IsPersonal": yn(child.is_personal),
                "LastModified": timestamp(child.last_modified),
            },
        )
        self.allocations(item, entry)
        self.attendees(item, attendees)

    def entry(self, parent: etree._Element, entry: SandboxEntry) -> None:
        doc = self.doc
        element = doc.add(parent, "ExpenseEntry")
        doc.add_all(
            element,
            {
                "ReportEntryID": entry.entry_key,
                "LegacyEntryID": legacy_entry_id(entry),
                "ExpenseTypeID": entry.expense_type_key,
                "ExpenseTypeName": entry.expense_type_name,
                "SpendCategory": entry.spend_category,
                "PaymentTypeCode": entry.payment_type_key,
                "PaymentTypeName": entry.payment_type_name,
                "TransactionDate": timestamp(entry.transaction_date),
                "TransactionCurrencyName": currency_name(entry.transaction_currency),
                "ExchangeRate": rate(entry.exchange_rate),
                "TransactionAmount": amount(entry.transaction_amount),
                "PostedAmount": amount(entry.posted_amount),
                "ApprovedAmount": amount(entry.approved_amount),
                "BusinessPurpose": entry.business_purpose,
                "VendorDescription": entry.vendor,
                "LocationName": entry.location_name,
                "LocationSubdivision": entry.location_subdivision,
                "LocationCountry": entry.location_country,
            },
        )
        doc.numbered(element, "OrgUnit", 6, entry.org_units)
        doc.numbered(element, "Custom", 40, entry.custom)
        paying = self.report.workflow.payment_status in _PAYMENT_REACHED
        doc.add_all(
            element,
            {
                "FormID": "",
                "EntryImageID": entry.receipt_image_id,
                "HasVat": yn(entry.has_vat),
                "HasComments": yn(has_comments(entry)),
                "CommentCount": str(comment_count(entry)),
                "IsItemized": yn(entry.is_itemized),
                "HasExceptions": yn(entry.has_exceptions),
                "IsPersonal": yn(entry.is_personal),
                "HasAttendees": yn(entry.has_attendees),
                "HasAllocation": entry.allocation_flag,
                "IsCreditCardCharge": yn(entry.is_credit_card_charge),
                "IsPersonalCardCharge": yn(entry.is_personal_card_charge),
                "ReceiptRequired": yn(entry.receipt_required),
                "ImageRequired": yn(entry.image_required),
                "E-ReceiptID": entry.ereceipt_id,
                "LastModified": timestamp(entry.last_modified),
            },
        )
        items = doc.add(element, "ItemizationsList")
        if entry.itemizations:
            for position, child in enumerate(entry.itemizations):
                self.child_item(items, entry, child, entry.attendees if position == 0 else [])
        else:
            self.regular_item(items, entry)
        doc.add_all(
            element,
            {
                "ReportEntryVendorName": entry.vendor,
                "ReportEntryReceiptReceived": "N",
                "ReportEntryReceiptType": "R" if entry.receipt_image_id else "N",
                "ExpensePay": "No" if paying else "",
                "UserLoginID": self.login,
            },
        )

    def owner_block(self, parent: etree._Element) -> None:
        doc = self.doc
        element = doc.add(parent, "ReportOwner")
        owner = self.owner
        doc.add_all(
            element,
            {
                "EmployeeID": (owner.employee_id if owner else "") or self.login,
                "LastName": owner.last_name if owner else "",
                "FirstName": owner.first_name if owner else "",
                "MiddleInitial": "",
                "EmployeeCustom21": "",
            },
        )
        doc.numbered(element, "EmployeeOrgUnit", 6)
        doc.add(element, "ReimbursementMethodCode", "CNQRPAY")

    def write(self, workflow_url: str) -> Document:
        doc, report, root = self.doc, self.report, self.doc.root
        wf = report.workflow
        org_units, customs = report_customs(report)
        doc.add_all(
            root,
            {
                "UserLoginID": self.login,
                "EmployeeName": self.owner.display_name if self.owner else "",
                "ReportID": report.report_id,
                "ReportKey": report.report_key,
                "ReportName": report.name,
                "Purpose": report.business_purpose,
                "ReportDate": timestamp(report.report_date),
                "CreationDate": timestamp(report.creation_date),
                "SubmitDate": timestamp(report.submit_date) or UNSUBMITTED_DATE,
            },
        )
        doc.date_or_nil(root, "PaidDate", report.paid_date)
        doc.add_all(
            root,
            {
                "CurrencyCode": report.currency_code,
                "ReportTotal": amount(report.total),
                "PersonalExpenses": amount(report.personal_amount),
                "AmountDueEmployee": amount(report.amount_due_employee),
                "AmountDueCompanyCard": amount(report.amount_due_company_card),
                "TotalClaimedAmount": amount(report.claimed_amount),
                "TotalApprovedAmount": amount(report.approved_amount),
                "ApprovalStatusCode": wf.approval_status,
                "ApprovalStatusName": wf.approval_status_name,
                "PaymentStatusCode": wf.payment_status,
                "PaymentStatusName": PAYMENT_STATUS_NAMES.get(wf.payment_status, wf.payment_status),
            },
        )
        doc.numbered(root, "OrgUnit", 6, org_units)
        doc.numbered(root, "Custom", 20, customs)
        doc.add_all(
            root,
            {
                "LedgerName": LEDGER_NAME,
                "PolicyID": report.policy_id,
                "EverSentBack": yn(report.ever_sent_back),
                "HasException": yn(has_exception(report)),
                "WorkflowActionURL": workflow_url,
            },
        )
        entries = doc.add(root, "ExpenseEntriesList")
        for entry in report.entries:
            self.entry(entries, entry)
        processing = wf.payment_status == "P_PROC" and wf.last_transition_at is not None
        doc.add_all(
            root,
            {
                "ReportImageURL": "",
                "Country": report.country_code,
                "CountrySubdivision": report.country_sub_division_code,
                "ProcessingPaymentDate": day(wf.last_transition_at) if processing else "",
                "ReceiptsReceived": yn(report.is_paper_receipts_received),
            },
        )
        self.owner_block(root)
        return doc


def report_details_document(
    report: SandboxReport, owner: SandboxUser | None, workflow_url: str
) -> Document:
    return _Writer(report, owner).write(workflow_url)


@xml_endpoint
async def get_report_details(ctx: XmlContext) -> web.StreamResponse:
    report_id = ctx.request.match_info["report_id"]
    found = ctx.store.report(report_id) or ctx.store.report_by_key(report_id)
    report = ctx.readable_report(found)
    owner = ctx.store.user(report.owner_id)
    return report_details_document(report, owner, ctx.workflow_url(report)).response()


__all__ = ["get_report_details", "legacy_entry_id", "report_details_document"]
