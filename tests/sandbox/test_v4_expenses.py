"""Expenses v4 over real HTTP: ReportExpenseSummary and ReportExpenseDetail field names."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.sandbox import DEMO, SandboxHarness

SUMMARY_KEYS = {
    "allocationSetId",
    "allocationState",
    "approvedAmount",
    "approverAdjustedAmount",
    "attendeeCount",
    "businessPurpose",
    "claimedAmount",
    "ereceiptImageId",
    "exchangeRate",
    "expenseId",
    "expenseSourceIdentifiers",
    "expenseType",
    "fuelTypeListItem",
    "hasBlockingExceptions",
    "hasExceptions",
    "hasMissingReceiptDeclaration",
    "imageCertificationStatus",
    "isAutoCreated",
    "isImageRequired",
    "isPaperReceiptRequired",
    "isPersonalExpense",
    "jptRouteId",
    "links",
    "location",
    "paymentType",
    "postedAmount",
    "receiptImageId",
    "ticketNumber",
    "transactionAmount",
    "transactionDate",
    "travelAllowance",
    "vendor",
}
DETAIL_EXTRA_KEYS = {
    "authorizationRequestExpenseId",
    "budgetAccrualDate",
    "customData",
    "expenseTaxSummary",
    "isExcludedFromCashAdvanceByUser",
    "isExpenseBillable",
    "isExpenseRejected",
    "isPaperReceiptReceived",
    "merchantTaxId",
    "mileage",
    "parentExpenseId",
    "receiptType",
    "taxRateLocation",
    "travel",
    "lastModifiedDate",
    "invoiceId",
    "governmentInvoiceId",
}


def expenses_path(user_id: str, report_id: str, context: str = "TRAVELER") -> str:
    return f"/expensereports/v4/users/{user_id}/context/{context}/reports/{report_id}/expenses"


async def test_expense_list_has_the_summary_fields(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("London Partner Summit")
    reply = await sandbox.call("GET", expenses_path(DEMO.traveler, report.report_id), token=token)
    assert reply.status == 200
    items = reply.json()
    assert [i["expenseId"] for i in items] == [e.expense_id for e in report.entries]
    for item, entry in zip(items, report.entries, strict=True):
        assert set(item) == SUMMARY_KEYS
        assert item["transactionAmount"] == {
            "value": entry.transaction_amount,
            "currencyCode": "GBP",
        }
        assert item["postedAmount"] == {"value": entry.posted_amount, "currencyCode": "USD"}
        assert item["exchangeRate"] == {"value": Decimal("1.27"), "operation": "MULTIPLY"}
        assert set(item["expenseType"]) == {"id", "code", "name", "isDeleted"}
        assert set(item["paymentType"]) == {"id", "code", "name"}
        assert item["links"][0]["rel"] == "self"
    assert sum(i["postedAmount"]["value"] for i in items) == report.total


async def test_allocation_states_and_attendees(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("Boston Customer Workshop")
    items = (
        await sandbox.call("GET", expenses_path(DEMO.traveler, report.report_id), token=token)
    ).json()
    states = {i["expenseType"]["id"]: i["allocationState"] for i in items}
    assert states["AIRFR"] == "FULLY_ALLOCATED"
    assert states["CARRT"] == "PARTIALLY_ALLOCATED"
    assert states["LODNG"] == "NOT_ALLOCATED"
    meal = next(i for i in items if i["expenseType"]["id"] == "BUSML")
    assert meal["attendeeCount"] == 2


async def test_expense_detail(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("manager@example.com")
    report = sandbox.report_named("Boston Customer Workshop")
    entry = report.entries[0]
    path = f"{expenses_path(DEMO.manager, report.report_id, 'MANAGER')}/{entry.expense_id}"
    reply = await sandbox.call("GET", path, token=token)
    assert reply.status == 200
    body = reply.json()
    assert set(body) == (SUMMARY_KEYS - {"ticketNumber"}) | DETAIL_EXTRA_KEYS
    assert body["expenseId"] == entry.expense_id
    ids = [c["id"] for c in body["customData"]]
    assert ids == ["custom1", "custom2", "orgUnit1", "orgUnit2"]
    project = body["customData"][0]
    assert project["listItemUrl"] == f"{sandbox.base_url}/list/v4/items?id={project['value']}"
    assert body["taxRateLocation"] == "HOME"


@pytest.mark.parametrize("context", ["PROCESSOR", "AUDITOR"])
async def test_expense_contexts(sandbox: SandboxHarness, context: str) -> None:
    token = await sandbox.user_token("processor@example.com")
    report = sandbox.report_named("Denver Trade Show")
    reply = await sandbox.call(
        "GET", expenses_path(DEMO.processor, report.report_id, context), token=token
    )
    assert reply.status == 400


async def test_unknown_expense_and_foreign_reader(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("London Partner Summit")
    missing = await sandbox.call(
        "GET", f"{expenses_path(DEMO.traveler, report.report_id)}/{'A' * 32}", token=token
    )
    assert missing.status == 404
    other = await sandbox.user_token("traveler2@example.com")
    denied = await sandbox.call("GET", expenses_path(DEMO.traveler2, report.report_id), token=other)
    assert denied.status == 403
