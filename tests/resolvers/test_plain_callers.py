"""End to end as callers without administrator rights, against the sandbox over HTTP.

Concur serves v2.0 report details to administrators only; a traveler or a plain approver
reads a report's entries and workflow through v1.1 full details, by the encrypted key a
ReportsList handed them. These tests run the graph as such callers, and as an
administrator (v2.0), and check that amounts come in one normal form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.xml.report_details import legacy_entry_id
from tests.conftest import SandboxHarness
from tests.gateway.harness import MANAGER, GatewayHarness, errors_of, pick_report

ADMIN = "admin@example.com"
FULL_REPORT = """
query($id: ID!) {
  report(id: $id, context: MANAGER) {
    id name approvalStatus { code }
    total { value currencyCode }
    entries {
      id exchangeRate
      transactionAmount { value currencyCode } postedAmount { value currencyCode }
      approvedAmount { value currencyCode }
      itemizations { id transactionAmount { value } postedAmount { value } }
    }
    workflow { approvalStatus { code } hasActionUrl }
    availableActions
    costObjects {
      name approvedAmount { value currencyCode } claimedAmount { value currencyCode }
      expenses { id approvedAmount { value } postedAmount { value } }
    }
  }
}
"""
ENTRY = """
query($report: ID!, $id: ID!) {
  entry(reportId: $report, id: $id) {
    id reportId exchangeRate postedAmount { value currencyCode }
  }
}
"""
APPROVE = """
mutation($i: ApproveReportInput!) {
  approveReport(input: $i) { report { id approvalStatus { code } } userErrors { code message } }
}
"""
SEND_BACK = """
mutation($i: SendBackReportInput!) {
  sendBackReport(input: $i) { report { id approvalStatus { code } } userErrors { code message } }
}
"""
MONEY = re.compile(r"^-?[0-9]+\.[0-9]{8}$")
RATE = re.compile(r"^-?[0-9]+\.[0-9]{14}$")


def amounts(node: Any) -> Iterator[str]:
    """Every amount's ``value`` anywhere in an answer."""
    if isinstance(node, dict):
        if "value" in node and isinstance(node["value"], str):
            yield node["value"]
        for child in node.values():
            yield from amounts(child)
    elif isinstance(node, list):
        for child in node:
            yield from amounts(child)


def rates(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("exchangeRate"), str):
            yield node["exchangeRate"]
        for child in node.values():
            yield from rates(child)
    elif isinstance(node, list):
        for child in node:
            yield from rates(child)


def assert_normal_form(body: Any) -> None:
    """No exponent anywhere; money at Concur's 8 places, rates at its 14."""
    found = list(amounts(body))
    assert found
    assert all(MONEY.match(value) for value in found), found
    assert all(RATE.match(value) for value in rates(body)), list(rates(body))


