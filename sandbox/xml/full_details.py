"""v1.1 Report Full Details: ``GET /api/expense/expensereport/v1.1/reportfulldetails/{reportKey}``.

Children follow the documented sample, quirks included: ``X_UserID`` (underscore),
``ApsKey``/``ApvStatusName``/``PayKey``/``PayStatusName``, ``Entries Count="N"`` counting
entries without their itemizations, ``ItemizationsList/ItemizationEntryDetails`` for an
itemized entry but an empty ``<ItemizationList />`` otherwise, entry-level ``Allocations``
(lower-case ``allocKey``) only when the entry is not itemized. The sample declares the
namespace with a prefix only; like every other v1.1 document here, the sandbox makes
2011/03 the default namespace.
"""

from __future__ import annotations

from aiohttp import web
from lxml import etree

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
from sandbox.xml.context import XmlContext, xml_endpoint
from sandbox.xml.currencies import currency_name
from sandbox.xml.expense_entry import comment_count, has_comments
from sandbox.xml.namespaces import NS_V11
from sandbox.xml.render import (
    UNSUBMITTED_DATE,
    Document,
    amount,
    percentage,
    rate,
    timestamp,
    yn,
)
from sandbox.xml.report_fields import LEDGER_NAME, has_exception, report_customs


class _Writer:
    """Writes one v1.1 ``ReportDetails`` for one report and owner."""

    def __init__(self, report: SandboxReport, owner: SandboxUser | None) -> None:
        self.doc = Document("ReportDetails", NS_V11)
        self.report = report
        self.owner = owner
        self.login = owner.login if owner else ""

    def itemization(
        self, parent: etree._Element, entry: SandboxEntry, child: SandboxItemization
    ) -> None:
        doc = self.doc
        element = doc.add(parent, "ItemizationEntryDetails")
        doc.numbered(element, "Custom", 40)
        doc.add_all(
            element,
            {
                "ItemizationKey": child.key,
                "ExpenseKey": child.expense_type_key,
                "ExpenseName": child.expense_type_name,
                "BusinessPurpose": child.business_purpose,
                "TransactionAmount": amount(child.transaction_amount),
                "TransactionDate": timestamp(child.transaction_date),
                "PostedAmount": amount(child.posted_amount),
                "ApprovedAmount": amount(child.approved_amount),
                "HasComments": "N",
                "CommentCount": "0",
                "IsPersonal": yn(child.is_personal),
                "LastModified": timestamp(child.last_modified),
            },
        )
        allocations = doc.add(element, "AllocationsList")
        for allocation in entry.allocations:
            item = doc.add(allocations, "Allocations")
            doc.numbered(item, "Custom", 20, allocation.custom)
            doc.add_all(
                item,
                {
                    "AllocationKey": allocation.key,
                    "Percentage": percentage(allocation.percentage),
                    "AccountCode1": allocation.account_code,
                    "AccountCode2": "",
                },
            )

    def entry_allocation(self, parent: etree._Element, allocation: SandboxAllocation) -> None:
        doc = self.doc
        element = doc.add(parent, "Allocations")
        doc.numbered(element, "Custom", 20, allocation.custom)
        doc.add_all(
            element,
            {
                "AccountCode1": allocation.account_code,
                "AccountCode2": "",
                "allocKey": allocation.key,
                "Percentage": percentage(allocation.percentage),
            },
        )

    def entry(self, parent: etree._Element, entry: SandboxEntry) -> None:
        doc = self.doc
        element = doc.add(parent, "ExpenseEntry")
        doc.add_all(
            element,
            {
                "ReceiptRequired": yn(entry.receipt_required),
                "ImageRequired": yn(entry.image_required),
                "EreceiptId": entry.ereceipt_id,
            },
        )
        doc.numbered(element, "OrgUnit", 6, entry.org_units)
        doc.numbered(element, "Custom", 40, entry.custom)
        doc.add_all(
            element,
            {
                "RpeKey": entry.rpe_key,
                "RptKey": self.report.rpt_key,
                "X_UserID": self.login,
                "ExpKey": entry.expense_type_key,
                "FormKey": "",
                "ReceiptImageId": entry.receipt_image_id,
                "ExpName": entry.expense_type_name,
                "BusinessPurpose": entry.business_purpose,
                "HasVat": yn(entry.has_vat),
                "ExchangeRate": rate(entry.exchange_rate),
                "TransactionAmount": amount(entry.transaction_amount),
                "PostedAmount": amount(entry.posted_amount),
                "ApprovedAmount": amount(entry.approved_amount),
                "TransactionCurrencyName": currency_name(entry.transaction_currency),
                "VendorDescription": entry.vendor,
                "LocationName": entry.location_name,
                "LocationSubdivision": entry.location_subdivision,
                "LocationCountry": entry.location_country,
                "SpendCategory": entry.spend_category,
                "HasComments": yn(has_comments(entry)),
                "CommentCount": str(comment_count(entry)),
                "PaymentTypeKey": entry.payment_type_key,
                "IsItemized": yn(entry.is_itemized),
                "HasExceptions": yn(entry.has_exceptions),
                "IsPersonal": yn(entry.is_personal),
                "HasAttendees": yn(entry.has_attendees),
                "HasAllocation": entry.allocation_flag,
                "IsCreditCardCharge": yn(entry.is_credit_card_charge),
                "AttendeeCount": str(len(entry.attendees)),
                "IsPersonalCardCharge": yn(entry.is_personal_card_charge),
                "TransactionDate": timestamp(entry.transaction_date),
                "LastModifiedDate": timestamp(entry.last_modified),
            },
        )
        self.entry_children(element, entry)
        for attendee in entry.attendees:
            self.attendee(element, attendee)

    def entry_children(self, element: etree._Element, entry: SandboxEntry) -> None:
        """Itemizations (with their allocations), or the entry's own allocations."""
        doc = self.doc
        if entry.itemizations:
            items = doc.add(element, "ItemizationsList")
            for child in entry.itemizations:
                self.itemization(items, entry, child)
            doc.add(element, "Allocations")
        else:
            doc.add(element, "ItemizationList")
            if entry.allocations:
                for allocation in entry.allocations:
                    self.entry_allocation(element, allocation)
            else:
                doc.add(element, "Allocations")

    def attendee(self, parent: etree._Element, attendee: SandboxAttendee) -> None:
        doc = self.doc
        details = doc.add(parent, "AttendeeDetails")
        doc.numbered(details, "Custom", 20)
        doc.add_all(
            details,
            {
                "AttendeeType": attendee.attendee_type,
                "FirstName": attendee.first_name,
                "LastName": attendee.last_name,
                "Company": attendee.company,
                "ExternalId": attendee.external_id,
                "HasExceptionsPrevYear": "N",
                "HasExceptionsYtd": "N",
                "IsDeleted": "N",
                "OwnerEmpName": self.owner.display_name if self.owner else "",
                "Title": attendee.title,
                "TotalAmountPrevYear": amount(ZERO),
                "TotalAmountYtd": amount(ZERO),
                "VersionNumber": "1",
                "AttendeeKey": attendee.key,
            },
        )

    def write(self, workflow_url: str) -> Document:
        doc, report, root = self.doc, self.report, self.doc.root
        wf = report.workflow
        org_units, customs = report_customs(report)
        doc.add_all(
            root,
            {
                "X_UserID": self.login,
                "ReportId": report.report_id,
                "ReportName": report.name,
                "Purpose": report.business_purpose,
                "CrnCode": report.currency_code,
                "ApsKey": wf.approval_status,
                "ReportDate": timestamp(report.report_date),
                "CreationDate": timestamp(report.creation_date),
                "ReceiptImageUrl": "",
                "HasException": yn(has_exception(report)),
                "EverSentBack": yn(report.ever_sent_back),
                "EmployeeName": self.owner.display_name if self.owner else "",
                "ApvStatusName": wf.approval_status_name,
                "PayKey": wf.payment_status,
                "PayStatusName": PAYMENT_STATUS_NAMES.get(wf.payment_status, wf.payment_status),
            },
        )
        doc.date_or_nil(root, "PaidDate", report.paid_date)
        doc.add_all(
            root,
            {
                "SubmitDate": timestamp(report.submit_date) or UNSUBMITTED_DATE,
                "EntryCount": str(sum(1 + len(e.itemizations) for e in report.entries)),
                "LedgerName": LEDGER_NAME,
            },
        )
        doc.numbered(root, "OrgUnit", 6, org_units)
        doc.numbered(root, "Custom", 20, customs)
        doc.add_all(
            root,
            {
                "PolKey": report.policy_id,
                "RptKey": report.rpt_key,
                "ReportTotal": amount(report.total),
                "PersonalExpenses": amount(report.personal_amount),
                "AmountDueEmployee": amount(report.amount_due_employee),
                "AmountDueCompanyCard": amount(report.amount_due_company_card),
                "TotalClaimedAmount": amount(report.claimed_amount),
                "TotalApprovedAmount": amount(report.approved_amount),
                "WorkflowActionURL": workflow_url,
            },
        )
        entries = doc.add(root, "Entries")
        entries.set("Count", str(len(report.entries)))
        for entry in report.entries:
            self.entry(entries, entry)
        return doc


def full_details_document(
    report: SandboxReport, owner: SandboxUser | None, workflow_url: str
) -> Document:
    return _Writer(report, owner).write(workflow_url)


@xml_endpoint
async def get_full_details(ctx: XmlContext) -> web.StreamResponse:
    report = ctx.report_by_rpt_key(ctx.request.match_info["rpt_key"])
    owner = ctx.store.user(report.owner_id)
    return full_details_document(report, owner, ctx.workflow_url(report)).response()


__all__ = ["full_details_document", "get_full_details"]
