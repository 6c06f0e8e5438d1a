"""The audit trail read through the graph: a report's own trail, and the whole trail for
the callers Concur itself treats as administrators (its admin-only v2.0 list)."""

from __future__ import annotations

from typing import Any

from sandbox import seed
from tests.support.gateway import (
    MANAGER,
    TRAVELER,
    GatewayHarness,
    errors_of,
    pick_report,
    running_gateway,
)
from tests.support.sandbox import SandboxHarness

APPROVE = "mutation($i: ApproveReportInput!) { approveReport(input: $i) { userErrors { code } } }"
RECORD = "kind action reportId userId outcome code concurStatus hash prevHash"
REPORT_TRAIL = (
    "query($id: ID!) { report(id: $id) { id auditTrail { records { "
    f"{RECORD} }} pageInfo {{ hasNextPage endCursor }} }} }} }}"
)
TRAIL = (
    "query($f: AuditTrailFilter, $first: Int!, $after: String) { "
    "auditTrail(filter: $f, first: $first, after: $after) { "
    f"records {{ {RECORD} }} pageInfo {{ hasNextPage endCursor }} }} }}"
)
ADMIN_LIST = "GET /api/expense/expensereport/v2.0/{_reports}"


async def acted(gateway: GatewayHarness, sandbox: SandboxHarness) -> str:
    """A report the manager approved, then tried to approve again (refused)."""
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    token = await gateway.token(MANAGER)
    for _ in range(2):
        status, body = await gateway.gql(
            APPROVE, {"i": {"reportId": report_id, "expectedStatus": "A_PEND"}}, token
        )
        assert status == 200, body
    return report_id


async def trail(gateway: GatewayHarness, token: str, **variables: Any) -> dict[str, Any]:
    status, body = await gateway.gql(TRAIL, {"first": 20, **variables}, token)
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def test_the_owner_reads_the_trail_of_their_report(sandbox: SandboxHarness) -> None:
    async with running_gateway(sandbox) as gateway:
        report_id = await acted(gateway, sandbox)
        token = await gateway.token(TRAVELER)
        status, body = await gateway.gql(REPORT_TRAIL, {"id": report_id}, token)
    assert status == 200, body
    assert "errors" not in body, body
    records = body["data"]["report"]["auditTrail"]["records"]
    assert [(r["kind"], r["outcome"]) for r in records] == [
        ("INTENT", None),
        ("OUTCOME", "APPLIED"),
        ("INTENT", None),
        ("OUTCOME", "REFUSED"),
    ]
    assert {r["reportId"] for r in records} == {report_id}
    assert records[3]["code"] == "WORKFLOW_STEP_MISMATCH"
    assert [r["prevHash"] for r in records[1:]] == [r["hash"] for r in records[:-1]]


async def test_only_an_administrator_reads_the_whole_trail_and_is_asked_once(
    sandbox: SandboxHarness,
) -> None:
    async with running_gateway(sandbox) as gateway:
        report_id = await acted(gateway, sandbox)
        manager = await gateway.token(MANAGER)
        assert errors_of(await trail(gateway, manager)) == ["FORBIDDEN"]

        admin = await gateway.token(seed.ADMIN_LOGIN)
        first = (await trail(gateway, admin, first=3))["data"]["auditTrail"]
        assert [r["kind"] for r in first["records"]] == ["INTENT", "OUTCOME", "INTENT"]
        assert first["pageInfo"]["hasNextPage"] is True
        after = first["pageInfo"]["endCursor"]
        rest = (await trail(gateway, admin, first=3, after=after))["data"]["auditTrail"]
        assert [r["outcome"] for r in rest["records"]] == ["REFUSED"]
        assert rest["pageInfo"]["hasNextPage"] is False

        refused = {"reportId": report_id, "outcome": "REFUSED"}
        only = (await trail(gateway, admin, f=refused))["data"]["auditTrail"]["records"]
        assert [(r["code"], r["concurStatus"]) for r in only] == [
            ("WORKFLOW_STEP_MISMATCH", "A_ACCO")
        ]
        calls = await gateway.upstream_calls()
        assert calls.get(ADMIN_LIST) == 1  # the verdict is remembered for a while

        bad = await trail(gateway, admin, after="not-a-cursor")
        assert errors_of(bad) == ["BAD_USER_INPUT"]


async def test_concur_serves_its_v2_list_to_administrators_only(sandbox: SandboxHarness) -> None:
    path = "/api/expense/expensereport/v2.0/Reports/?ModifiedAfterDate=2000-01-01T00:00:00"
    admin = await sandbox.user_token(seed.ADMIN_LOGIN)
    listed = await sandbox.call("GET", path, token=admin, scheme="OAuth")
    assert listed.status == 200, listed.text
    assert listed.text.count("<ReportSummary>") == len(sandbox.store.reports)
    traveler = await sandbox.user_token(TRAVELER)
    refused = await sandbox.call("GET", path, token=traveler, scheme="OAuth")
    assert refused.status == 403
    assert "<Error>" in refused.text


async def test_a_trail_read_is_never_answered_from_the_response_cache(
    sandbox: SandboxHarness,
) -> None:
    async with running_gateway(sandbox) as gateway:
        report_id = await acted(gateway, sandbox)
        admin = await gateway.token(seed.ADMIN_LOGIN)
        before = (await trail(gateway, admin))["data"]["auditTrail"]["records"]
        manager = await gateway.token(MANAGER)
        # refused before any upstream call: no report's generation moves
        status, body = await gateway.gql(APPROVE, {"i": {"reportId": report_id}}, manager)
        assert status == 200, body
        after = (await trail(gateway, admin))["data"]["auditTrail"]["records"]
    assert len(after) == len(before) + 2
    assert after[-1]["code"] == "BAD_USER_INPUT"
