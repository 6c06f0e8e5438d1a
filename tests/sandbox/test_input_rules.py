"""Input Concur refuses is refused the way Concur refuses it, and never with a 500: control
characters, over-long fields, malformed amounts; stored hostile text cannot break XML."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import seed
from sandbox.records import SandboxReport
from tests.sandbox.xml_support import (
    API,
    entries_body,
    find,
    findall,
    get,
    post,
    text,
    workflow_body,
)
from tests.support.sandbox import DEMO, SandboxHarness

CONTROL = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f", "\x7f"]
VALID_ENTRY = {
    "CrnCode": "USD",
    "ExpKey": "BRKFT",
    "TransactionDate": "2025-06-01",
    "TransactionAmount": "12.50",
}


def _create_path() -> str:
    return f"/expensereports/v4/users/{DEMO.traveler}/context/TRAVELER/reports"


def _unsubmitted(sandbox: SandboxHarness) -> SandboxReport:
    return sandbox.report_named("June Client Visit - Seattle")


def _assert_v4_validation(reply_body: Any, field: str) -> None:
    assert reply_body["httpStatus"] == "400 - Bad Request"
    assert [e["id"] for e in reply_body["validationErrors"]] == [field]


@pytest.mark.parametrize("char", CONTROL)
async def test_v4_report_name_with_a_control_character_is_400(
    sandbox: SandboxHarness, char: str
) -> None:
    token = await sandbox.user_token("traveler@example.com")
    count = len(sandbox.store.reports)
    reply = await sandbox.call(
        "POST", _create_path(), token=token, json={"name": f"Trip{char}Report"}
    )
    assert reply.status == 400
    _assert_v4_validation(reply.json(), "name")
    assert len(sandbox.store.reports) == count


async def test_v4_tab_and_newline_are_ordinary_text(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    reply = await sandbox.call(
        "POST", _create_path(), token=token, json={"name": "Trip\tReport", "comment": "a\r\nb"}
    )
    assert reply.status == 201


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name", 40), ("businessPurpose", 64), ("comment", 500), ("policyId", 64)],
)
async def test_v4_fields_over_their_maximum_are_400(
    sandbox: SandboxHarness, field: str, limit: int
) -> None:
    token = await sandbox.user_token("traveler@example.com")
    body = {"name": "Fits", field: "x" * limit}
    assert (await sandbox.call("POST", _create_path(), token=token, json=body)).status == 201
    body[field] = "x" * (limit + 1)
    reply = await sandbox.call("POST", _create_path(), token=token, json=body)
    assert reply.status == 400
    _assert_v4_validation(reply.json(), field)


@pytest.mark.parametrize(
    "item",
    [
        {"id": "custom1", "value": "x" * 49},
        {"id": "custom1", "value": "bad\x01value"},
        {"id": "custom21", "value": "x"},
        {"id": "custom1\x01", "value": "x"},
        {"id": "orgUnit7", "value": "x"},
    ],
)
async def test_v4_custom_data_outside_the_rules_is_400(
    sandbox: SandboxHarness, item: dict[str, str]
) -> None:
    token = await sandbox.user_token("traveler@example.com")
    body = {"name": "Custom", "customData": [item]}
    reply = await sandbox.call("POST", _create_path(), token=token, json=body)
    assert reply.status == 400
    _assert_v4_validation(reply.json(), "customData")


async def test_v4_system_patch_business_purpose_64(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    company = await sandbox.company_token()
    path = f"/expensereports/v4/reports/{report.report_id}"
    ok = await sandbox.call("PATCH", path, token=company, json={"businessPurpose": "x" * 64})
    assert ok.status == 204
    for bad in ("x" * 65, "line\x0bfeed"):
        reply = await sandbox.call("PATCH", path, token=company, json={"businessPurpose": bad})
        assert reply.status == 400
        _assert_v4_validation(reply.json(), "businessPurpose")


@pytest.mark.parametrize("comment", ["x" * 2001, "ok\x07bell"])
async def test_v4_workflow_comment_is_checked_before_acting(
    sandbox: SandboxHarness, comment: str
) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    path = (
        f"/expensereports/v4/users/{DEMO.manager}/context/MANAGER/reports/"
        f"{report.report_id}/sendBack"
    )
    reply = await sandbox.call("PATCH", path, token=manager, json={"comment": comment})
    assert reply.status == 400
    _assert_v4_validation(reply.json(), "comment")
    assert report.workflow.approval_status == "A_PEND"


async def test_xml_workflow_comment_with_del_is_a_legacy_400(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    url = f"{API}/v1.1/report/{report.workflow.step_key}/workflowaction"
    reply = await post(sandbox, url, manager, workflow_body("Send Back to Employee", "no\x7f"))
    assert reply.status == 400
    assert reply.root.tag == "Error"
    assert report.workflow.approval_status == "A_PEND"


def _entry_url(report: SandboxReport) -> str:
    return f"{API}/v1.1/report/{report.rpt_key}/entry"


@pytest.mark.parametrize(
    "change",
    [
        {"VendorDescription": "Cafe\x7f"},
        {"Description": "Coffee\x7fbreak"},
        {"VendorDescription": "v" * 65},
        {"Description": "d" * 65},
        {"Comment": "c" * 2001},
        {"Custom1": "c" * 49},
        {"OrgUnit1": "o" * 49},
        {"TransactionAmount": "1e3"},
        {"TransactionAmount": "NaN"},
        {"TransactionAmount": "Infinity"},
        {"TransactionAmount": "1.2345"},
        {"TransactionAmount": "1" * 24},
        {"TransactionAmount": "123456789012345"},  # 15 digits: 24 characters printed
        {"ExchangeRate": "1e2"},
        {"ExchangeRate": "99999999", "TransactionAmount": "99999999999999"},
    ],
)
async def test_xml_entry_outside_the_rules_fails_on_its_own(
    sandbox: SandboxHarness, change: dict[str, str]
) -> None:
    report = _unsubmitted(sandbox)
    count = len(report.entries)
    token = await sandbox.user_token("traveler@example.com")
    body = entries_body([{**VALID_ENTRY, **change}, VALID_ENTRY])
    reply = await post(sandbox, _entry_url(report), token, body)
    assert reply.status == 200, reply.raw
    statuses = findall(reply.root, "ReportEntryStatus")
    assert [text(s, "Status") for s in statuses] == ["FAILED", "SUCCESS"]
    assert text(statuses[0], "Message")
    assert len(report.entries) == count + 1


async def test_xml_entry_amount_at_the_limit_is_accepted(sandbox: SandboxHarness) -> None:
    report = _unsubmitted(sandbox)
    token = await sandbox.user_token("traveler@example.com")
    body = entries_body([{**VALID_ENTRY, "TransactionAmount": "12345678901234.567"}])
    reply = await post(sandbox, _entry_url(report), token, body)
    assert text(find(reply.root, "ReportEntryStatus"), "Status") == "SUCCESS"


async def test_a_stored_hostile_name_cannot_break_xml_lists(sandbox: SandboxHarness) -> None:
    """Text that reached the store some other way is written safely, never a 500."""
    report = _unsubmitted(sandbox)
    report.name = "Bad\x01Name\x7f"
    report.business_purpose = "\ud800 lone surrogate"
    report.entries[0].vendor = "Vendor\x1b"
    token = await sandbox.user_token("traveler@example.com")
    listing = await get(sandbox, f"{API}/v1.1/ReportsList/UNSUBMITTED", token)
    assert listing.status == 200, listing.raw
    names = [text(s, "ReportName") for s in findall(listing.root, "ReportSummary")]
    assert "Bad\ufffdName\x7f" in names
    full = await get(sandbox, f"{API}/v1.1/reportfulldetails/{report.rpt_key}", token)
    assert full.status == 200
    assert text(full.root, "ReportName") == "Bad\ufffdName\x7f"
    admin = await sandbox.user_token(seed.ADMIN_LOGIN)
    details = await get(sandbox, f"{API}/v2.0/report/{report.report_id}", admin)
    assert details.status == 200
    assert text(details.root, "Purpose") == "\ufffd lone surrogate"


async def test_control_characters_in_an_xml_path_are_a_400(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    reply = await get(sandbox, f"{API}/v1.1/ReportsList/BAD%01VIEW", token)
    assert reply.status == 400
    assert reply.root.tag == "Error"
