"""Every query end to end: gateway over HTTP in front of the sandbox, real tokens."""

from __future__ import annotations

import pytest

from sandbox import seed
from tests.support.gateway import (
    MANAGER,
    TRAVELER,
    GatewayHarness,
    errors_of,
    pick_report,
)
from tests.support.sandbox import SandboxHarness

REPORT_FIELDS = """
  id name businessPurpose reportNumber reportDate creationDate submitDate currencyCode
  total { value currencyCode } claimed { value currencyCode } approved { value currencyCode }
  amountDueEmployee { value currencyCode } amountDueCompanyCard { value currencyCode }
  personal { value currencyCode }
  approvalStatus { code name } paymentStatus { code name }
  owner { id kind } policy policyId customData { name value code isValid } canRecall version
"""


async def test_me_names_the_caller_and_is_null_when_anonymous(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await sandbox.user_token(TRAVELER)
    status, body = await gateway.gql("{ me { id kind } }", token=token)
    assert status == 200
    assert body == {
        "data": {"me": {"id": seed.TRAVELER_ID, "kind": "USER"}},
        "extensions": {"cost": {"estimated": 0, "actual": 0, "cached": 0}},
    }
    status, body = await gateway.gql("{ me { id } }")
    assert body == {
        "data": {"me": None},
        "extensions": {"cost": {"estimated": 0, "actual": 0, "cached": 0}},
    }
    await sandbox.reset_stats()
    await gateway.gql("{ me { id } }", token=token)
    assert await gateway.upstream_calls() == {}  # the token is checked locally (cached keys)


async def test_report_header_is_copied_exactly(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    report_id = pick_report(sandbox, "A_PEND")
    stored = sandbox.store.reports[report_id]
    token = await sandbox.user_token(TRAVELER)
    status, body = await gateway.gql(
        f"query($id: ID!) {{ report(id: $id) {{ {REPORT_FIELDS} }} }}", {"id": report_id}, token
    )
    assert status == 200, body
    report = body["data"]["report"]
    assert report["id"] == report_id
    assert report["name"] == stored.name
    assert report["approvalStatus"]["code"] == "A_PEND"
    assert report["owner"] == {"id": seed.TRAVELER_ID, "kind": "USER"}
    assert report["canRecall"] is True
    total = report["total"]
    assert isinstance(total["value"], str)  # exact decimal string, never a float
    assert total["value"] == f"{stored.total:.8f}"
    assert total["currencyCode"] == stored.currency_code


async def test_report_in_manager_context(gateway: GatewayHarness, sandbox: SandboxHarness) -> None:
    report_id = pick_report(sandbox, "A_PEND")
    token = await sandbox.user_token(MANAGER)
    status, body = await gateway.gql(
        "query($id: ID!) { report(id: $id, context: MANAGER) { id availableActions "
        "workflow { approvalStatus { code } hasActionUrl stepCode sequence assignees } } }",
        {"id": report_id},
        token,
    )
    assert status == 200, body
    report = body["data"]["report"]
    assert report["availableActions"] == ["APPROVE", "SEND_BACK"]
    assert report["workflow"]["approvalStatus"]["code"] == "A_PEND"
    assert report["workflow"]["hasActionUrl"] is True


async def test_unknown_report_is_not_found(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await sandbox.user_token(TRAVELER)
    status, body = await gateway.gql('{ report(id: "0000000000000000DEAD") { id } }', token=token)
    assert status == 200
    assert body["data"] == {"report": None}
    assert errors_of(body) == ["NOT_FOUND"]
    assert body["errors"][0]["path"] == ["report"]


async def test_anonymous_callers_get_unauthenticated(gateway: GatewayHarness) -> None:
    status, body = await gateway.gql("{ reports { id } }")
    assert status == 200
    assert errors_of(body) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("view", ["RECENT", "ACTIVE", "UNSUBMITTED", "PENDING", "APPROVED"])
async def test_reports_in_every_view(
    gateway: GatewayHarness, sandbox: SandboxHarness, view: str
) -> None:
    token = await sandbox.user_token(TRAVELER)
    status, body = await gateway.gql(
        "query($v: ReportView!) { reports(view: $v) { id owner { id } approvalStatus { code } } }",
        {"v": view},
        token,
    )
    assert status == 200, body
    reports = body["data"]["reports"]
    assert reports, view
    assert {r["owner"]["id"] for r in reports} == {seed.TRAVELER_ID}
    if view == "UNSUBMITTED":
        assert {r["approvalStatus"]["code"] for r in reports} <= {"A_NOTF", "A_RESU"}


async def test_reports_to_approve_are_read_as_the_manager(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await sandbox.user_token(MANAGER)
    status, body = await gateway.gql(
        "{ reportsToApprove { id approvalStatus { code } availableActions } }", token=token
    )
    assert status == 200, body
    queue = body["data"]["reportsToApprove"]
    expected = {
        r.report_id
        for r in sandbox.store.reports.values()
        if any(
            i.assigned_user_id == seed.MANAGER_ID and not i.approved for i in r.workflow.instances
        )
    }
    assert {r["id"] for r in queue} == expected
    assert all(r["availableActions"] == ["APPROVE", "SEND_BACK"] for r in queue)


async def test_the_to_approve_view_is_read_as_the_approver(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await sandbox.user_token(MANAGER)
    status, body = await gateway.gql(
        "{ reports(view: TOAPPROVE) { id } reportsToApprove { id } }", token=token
    )
    assert status == 200, body
    listed = {r["id"] for r in body["data"]["reports"]}
    assert listed
    assert listed == {r["id"] for r in body["data"]["reportsToApprove"]}


async def test_entries_cost_objects_and_one_entry(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    report_id = pick_report(sandbox, "A_PECO", with_cost_objects=True)
    stored = sandbox.store.reports[report_id]
    token = await sandbox.user_token(MANAGER)
    status, body = await gateway.gql(
        """query($id: ID!) { report(id: $id, context: MANAGER) {
             entries { id reportId expenseType { key name } transactionAmount { value currencyCode }
                       postedAmount { value } approvedAmount { value } exchangeRate vendor
                       paymentType { key name } isPersonal isItemized hasAttendees allocation
                       customFields { name value code isValid } orgUnits { name value }
                       itemizations { id transactionAmount { value } } lastModified
                       transactionDate receiptRequired hasVat spendCategory location }
             costObjects { name approvedAmount { value currencyCode } claimedAmount { value }
                           approverId
                           expenses { id approvedAmount { value } postedAmount { value } }
                           isOwnedByCaller isFullyApproved isApprovableAsUser
                           isApprovableAsDelegate }
           } }""",
        {"id": report_id},
        token,
    )
    assert status == 200, body
    report = body["data"]["report"]
    assert len(report["entries"]) == len(stored.entries)
    assert {c["name"] for c in report["costObjects"]} == {c.name for c in stored.cost_objects}
    entry_id = report["entries"][0]["id"]

    status, body = await gateway.gql(
        "query($r: ID!, $e: ID!) { entry(reportId: $r, id: $e) { id reportId expenseType { key } "
        "transactionAmount { value currencyCode } exchangeRate vendor } }",
        {"r": report_id, "e": entry_id},
        token,
    )
    assert status == 200, body
    entry = body["data"]["entry"]
    assert entry["id"] == entry_id
    assert entry["reportId"] == report_id
    assert isinstance(entry["transactionAmount"]["value"], str)


async def test_unknown_entry_is_not_found(gateway: GatewayHarness, sandbox: SandboxHarness) -> None:
    report_id = pick_report(sandbox, "A_NOTF", with_cost_objects=False)
    token = await sandbox.user_token(TRAVELER)
    status, body = await gateway.gql(
        'query($r: ID!) { entry(reportId: $r, id: "nNoSuchEntry") { id } }', {"r": report_id}, token
    )
    assert status == 200
    assert body["data"] == {"entry": None}
    assert errors_of(body) == ["NOT_FOUND"]
