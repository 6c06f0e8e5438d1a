"""Upstream faults injected by the sandbox: retried reads, never-retried actions, and the
codes clients see. No error ever carries an upstream URL, a user id or a token."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox import seed
from tests.support.gateway import (
    MANAGER,
    TRAVELER,
    GatewayHarness,
    action_calls,
    errors_of,
    gateway_settings,
    pick_report,
    running_gateway,
)
from tests.support.sandbox import SandboxHarness

DETAILS_ROUTE = "GET /api/expense/expensereport/v1.1/{_details}/{rpt_key}"
"""v1.1 full details: how a plain caller (no administrator) reads a report's entries."""
APPROVE = (
    "mutation($i: ApproveReportInput!) { approveReport(input: $i) { "
    "report { id approvalStatus { code } } userErrors { code message field } } }"
)


async def fault(sandbox: SandboxHarness, **rule: Any) -> None:
    status, body = await sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status in (200, 201), body


def assert_no_secrets(body: object, sandbox: SandboxHarness, token: str) -> None:
    text = json.dumps(body)
    for secret in (sandbox.base_url, "127.0.0.1", token, seed.TRAVELER_ID, seed.MANAGER_ID):
        assert secret not in text


async def test_a_failed_read_is_retried(gateway: GatewayHarness, sandbox: SandboxHarness) -> None:
    token = await gateway.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    await fault(
        sandbox, method="GET", path="/reportfulldetails/", kind="status", status=500, times=1
    )
    status, body = await gateway.gql(
        "query($id: ID!) { report(id: $id) { id entries { id } } }", {"id": report_id}, token
    )
    assert status == 200
    assert "errors" not in body, body
    assert body["data"]["report"]["entries"]
    assert (await gateway.upstream_calls())[DETAILS_ROUTE] == 2


