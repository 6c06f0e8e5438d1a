"""v1.1 expense entries: Get Expense Entry Details and Post Expense Entry (create/update).

A posted ``ReportEntries`` document is parsed whole before anything is applied (a malformed
body or a DOCTYPE changes nothing); then each ``Expense`` is applied on its own and gets
its own ``ReportEntryStatus`` — one bad entry does not fail the others. New entries go
through ``Engine.add_entry`` so the report's version and events move as for any change.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Final

from aiohttp import web

from sandbox.records import SandboxEntry, SandboxReport
from sandbox.text_rules import fits_printed
from sandbox.workflow_terms import WorkflowRefused, money
from sandbox.xml import access, links
from sandbox.xml.body import child_elements, local_name, parse_body
from sandbox.xml.catalogue import DEFAULT_PAYMENT_TYPE, expense_type
from sandbox.xml.context import XmlContext, xml_endpoint
from sandbox.xml.currencies import convert, sandbox_rate
from sandbox.xml.entry_input import EntryRejected, ExpenseInput, read_expense
from sandbox.xml.errors import BadRequest, Forbidden, NotFound
from sandbox.xml.expense_entry import expense_entry_document
from sandbox.xml.namespaces import NS_V11
from sandbox.xml.render import Document

MAX_EXPENSES: Final = 1000
SUBMITTED_MESSAGE: Final = (
    "The report has been submitted; entries can only be added to or changed on unsubmitted reports."
)


def _entry(report: SandboxReport, rpe_key: str) -> SandboxEntry:
    for entry in report.entries:
        if entry.rpe_key == rpe_key:
            return entry
    raise NotFound("The expense entry does not exist.")


@xml_endpoint
async def get_entry(ctx: XmlContext) -> web.StreamResponse:
    report = ctx.report_by_rpt_key(ctx.request.match_info["rpt_key"])
    entry = _entry(report, ctx.request.match_info["rpe_key"])
    owner = ctx.store.user(report.owner_id)
    return expense_entry_document(ctx.base_url, report, entry, owner).response()


def _posted(amount: Decimal, exchange_rate: Decimal) -> Decimal:
    """The posted amount; refused when it would not fit Concur's 23-character amounts."""
    posted = convert(amount, exchange_rate)
    if not fits_printed(posted, 8):
        raise EntryRejected(
            "The posted amount (TransactionAmount x ExchangeRate) exceeds the largest "
            "amount Concur can hold."
        )
    return money(posted)


def _rate(report: SandboxReport, crn: str, given: Decimal | None) -> Decimal:
    if given is not None:
        return given
    found = sandbox_rate(crn, report.currency_code)
    if found is None:
        raise EntryRejected(
            f"No exchange rate from {crn} to {report.currency_code} is configured; "
            "send ExchangeRate."
        )
    return found


def _new_entry(ctx: XmlContext, report: SandboxReport, data: ExpenseInput) -> SandboxEntry:
    missing = [
        name
        for name, value in (
            ("CrnCode", data.crn_code),
            ("ExpKey", data.exp_key),
            ("TransactionDate", data.transaction_date),
            ("TransactionAmount", data.transaction_amount),
        )
        if value is None
    ]
    if missing:
        raise EntryRejected(f"Missing required field(s): {', '.join(missing)}.")
    # narrowed by the check above
    assert data.crn_code is not None
    assert data.exp_key is not None
    assert data.transaction_date is not None
    assert data.transaction_amount is not None
    kind = expense_type(ctx.store, data.exp_key)
    if kind is None:
        raise EntryRejected(f"ExpKey {data.exp_key!r} is not a configured expense type.")
    exchange_rate = _rate(report, data.crn_code, data.exchange_rate)
    posted = _posted(data.transaction_amount, exchange_rate)
    pay = data.payment_type or DEFAULT_PAYMENT_TYPE
    return SandboxEntry(
        expense_id=ctx.store.new_expense_id(),
        rpe_key=ctx.store.opaque_key(),
        expense_type_key=kind.key,
        expense_type_name=kind.name,
        spend_category=kind.spend_category,
        transaction_date=data.transaction_date,
        transaction_amount=money(data.transaction_amount),
        transaction_currency=data.crn_code,
        posted_amount=posted,
        approved_amount=posted,
        exchange_rate=exchange_rate,
        vendor=data.vendor or "",
        location_name=data.location_id or "",
        payment_type_key=pay.key,
        payment_type_name=pay.name,
        business_purpose=data.description or "",
        comment=data.comment or "",
        has_comments=bool(data.comment),
        is_personal=bool(data.is_personal),
        custom=dict(data.custom),
        org_units=dict(data.org_units),
        last_modified=ctx.store.clock(),
    )


