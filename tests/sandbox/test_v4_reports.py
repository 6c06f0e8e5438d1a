"""Reports v4 over real HTTP: the documented examples, contexts, create and update."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.support.sandbox import DEMO, SandboxHarness

# Keys of the documented "Retrieve a Report by ID" 200 sample.
DOC_SAMPLE_KEYS = {
    "approvalStatus",
    "approvalStatusId",
    "concurAuditStatus",
    "customData",
    "ledger",
    "ledgerId",
    "paymentStatus",
    "paymentStatusId",
    "submitDate",
    "approvedAmount",
    "claimedAmount",
    "amountCompanyPaid",
    "paymentConfirmedAmount",
    "amountDueCompany",
    "amountDueCompanyCard",
    "amountDueEmployee",
    "personalAmount",
    "reportTotal",
    "amountNotApproved",
    "isFinancialIntegrationEnabled",
    "canReopen",
    "isReopened",
    "isReceiptImageAvailable",
    "isReceiptImageRequired",
    "isPaperReceiptsReceived",
    "reportId",
    "currency",
    "currencyCode",
    "analyticsGroupId",
    "hierarchyNodeId",
    "allocationFormId",
    "links",
    "reportDate",
    "reportFormId",
    "businessPurpose",
    "countryCode",
    "countrySubDivisionCode",
    "policyId",
    "startDate",
    "endDate",
    "name",
    "policy",
    "country",
    "userId",
    "reportType",
    "redirectFund",
    "creationDate",
    "canRecall",
    "reportVersion",
}
AMOUNT_KEYS = {
    "approvedAmount",
    "claimedAmount",
    "amountCompanyPaid",
    "paymentConfirmedAmount",
    "amountDueCompany",
    "amountDueCompanyCard",
    "amountDueEmployee",
    "personalAmount",
    "reportTotal",
    "amountNotApproved",
}
LINK_KEYS = {
    "rel",
    "href",
    "hreflang",
    "media",
    "title",
    "type",
    "deprecation",
    "method",
    "isTemplated",
}
ERROR_KEYS = {
    "timestamp",
    "httpStatus",
    "errorMessage",
    "errorId",
    "path",
    "validationErrors",
    "customResponseData",
}
RAW_AMOUNT = re.compile(rb'"value":(-?\d+\.\d{8}|0E-8),"currencyCode"')
ANY_VALUE = re.compile(rb'"value":(-?[0-9][^,}]*),"currencyCode"')


def report_path(user_id: str, report_id: str, context: str = "TRAVELER") -> str:
    return f"/expensereports/v4/users/{user_id}/context/{context}/reports/{report_id}"


async def test_report_matches_the_documented_sample(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("June Client Visit - Seattle")
    path = report_path(DEMO.traveler.upper(), report.report_id)
    reply = await sandbox.call(
        "GET", path, token=token, headers={"Concur-CorrelationId": "Expense-Report-test"}
    )
    assert reply.status == 200
    assert reply.headers["concur-correlationid"] == "Expense-Report-test"
    body = reply.json()
    assert set(body) >= DOC_SAMPLE_KEYS
    assert {"reportNumber", "canRecall", "reportVersion"} <= set(body)
    assert body["reportId"] == report.report_id
    assert body["approvalStatusId"] == "A_NOTF"
    assert body["approvalStatus"] == "Not Submitted"
    assert body["paymentStatusId"] == "P_NOTP"
    assert body["submitDate"] is None
    assert body["userId"] == DEMO.traveler
    assert body["reportVersion"] == report.version
    assert body["reportNumber"] == report.report_number
    assert body["currency"] == "US, Dollar"
    assert body["canRecall"] is False
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", body["creationDate"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", body["reportDate"])
    (self_link,) = body["links"]
    assert set(self_link) == LINK_KEYS
    assert self_link["rel"] == "self"
    assert self_link["href"] == sandbox.base_url + path
    for key in AMOUNT_KEYS:
        assert set(body[key]) == {"value", "currencyCode"}
        assert isinstance(body[key]["value"], Decimal)
    assert body["reportTotal"]["value"] == report.total
    for item in body["customData"]:
        assert set(item) == {"id", "value", "isValid", "listItemUrl"}


async def test_amounts_print_eight_decimals_and_zero_as_0e_8(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("June Client Visit - Seattle")
    reply = await sandbox.call("GET", report_path(DEMO.traveler, report.report_id), token=token)
    values = ANY_VALUE.findall(reply.body)
    assert len(values) == len(AMOUNT_KEYS)
    assert len(RAW_AMOUNT.findall(reply.body)) == len(values)
    assert b'"value":0E-8' in reply.body


@pytest.mark.parametrize(
    ("login", "report_name", "context", "status"),
    [
        ("traveler@example.com", "Boston Customer Workshop", "TRAVELER", 200),
        ("traveler@example.com", "Boston Customer Workshop", "PROXY", 200),
        ("traveler2@example.com", "Boston Customer Workshop", "TRAVELER", 403),
        ("manager@example.com", "Boston Customer Workshop", "MANAGER", 200),
        ("manager@example.com", "June Client Visit - Seattle", "MANAGER", 403),
        ("manager@example.com", "Denver Trade Show", "MANAGER", 403),
        ("coapprover@example.com", "Product Launch Berlin", "MANAGER", 200),
        ("coapprover@example.com", "Boston Customer Workshop", "MANAGER", 403),
        ("processor@example.com", "Denver Trade Show", "PROCESSOR", 200),
        ("processor@example.com", "Boston Customer Workshop", "PROCESSOR", 200),
        ("processor@example.com", "June Client Visit - Seattle", "PROCESSOR", 403),
        ("traveler@example.com", "Boston Customer Workshop", "PROCESSOR", 403),
    ],
)
async def test_context_access_rules(
    sandbox: SandboxHarness, login: str, report_name: str, context: str, status: int
) -> None:
    token = await sandbox.user_token(login)
    user = sandbox.store.user_by_login(login)
    assert user is not None
    report = sandbox.report_named(report_name)
    reply = await sandbox.call("GET", report_path(user.id, report.report_id, context), token=token)
    assert reply.status == status, reply.text
    if status != 200:
        assert set(reply.json()) == ERROR_KEYS


async def test_company_token_reads_any_report_through_any_user(sandbox: SandboxHarness) -> None:
    token = await sandbox.company_token()
    report = sandbox.report_named("Paris Customer Visit")
    for user_id, context in [(DEMO.traveler2, "TRAVELER"), (DEMO.manager, "MANAGER")]:
        reply = await sandbox.call(
            "GET", report_path(user_id, report.report_id, context), token=token
        )
        assert reply.status == 200
        assert reply.json()["canRecall"] is False


async def test_user_token_cannot_name_another_user(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("June Client Visit - Seattle")
    reply = await sandbox.call("GET", report_path(DEMO.traveler2, report.report_id), token=token)
    assert reply.status == 403


async def test_can_recall_is_computed_for_the_caller(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    owner = await sandbox.user_token("traveler@example.com")
    manager = await sandbox.user_token("manager@example.com")
    mine = await sandbox.call("GET", report_path(DEMO.traveler, report.report_id), token=owner)
    theirs = await sandbox.call(
        "GET", report_path(DEMO.manager, report.report_id, "MANAGER"), token=manager
    )
    assert mine.json()["canRecall"] is True
    assert theirs.json()["canRecall"] is False


async def test_unknown_report_and_bad_context(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    missing = await sandbox.call("GET", report_path(DEMO.traveler, "0" * 20), token=token)
    assert missing.status == 404
    body = missing.json()
    assert set(body) == ERROR_KEYS
    assert body["httpStatus"] == "404 - Not Found"
    assert body["path"] == report_path(DEMO.traveler, "0" * 20)
    assert re.fullmatch(r"[0-9A-F-]{36}", body["errorId"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", body["timestamp"])
    report = sandbox.report_named("June Client Visit - Seattle")
    bad = await sandbox.call(
        "GET", report_path(DEMO.traveler, report.report_id, "AUDITOR"), token=token
    )
    assert bad.status == 400


async def test_create_report_returns_201_and_uri(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    base = f"/expensereports/v4/users/{DEMO.traveler.upper()}/context/TRAVELER/reports"
    body = {
        "customData": [{"id": "custom15", "value": "E31CB42509F9FF408BA7DD6713AB49BD"}],
        "businessPurpose": "Office Facility Supplies",
        "comment": "Monthly recurring supplies",
        "countryCode": "US",
        "countrySubDivisionCode": "US-WA",
        "name": "July Office Facility Supplies",
        "policyId": "0a3f90a7-2feb-47fa-972c-7ddf7f1eb1f7",
    }
    reply = await sandbox.call("POST", base, token=token, json=body)
    assert reply.status == 201
    created = reply.json()
    assert set(created) == {"uri"}
    assert re.fullmatch(re.escape(sandbox.base_url + base) + r"/[0-9A-F]{20}", created["uri"])
    path = created["uri"].removeprefix(sandbox.base_url)
    fetched = await sandbox.call("GET", path, token=token)
    assert fetched.status == 200
    report = fetched.json()
    assert report["name"] == "July Office Facility Supplies"
    assert report["approvalStatusId"] == "A_NOTF"
    assert report["reportTotal"]["value"] == Decimal(0)
    assert report["customData"] == [
        {
            "id": "custom15",
            "value": "E31CB42509F9FF408BA7DD6713AB49BD",
            "isValid": True,
            "listItemUrl": f"{sandbox.base_url}/list/v4/items?id=E31CB42509F9FF408BA7DD6713AB49BD",
        }
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Ok", "colour": "red"}, "colour"),
        ({"businessPurpose": "no name"}, "name"),
        ({"name": "Ok", "startDate": "2025-13-01"}, "startDate"),
        ({"name": 5}, "name"),
    ],
)
async def test_create_report_validation(
    sandbox: SandboxHarness, body: dict[str, object], field: str
) -> None:
    token = await sandbox.user_token("traveler@example.com")
    path = f"/expensereports/v4/users/{DEMO.traveler}/context/TRAVELER/reports"
    reply = await sandbox.call("POST", path, token=token, json=body)
    assert reply.status == 400
    errors = reply.json()["validationErrors"]
    assert [e["id"] for e in errors] == [field]
    assert set(errors[0]) == {"id", "message", "source"}


async def test_malformed_json_is_a_400_error_message(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    path = f"/expensereports/v4/users/{DEMO.traveler}/context/TRAVELER/reports"
    reply = await sandbox.call("POST", path, token=token, data=b'{"name": ')
    assert reply.status == 400
    assert set(reply.json()) == ERROR_KEYS
    manager_ctx = f"/expensereports/v4/users/{DEMO.traveler}/context/MANAGER/reports"
    refused = await sandbox.call("POST", manager_ctx, token=token, json={"name": "x"})
    assert refused.status == 400


async def test_patch_unsubmitted_report_is_a_merge_patch(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("Office Supplies June")
    version = report.version
    path = report_path(DEMO.traveler, report.report_id)
    reply = await sandbox.call(
        "PATCH",
        path,
        token=token,
        json={
            "customData": [{"id": "custom15", "value": "E31CB42509F9FF408BA7DD6713AB49BD"}],
            "businessPurpose": "Office Facility Supplies",
            "reportSource": "OTHER",
        },
        headers={"Concur-CorrelationId": "Viswa test"},
    )
    assert reply.status == 204
    assert reply.body == b""
    assert reply.headers["concur-correlationid"] == "Viswa test"
    body = (await sandbox.call("GET", path, token=token)).json()
    assert body["businessPurpose"] == "Office Facility Supplies"
    assert body["name"] == "Office Supplies June"
    assert body["reportVersion"] == version + 1
    assert {c["id"] for c in body["customData"]} == {"custom1", "custom2", "orgUnit1", "custom15"}
    removed = await sandbox.call(
        "PATCH",
        path,
        token=token,
        json={
            "businessPurpose": None,
            "customData": [{"id": "custom2", "value": None}],
            "reportSource": "UI",
        },
    )
    assert removed.status == 204
    body = (await sandbox.call("GET", path, token=token)).json()
    assert body["businessPurpose"] == ""
    assert "custom2" not in {c["id"] for c in body["customData"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No source"}, "reportSource"),
        ({"reportSource": "FAX"}, "reportSource"),
        ({"reportSource": "UI", "name": None}, "name"),
        ({"reportSource": "UI", "unknown": 1}, "unknown"),
    ],
)
async def test_patch_validation(
    sandbox: SandboxHarness, body: dict[str, object], field: str
) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("Office Supplies June")
    reply = await sandbox.call(
        "PATCH", report_path(DEMO.traveler, report.report_id), token=token, json=body
    )
    assert reply.status == 400
    errors = reply.json()["validationErrors"]
    assert field in {e["id"] for e in errors}
    assert all(e["source"] == e["id"] for e in errors)


async def test_patch_submitted_report_in_user_form_is_409(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("Boston Customer Workshop")
    reply = await sandbox.call(
        "PATCH",
        report_path(DEMO.traveler, report.report_id),
        token=token,
        json={"name": "Renamed", "reportSource": "UI"},
    )
    assert reply.status == 409
    assert reply.json()["httpStatus"] == "409 - Conflict"


async def test_system_patch_updates_submitted_reports_until_paid(sandbox: SandboxHarness) -> None:
    company = await sandbox.company_token()
    user = await sandbox.user_token("traveler@example.com")
    pending = sandbox.report_named("Boston Customer Workshop")
    path = f"/expensereports/v4/reports/{pending.report_id}"
    body = {"businessPurpose": "Updated by the system", "isPaperReceiptsReceived": True}
    assert (await sandbox.call("PATCH", path, token=company, json=body)).status == 204
    assert pending.business_purpose == "Updated by the system"
    assert pending.is_paper_receipts_received is True
    assert (await sandbox.call("PATCH", path, token=user, json=body)).status == 403
    draft = sandbox.report_named("June Client Visit - Seattle")
    draft_path = f"/expensereports/v4/reports/{draft.report_id}"
    assert (await sandbox.call("PATCH", draft_path, token=company, json=body)).status == 409
    paid = sandbox.report_named("April Client Dinners")
    paid_path = f"/expensereports/v4/reports/{paid.report_id}"
    assert (await sandbox.call("PATCH", paid_path, token=company, json=body)).status == 409
    long_purpose = {"businessPurpose": "x" * 65}
    assert (await sandbox.call("PATCH", path, token=company, json=long_purpose)).status == 400


async def test_reports_to_approve(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("manager@example.com")
    path = f"/expensereports/v4/users/{DEMO.manager}/context/MANAGER/reportsToApprove"
    reply = await sandbox.call("GET", path, token=token)
    assert reply.status == 200
    items = reply.json()
    names = {i["name"] for i in items}
    assert {
        "Boston Customer Workshop",
        "London Partner Summit",
        "Austin Kickoff",
        "New York Roadshow",
        "Product Launch Berlin",
        "Research Lab Visit",
    } == names
    for item in items:
        assert set(item) == {
            "reportId",
            "name",
            "reportNumber",
            "reportDate",
            "submitDate",
            "approver",
            "employee",
            "amountDueEmployee",
            "claimedAmount",
            "totalApprovedAmount",
            "hasExceptions",
            "reportType",
        }
        assert item["approver"] == {"employeeId": "EMP0100", "employeeUuid": DEMO.manager}
        assert item["employee"]["employeeUuid"] in {DEMO.traveler, DEMO.traveler2}
    submitted = [i["submitDate"] for i in items]
    assert submitted == sorted(submitted)
    desc = await sandbox.call("GET", path + "?sort=name&order=desc", token=token)
    assert [i["name"] for i in desc.json()] == sorted(names, reverse=True)
    assert (await sandbox.call("GET", path + "?sort=bogus", token=token)).status == 400


async def test_reports_to_approve_for_other_users(sandbox: SandboxHarness) -> None:
    co = await sandbox.user_token("coapprover@example.com")
    path = f"/expensereports/v4/users/{DEMO.coapprover}/context/MANAGER/reportsToApprove"
    names = {i["name"] for i in (await sandbox.call("GET", path, token=co)).json()}
    assert names == {"Product Launch Berlin", "Research Lab Visit"}
    traveler = await sandbox.user_token("traveler@example.com")
    own = f"/expensereports/v4/users/{DEMO.traveler}/context/MANAGER/reportsToApprove"
    assert (await sandbox.call("GET", own, token=traveler)).json() == []
    processor = await sandbox.user_token("processor@example.com")
    proc_path = f"/expensereports/v4/users/{DEMO.processor}/context/MANAGER/reportsToApprove"
    assert (await sandbox.call("GET", proc_path, token=processor)).json() == []
    company = await sandbox.company_token()
    as_company = await sandbox.call("GET", path, token=company)
    assert {i["name"] for i in as_company.json()} == names