async def test_a_plain_approver_reads_a_report_in_full(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    report_id = pick_report(sandbox, "A_PECO", with_cost_objects=True)
    token = await gateway.token(MANAGER)
    status, body = await gateway.gql(FULL_REPORT, {"id": report_id}, token)
    assert status == 200
    assert "errors" not in body, body
    report = body["data"]["report"]
    stored = sandbox.store.reports[report_id]
    assert len(report["entries"]) == len(stored.entries)
    assert report["workflow"] == {"approvalStatus": {"code": "A_PECO"}, "hasActionUrl": True}
    assert report["availableActions"] == ["APPROVE", "SEND_BACK"]
    assert {c["name"] for c in report["costObjects"]} == {c.name for c in stored.cost_objects}
    assert_normal_form(body)
    calls = await gateway.upstream_calls()
    assert not [route for route in calls if "/v2.0/" in route]  # no administrator's route

    entry = report["entries"][0]
    status, body = await gateway.gql(ENTRY, {"report": report_id, "id": entry["id"]}, token)
    assert "errors" not in body, body
    assert body["data"]["entry"]["id"] == entry["id"]
    assert body["data"]["entry"]["reportId"] == report_id
    assert body["data"]["entry"]["postedAmount"]["currencyCode"] == stored.currency_code
    assert_normal_form(body)


@pytest.mark.parametrize("protocol", ["V4", "XML"])
async def test_a_plain_approver_approves_and_sends_back_with_the_guard(
    gateway: GatewayHarness, sandbox: SandboxHarness, protocol: str
) -> None:
    pending = [
        r.report_id
        for r in sandbox.store.reports.values()
        if r.workflow.approval_status == "A_PEND" and not r.cost_objects
    ]
    first, second = pending[:2]
    token = await gateway.token(MANAGER)
    approve = {"reportId": first, "expectedStatus": "A_PEND", "protocol": protocol}
    status, body = await gateway.gql(APPROVE, {"i": approve}, token)
    assert status == 200
    assert body["data"]["approveReport"]["userErrors"] == [], body
    assert sandbox.store.reports[first].workflow.approval_status != "A_PEND"

    send_back = {
        "reportId": second,
        "expectedStatus": "A_PEND",
        "protocol": protocol,
        "comment": "Please attach the receipts.",
    }
    status, body = await gateway.gql(SEND_BACK, {"i": send_back}, token)
    assert body["data"]["sendBackReport"]["userErrors"] == [], body
    assert sandbox.store.reports[second].workflow.approval_status == "A_RESU"
    calls = await gateway.upstream_calls()
    assert not [route for route in calls if "/v2.0/" in route]


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "malformed_json"},
        {"kind": "status", "status": 500},
        {"kind": "rate_limit", "retry_after": 600},
    ],
    ids=["malformed_json", "status_500", "rate_limit"],
)
async def test_a_failed_cost_object_read_costs_that_field_only(
    gateway: GatewayHarness, sandbox: SandboxHarness, rule: dict[str, Any]
) -> None:
    report_id = pick_report(sandbox, "A_PECO", with_cost_objects=True)
    token = await gateway.token(MANAGER)
    status, fault = await sandbox.admin(
        "POST",
        "/_sandbox/faults",
        json={"method": "GET", "path": "/costObjectsForApprover", **rule},
    )
    assert status in (200, 201), fault
    status, body = await gateway.gql(FULL_REPORT, {"id": report_id}, token)
    assert status == 200
    report = body["data"]["report"]
    assert report["id"] == report_id
    assert report["name"] == sandbox.store.reports[report_id].name
    assert report["entries"]
    assert report["workflow"] is not None
    assert report["costObjects"] is None
    assert [error["path"] for error in body["errors"]] == [["report", "costObjects"]]
    assert len(errors_of(body)) == 1


async def test_an_administrator_reads_through_v2(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    """A Web Services Administrator is listed nothing of another's report: v2.0 details by
    plain id serve it, and an entry (by its plain ``ReportEntryID``) is answered from their
    list; v2.0's unencrypted ``ReportKey`` is never tried on a v1.1 route."""
    report_id = pick_report(sandbox, "A_PEND")
    stored = sandbox.store.reports[report_id]
    entry_id = legacy_entry_id(stored.entries[0])
    token = await gateway.token(ADMIN)
    status, body = await gateway.gql(ENTRY, {"report": report_id, "id": entry_id}, token)
    assert status == 200
    assert "errors" not in body, body
    assert body["data"]["entry"]["id"] == entry_id
    assert body["data"]["entry"]["reportId"] == report_id
    assert_normal_form(body)
    calls = await gateway.upstream_calls()
    assert [route for route in calls if "/v2.0/" in route]
    assert not [route for route in calls if "{_details}" in route or "/entry/" in route]

    status, body = await gateway.gql(ENTRY, {"report": report_id, "id": "999999"}, token)
    assert body["data"]["entry"] is None
    assert errors_of(body) == ["NOT_FOUND"]
