"""v2.0 Get Report Details: ``GET /api/expense/expensereport/v2.0/report/{reportId}``.

The document requires the OAuth consumer to be a Company Administrator or Web Services
Administrator ("These roles allow the user to manage data for the entire company"): such
users, and company tokens, read any report of the company; every other user is a 403.
``ReportKey`` (the unencrypted numeric key) and the ``CardTransaction``,
``EmployeeBankAccount``, ``VATDataList`` and ``JournalEntriesList`` blocks "appear only if
the OAuth consumer has the Web Services Admin role", so only such a user sees them.
The path takes the plain ``ReportID`` only; ``ReportEntryID`` is the plain numeric entry id
(the document's maximum is 13 characters). Children follow the documented sample's order.
``WorkflowActionURL`` is the absolute v1.1 action URL when the caller can act at the
current step, an empty element otherwise.
Each entry's ``ItemizationsList`` always has at least one item: a ``Regular`` copy of a
non-itemized entry, or one ``Child`` per itemization; attendees ride on the first item.
"""

from __future__ import annotations

from aiohttp import web
from lxml import etree

from sandbox import roles
from sandbox.records import (
    PAYMENT_STATUS_NAMES,
    ZERO,
    SandboxAllocation,
    SandboxAttendee,
    SandboxEntry,
    SandboxItemization,
    SandboxReport,
    SandboxUser,
)
from sandbox.xml import admin_blocks
from sandbox.xml.context import XmlContext, xml_endpoint
from sandbox.xml.currencies import currency_name
from sandbox.xml.errors import Forbidden, NotFound
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
    """The plain numeric entry id (``ReportEntryID``, ``LegacyEntryID``), derived stably from
    the v4 expense id; never equal to the encrypted ``RpeKey``."""
    return str(int(entry.expense_id[-7:], 16))


class _Writer:
    """Writes one v2.0 ``ReportDetails`` for one report and owner; ``admin`` adds the
    elements only a Web Services Administrator may see."""

    def __init__(self, report: SandboxReport, owner: SandboxUser | None, *, admin: bool) -> None:
        self.doc = Document("ReportDetails", NS_V20)
        self.report = report
        self.owner = owner
        self.login = owner.login if owner else ""
        self.admin = admin

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
        if self.admin:
            admin_blocks.journal_entries(doc, element, allocation, self.report)
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
                "ItemizationID": legacy_entry_id(entry),
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

    def entry_what(self, element: etree._Element, entry: SandboxEntry) -> None:
        """The entry's ids, type, payment, date, amounts and place."""
        doc = self.doc
        doc.add_all(
            element,
            {
                "ReportEntryID": legacy_entry_id(entry),
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

    def entry(self, parent: etree._Element, entry: SandboxEntry) -> None:
        doc = self.doc
        element = doc.add(parent, "ExpenseEntry")
        self.entry_what(element, entry)
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
            },
        )
        if self.admin and entry.is_credit_card_charge:
            admin_blocks.card_transaction(doc, element, entry)
        doc.add_all(element, {"ExpensePay": "No" if paying else "", "UserLoginID": self.login})

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

    def report_head(self, root: etree._Element) -> None:
        """Whose report it is, its name and its dates."""
        doc, report = self.doc, self.report
        doc.add_all(
            root,
            {
                "UserLoginID": self.login,
                "EmployeeName": self.owner.display_name if self.owner else "",
                "ReportID": report.report_id,
            },
        )
        if self.admin:
            doc.add(root, "ReportKey", report.report_key)
        doc.add_all(
            root,
            {
                "ReportName": report.name,
                "Purpose": report.business_purpose,
                "ReportDate": timestamp(report.report_date),
                "CreationDate": timestamp(report.creation_date),
                "SubmitDate": timestamp(report.submit_date) or UNSUBMITTED_DATE,
            },
        )
        doc.date_or_nil(root, "PaidDate", report.paid_date)

    def write(self, workflow_url: str) -> Document:
        doc, report, root = self.doc, self.report, self.doc.root
        wf = report.workflow
        org_units, customs = report_customs(report)
        self.report_head(root)
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
        if self.admin:
            admin_blocks.bank_account(doc, root, self.owner)
        return doc


def report_details_document(
    report: SandboxReport, owner: SandboxUser | None, workflow_url: str, *, admin: bool = False
) -> Document:
    return _Writer(report, owner, admin=admin).write(workflow_url)


@xml_endpoint
async def get_report_details(ctx: XmlContext) -> web.StreamResponse:
    caller = ctx.caller
    if caller.kind != "company" and not roles.is_admin(caller.user):
        raise Forbidden(
            "Get Report Details v2.0 requires the Company Administrator or Web Services "
            "Administrator role."
        )
    report = ctx.store.report(ctx.request.match_info["report_id"])
    if report is None:
        raise NotFound("The report does not exist.")
    owner = ctx.store.user(report.owner_id)
    admin = roles.is_web_services_admin(caller.user)
    return report_details_document(report, owner, ctx.workflow_url(report), admin=admin).response()


__all__ = ["get_report_details", "legacy_entry_id", "report_details_document"]