def _updated_entry(
    ctx: XmlContext, report: SandboxReport, entry: SandboxEntry, data: ExpenseInput
) -> SandboxEntry:
    """The entry with the posted changes; Concur requires ExpKey and TransactionAmount and
    never lets the expense type change."""
    if data.exp_key is None or data.transaction_amount is None:
        raise EntryRejected("An update must include ExpKey and TransactionAmount.")
    if data.exp_key.upper() != entry.expense_type_key.upper():
        raise EntryRejected("The expense type key (ExpKey) of an existing entry cannot change.")
    crn = data.crn_code or entry.transaction_currency
    if data.exchange_rate is None and crn == entry.transaction_currency:
        exchange_rate = entry.exchange_rate
    else:
        exchange_rate = _rate(report, crn, data.exchange_rate)
    posted = _posted(data.transaction_amount, exchange_rate)
    pay = data.payment_type
    comment = entry.comment if data.comment is None else data.comment
    return replace(
        entry,
        transaction_amount=money(data.transaction_amount),
        transaction_currency=crn,
        transaction_date=data.transaction_date or entry.transaction_date,
        exchange_rate=exchange_rate,
        posted_amount=posted,
        approved_amount=posted,
        vendor=entry.vendor if data.vendor is None else data.vendor,
        location_name=entry.location_name if data.location_id is None else data.location_id,
        payment_type_key=pay.key if pay else entry.payment_type_key,
        payment_type_name=pay.name if pay else entry.payment_type_name,
        business_purpose=(entry.business_purpose if data.description is None else data.description),
        comment=comment,
        has_comments=entry.has_comments or bool(comment),
        is_personal=entry.is_personal if data.is_personal is None else data.is_personal,
        custom={**entry.custom, **data.custom},
        org_units={**entry.org_units, **data.org_units},
        last_modified=ctx.store.clock(),
    )


def _apply(
    ctx: XmlContext, report: SandboxReport, target: SandboxEntry | None, data: ExpenseInput
) -> SandboxEntry:
    if report.is_submitted:
        raise EntryRejected(SUBMITTED_MESSAGE)
    if target is None:
        entry = _new_entry(ctx, report, data)
        ctx.engine.add_entry(report, entry)
        return entry
    updated = _updated_entry(ctx, report, target, data)
    report.entries[report.entries.index(target)] = updated
    ctx.engine.update_report(report, access.actor_of(ctx.caller))
    return updated


@xml_endpoint
async def post_entries(ctx: XmlContext) -> web.StreamResponse:
    # Read the body before looking anything up: from here on nothing awaits, so the
    # report cannot change between the checks and the changes.
    raw = await ctx.request.read()
    report = ctx.report_by_rpt_key(ctx.request.match_info["rpt_key"])
    if not access.can_post_entries(ctx.caller, report):
        raise Forbidden("Only the report owner or a company administrator can post entries.")
    entry_key = ctx.request.match_info.get("rpe_key")
    target = _entry(report, entry_key) if entry_key else None
    root = parse_body(raw, "ReportEntries")
    expenses = child_elements(root)
    if not expenses:
        raise BadRequest("ReportEntries must contain at least one Expense element.")
    if len(expenses) > MAX_EXPENSES:
        raise BadRequest(f"ReportEntries may contain at most {MAX_EXPENSES} Expense elements.")
    stray = next((local_name(e) for e in expenses if local_name(e) != "Expense"), None)
    if stray is not None:
        raise BadRequest(f"ReportEntries may contain only Expense elements, not {stray}.")

    doc = Document("ReportEntryStatusList", NS_V11)
    for index, element in enumerate(expenses, start=1):
        status = doc.add(doc.root, "ReportEntryStatus")
        doc.add(status, "Index", str(index))
        try:
            entry = _apply(ctx, report, target, read_expense(element))
        except (EntryRejected, WorkflowRefused) as exc:
            doc.add(status, "Status", "FAILED")
            doc.add(status, "Message", exc.message)
            continue
        if target is not None:
            target = entry
        doc.add(status, "Status", "SUCCESS")
        doc.add(
            status,
            "Report-Entry-Details-Url",
            links.entry_url(ctx.base_url, report.rpt_key, entry.rpe_key),
        )
    return doc.response()


__all__ = ["MAX_EXPENSES", "SUBMITTED_MESSAGE", "get_entry", "post_entries"]
