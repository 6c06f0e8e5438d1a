"""Workflow actions end to end: the guard, both protocols, idempotency, and what reaches Concur."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from sandbox import seed
from tests.support.gateway import (
    MANAGER,
    PROCESSOR,
    TRAVELER,
    GatewayHarness,
    action_calls,
    is_xml_action,
    pick_report,
)
from tests.support.sandbox import SandboxHarness

PAYLOAD = "report { id approvalStatus { code name } } userErrors { code message field }"
APPROVE = f"mutation($i: ApproveReportInput!) {{ approveReport(input: $i) {{ {PAYLOAD} }} }}"
SEND_BACK = f"mutation($i: SendBackReportInput!) {{ sendBackReport(input: $i) {{ {PAYLOAD} }} }}"
RECALL = f"mutation($i: RecallReportInput!) {{ recallReport(input: $i) {{ {PAYLOAD} }} }}"
SUBMIT = f"mutation($i: SubmitReportInput!) {{ submitReport(input: $i) {{ {PAYLOAD} }} }}"


async def run(gateway: GatewayHarness, document: str, token: str, **fields: Any) -> dict[str, Any]:
    status, body = await gateway.gql(document, {"i": fields}, token)
    assert status == 200, body
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert isinstance(payload, dict)
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


@pytest.fixture
async def manager(gateway: GatewayHarness) -> str:
    return await gateway.token(MANAGER)


@pytest.fixture
async def traveler(gateway: GatewayHarness) -> str:
    return await gateway.token(TRAVELER)


@pytest.mark.parametrize("protocol", ["V4", "XML"])
async def test_approve(
    gateway: GatewayHarness, sandbox: SandboxHarness, manager: str, protocol: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    payload = await run(
        gateway, APPROVE, manager, reportId=report_id, expectedStatus="A_PEND", protocol=protocol
    )
    assert payload["userErrors"] == []
    assert payload["report"]["id"] == report_id
    assert payload["report"]["approvalStatus"]["code"] == "A_ACCO"
    assert sandbox.store.reports[report_id].workflow.approval_status == "A_ACCO"
    calls = action_calls(await gateway.upstream_calls())
    assert sum(calls.values()) == 1
    (route,) = calls
    assert is_xml_action(route) is (protocol == "XML")


@pytest.mark.parametrize("protocol", ["V4", "XML"])
async def test_send_back(
    gateway: GatewayHarness, sandbox: SandboxHarness, manager: str, protocol: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    payload = await run(
        gateway,
        SEND_BACK,
        manager,
        reportId=report_id,
        expectedStatus="A_PEND",
        comment="Please add the hotel folio.",
        protocol=protocol,
    )
    assert payload["userErrors"] == []
    assert payload["report"]["approvalStatus"]["code"] == "A_RESU"
    assert sandbox.store.reports[report_id].comment == "Please add the hotel folio."
    assert sum(action_calls(await gateway.upstream_calls()).values()) == 1


async def test_a_status_mismatch_sends_nothing(
    gateway: GatewayHarness, sandbox: SandboxHarness, manager: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    payload = await run(gateway, APPROVE, manager, reportId=report_id, expectedStatus="A_PECO")
    assert codes(payload) == ["WORKFLOW_STEP_MISMATCH"]
    message = payload["userErrors"][0]["message"]
    assert "A_PEND" in message
    assert "Submitted & Pending Approval" in message
    assert payload["report"]["approvalStatus"]["code"] == "A_PEND"  # the current report
    assert action_calls(await gateway.upstream_calls()) == {}
    assert sandbox.store.reports[report_id].workflow.approval_status == "A_PEND"


async def test_a_step_code_mismatch_is_refused_by_v4(
    gateway: GatewayHarness, sandbox: SandboxHarness, manager: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    payload = await run(gateway, APPROVE, manager, reportId=report_id, expectedStepCode="CO_STEP")
    assert codes(payload) == ["WORKFLOW_STEP_MISMATCH"]
    assert sandbox.store.reports[report_id].workflow.approval_status == "A_PEND"


async def test_a_matching_step_code_is_accepted(
    gateway: GatewayHarness, sandbox: SandboxHarness, manager: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    payload = await run(gateway, APPROVE, manager, reportId=report_id, expectedStepCode="MANAGER")
    assert payload["userErrors"] == []
    assert payload["report"]["approvalStatus"]["code"] == "A_ACCO"


async def test_the_processor_step_is_refused_without_an_upstream_action(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gateway.token(PROCESSOR)
    report_id = pick_report(sandbox, "A_ACCO")
    for protocol in ("V4", "XML"):
        payload = await run(
            gateway, APPROVE, token, reportId=report_id, expectedStatus="A_ACCO", protocol=protocol
        )
        assert codes(payload) == ["UNSUPPORTED_WORKFLOW_STEP"]
    assert action_calls(await gateway.upstream_calls()) == {}


@pytest.mark.parametrize("comment", [None, "", "   ", "x" * 2001])
async def test_send_back_comment_rules_apply_before_any_upstream_call(
    gateway: GatewayHarness, sandbox: SandboxHarness, manager: str, comment: str | None
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    fields: dict[str, Any] = {"reportId": report_id, "expectedStatus": "A_PEND"}
    if comment is not None:
        fields["comment"] = comment
    payload = await run(gateway, SEND_BACK, manager, **fields)
    assert codes(payload) == ["BAD_USER_INPUT"]
    assert payload["userErrors"][0]["field"] == "comment"
    assert payload["report"] is None
    assert await gateway.upstream_calls() == {}


async def test_an_action_without_an_expectation_is_refused(
    gateway: GatewayHarness, sandbox: SandboxHarness, manager: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    payload = await run(gateway, APPROVE, manager, reportId=report_id)
    assert codes(payload) == ["BAD_USER_INPUT"]
    assert payload["userErrors"][0]["field"] == "expectedStatus"
    payload = await run(
        gateway, APPROVE, manager, reportId=report_id, expectedStepCode="MANAGER", protocol="XML"
    )
    assert codes(payload) == ["BAD_USER_INPUT"]
    assert await gateway.upstream_calls() == {}


async def test_xml_without_an_action_at_this_step_is_forbidden(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    report_id = pick_report(sandbox, "A_PECO")  # the owner has no action while co-approving
    payload = await run(
        gateway, APPROVE, traveler, reportId=report_id, expectedStatus="A_PECO", protocol="XML"
    )
    assert codes(payload) == ["FORBIDDEN"]
    assert "cannot act" in payload["userErrors"][0]["message"]
    assert action_calls(await gateway.upstream_calls()) == {}


async def test_a_caller_who_is_not_the_approver_is_forbidden_by_v4(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    payload = await run(gateway, APPROVE, traveler, reportId=report_id, expectedStatus="A_PEND")
    assert codes(payload) == ["FORBIDDEN"]
    assert sandbox.store.reports[report_id].workflow.approval_status == "A_PEND"


async def test_recall_and_submit_by_the_owner(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    payload = await run(gateway, RECALL, traveler, reportId=report_id, expectedStatus="A_PEND")
    assert payload["userErrors"] == []
    assert payload["report"]["approvalStatus"] == {
        "code": "A_RESU",
        "name": "Recalled by Employee",
    }
    payload = await run(gateway, SUBMIT, traveler, reportId=report_id, expectedStatus="A_RESU")
    assert payload["userErrors"] == []
    assert payload["report"]["approvalStatus"]["code"] == "A_PEND"
    assert sum(action_calls(await gateway.upstream_calls()).values()) == 2


async def test_submitting_an_empty_report_is_a_conflict(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    empty = next(
        r.report_id
        for r in sandbox.store.reports.values()
        if r.owner_id == seed.TRAVELER_ID and not r.entries
    )
    payload = await run(gateway, SUBMIT, traveler, reportId=empty, expectedStatus="A_NOTF")
    assert codes(payload) == ["CONFLICT"]
    assert payload["report"]["approvalStatus"]["code"] == "A_NOTF"


async def test_recall_requires_an_expected_status(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND")
    status, body = await gateway.gql(RECALL, {"i": {"reportId": report_id}}, traveler)
    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # invalid variables
    assert await gateway.upstream_calls() == {}


async def test_the_same_idempotency_key_twice_acts_once(
    gateway: GatewayHarness, sandbox: SandboxHarness, manager: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    fields = {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": "approve-1"}
    first = await run(gateway, APPROVE, manager, **fields)
    second = await run(gateway, APPROVE, manager, **fields)
    assert first == second
    assert first["userErrors"] == []
    assert sum(action_calls(await gateway.upstream_calls()).values()) == 1


async def test_concurrent_duplicates_act_once(
    gateway: GatewayHarness, sandbox: SandboxHarness, manager: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    fields = {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": "approve-2"}
    payloads = await asyncio.gather(*(run(gateway, APPROVE, manager, **fields) for _ in range(4)))
    assert all(p == payloads[0] for p in payloads)
    assert payloads[0]["userErrors"] == []
    assert sum(action_calls(await gateway.upstream_calls()).values()) == 1


async def test_a_key_reused_for_another_report_is_a_conflict(
    gateway: GatewayHarness, sandbox: SandboxHarness, manager: str
) -> None:
    first_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    other_id = pick_report(sandbox, "A_PEND", owner=seed.TRAVELER2_ID)
    await run(
        gateway, APPROVE, manager, reportId=first_id, expectedStatus="A_PEND", idempotencyKey="k"
    )
    payload = await run(
        gateway, APPROVE, manager, reportId=other_id, expectedStatus="A_PEND", idempotencyKey="k"
    )
    assert codes(payload) == ["IDEMPOTENCY_CONFLICT"]
    assert payload["userErrors"][0]["field"] == "idempotencyKey"
    assert sum(action_calls(await gateway.upstream_calls()).values()) == 1
    assert sandbox.store.reports[other_id].workflow.approval_status == "A_PEND"


async def test_keys_are_scoped_to_the_caller(
    gateway: GatewayHarness, sandbox: SandboxHarness, manager: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    traveler = await sandbox.user_token(TRAVELER)
    await run(
        gateway, RECALL, traveler, reportId=report_id, expectedStatus="A_PEND", idempotencyKey="k"
    )
    payload = await run(  # the same key from another caller is not a replay
        gateway, APPROVE, manager, reportId=report_id, expectedStatus="A_RESU", idempotencyKey="k"
    )
    assert codes(payload) != ["IDEMPOTENCY_CONFLICT"]


async def test_a_company_token_approves_through_the_system_form(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await sandbox.company_token()
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    status, body = await gateway.gql("{ me { kind } }", token=token)
    assert (status, body) == (
        200,
        {
            "data": {"me": {"kind": "COMPANY"}},
            "extensions": {"cost": {"estimated": 0, "actual": 0, "cached": 0}},
        },
    )
    payload = await run(gateway, APPROVE, token, reportId=report_id, expectedStatus="A_PEND")
    assert payload["userErrors"] == []
    assert payload["report"]["approvalStatus"]["code"] == "A_ACCO"
    assert sandbox.store.reports[report_id].workflow.approval_status == "A_ACCO"