@pytest.mark.parametrize("code", [500, 502, 503, 504])
async def test_a_5xx_on_an_action_is_an_unknown_outcome(
    gateway: GatewayHarness, sandbox: SandboxHarness, code: int
) -> None:
    """Concur may have applied the action before failing, so the caller must not be told
    "unavailable" (an invitation to send it again): the outcome is unknown. How a repeat
    with the same key settles it: ``tests/resolvers/test_unknown_outcomes.py``."""
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    await fault(sandbox, method="PATCH", path="/approve$", kind="status", status=code, times=1)
    variables = {"i": {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": "k1"}}
    status, body = await gateway.gql(APPROVE, variables, token)
    assert status == 200
    errors = body["data"]["approveReport"]["userErrors"]
    assert [e["code"] for e in errors] == ["ACTION_OUTCOME_UNKNOWN"]
    assert sum(action_calls(await gateway.upstream_calls()).values()) == 1
    assert_no_secrets(body, sandbox, token)


async def test_a_lost_answer_is_an_unknown_outcome_settled_by_the_repeat(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    await fault(sandbox, method="PATCH", path="/approve$", kind="drop", times=1)
    variables = {"i": {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": "k2"}}
    first = await gateway.gql(APPROVE, variables, token)
    errors = first[1]["data"]["approveReport"]["userErrors"]
    assert [e["code"] for e in errors] == ["ACTION_OUTCOME_UNKNOWN"]
    assert "re-read" in errors[0]["message"]
    # The dropped approve was not applied: the repeat finds the report where it was and
    # sends the action once more; a third call replays that success.
    second = await gateway.gql(APPROVE, variables, token)
    assert second[1]["data"]["approveReport"]["userErrors"] == []
    third = await gateway.gql(APPROVE, variables, token)
    assert third[1]["data"] == second[1]["data"]  # its cost differs: nothing was called
    assert sum(action_calls(await gateway.upstream_calls()).values()) == 2
    assert sandbox.store.reports[report_id].workflow.approval_status == "A_ACCO"


async def test_a_refused_action_is_workflow_action_failed(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    await fault(sandbox, method="PATCH", path="/approve$", kind="status", status=409, times=1)
    status, body = await gateway.gql(
        APPROVE, {"i": {"reportId": report_id, "expectedStatus": "A_PEND"}}, token
    )
    assert status == 200
    payload = body["data"]["approveReport"]
    assert [e["code"] for e in payload["userErrors"]] == ["WORKFLOW_ACTION_FAILED"]
    assert payload["report"]["approvalStatus"]["code"] == "A_PEND"


async def test_throttling_is_rate_limited(gateway: GatewayHarness, sandbox: SandboxHarness) -> None:
    token = await gateway.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    await fault(sandbox, method="GET", path="/reports/", kind="rate_limit", retry_after=0)
    status, body = await gateway.gql(
        "query($id: ID!) { report(id: $id) { id } }", {"id": report_id}, token
    )
    assert status == 200
    assert errors_of(body) == ["RATE_LIMITED"]
    assert_no_secrets(body, sandbox, token)


@pytest.mark.parametrize("kind", ["malformed_xml", "xxe_xml", "bomb_xml"])
async def test_hostile_xml_is_a_bad_response(
    gateway: GatewayHarness, sandbox: SandboxHarness, kind: str
) -> None:
    token = await gateway.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    await fault(sandbox, method="GET", path="/reportfulldetails/", kind=kind)
    status, body = await gateway.gql(
        "query($id: ID!) { report(id: $id) { id entries { id } } }", {"id": report_id}, token
    )
    assert status == 200
    assert errors_of(body) == ["UPSTREAM_BAD_RESPONSE"]
    assert "root:" not in json.dumps(body)  # no /etc/passwd, no expanded entities
    assert_no_secrets(body, sandbox, token)


async def test_latency_beyond_the_deadline_is_a_timeout(sandbox: SandboxHarness) -> None:
    settings = gateway_settings(sandbox.base_url, upstream={"deadline_s": 0.3})
    async with running_gateway(sandbox, settings) as gateway:
        token = await gateway.token(TRAVELER)
        report_id = pick_report(sandbox, "A_PEND")
        await fault(sandbox, method="GET", path="/reports/", kind="latency", latency_ms=1500)
        status, body = await gateway.gql(
            "query($id: ID!) { report(id: $id) { id } }", {"id": report_id}, token
        )
        assert status == 200
        assert errors_of(body) == ["UPSTREAM_TIMEOUT"]
        await sandbox.admin("DELETE", "/_sandbox/faults")


async def test_one_failing_route_never_takes_concur_away_from_everyone(
    sandbox: SandboxHarness,
) -> None:
    """Cost objects fail for everyone with 500s: their breaker opens (the failures stop
    reaching Concur), while report headers, another route of the same host, keep answering
    and close no breaker of theirs."""
    settings = gateway_settings(
        sandbox.base_url,
        upstream={"breaker_failure_threshold": 2, "read_retries": 0},
        cache={"enabled": False},
    )
    header = "query($id: ID!) { report(id: $id, context: MANAGER) { id } }"
    with_cost_objects = (
        "query($id: ID!) { report(id: $id, context: MANAGER) { id costObjects { name } } }"
    )
    async with running_gateway(sandbox, settings) as gateway:
        token = await gateway.token(MANAGER)
        status, body = await gateway.gql("{ reportsToApprove { id } }", token=token)
        report_id = body["data"]["reportsToApprove"][0]["id"]
        await sandbox.reset_stats()
        await fault(
            sandbox, method="GET", path="/costObjectsForApprover$", kind="status", status=500
        )
        for _ in range(4):
            status, body = await gateway.gql(with_cost_objects, {"id": report_id}, token)
            assert status == 200
            assert errors_of(body) == ["UPSTREAM_UNAVAILABLE"]
            status, body = await gateway.gql(header, {"id": report_id}, token)
            assert "errors" not in body, body
            assert body["data"]["report"]["id"] == report_id
        calls = await gateway.upstream_calls()
        await sandbox.admin("DELETE", "/_sandbox/faults")
    cost_object_calls = {route: n for route, n in calls.items() if "costObjects" in route}
    assert list(cost_object_calls.values()) == [2]  # then the open breaker sent nothing
