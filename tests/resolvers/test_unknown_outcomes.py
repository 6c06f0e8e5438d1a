"""At most once, with confirmation: an action whose answer was lost is settled by its repeat.

Faults come from the sandbox: a plain fault answers in place of the route (nothing was
applied); an ``after_apply`` fault lets the route apply the action and then replaces its
answer. Either way the gateway cannot tell, so it reports ``ACTION_OUTCOME_UNKNOWN`` and keeps
it under the idempotency key; the repeat re-reads the report and either confirms the action
(nothing sent) or sends it exactly once. The sandbox's own request counts prove which.
"""

from __future__ import annotations

from typing import Any, get_args

import pytest

from sandbox.faults import FaultKind, FaultRule
from tests.conftest import DEMO, SandboxHarness
from tests.gateway.harness import MANAGER, TRAVELER, GatewayHarness, action_calls, pick_report

PAYLOAD = "report { id approvalStatus { code } } userErrors { code message field } confirmed"
APPROVE = f"mutation($i: ApproveReportInput!) {{ approveReport(input: $i) {{ {PAYLOAD} }} }}"
READ = "query($id: ID!) { report(id: $id) { id approvalStatus { code } } }"
ACTION_PATHS = {"V4": "/approve$", "XML": "/workflowaction$"}

needs_after_apply = pytest.mark.skipif(
    "after_apply" not in FaultRule.model_fields,
    reason="this sandbox cannot apply a request before faulting its answer (after_apply)",
)


def kind(name: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        name not in get_args(FaultKind), reason=f"this sandbox has no {name!r} fault"
    )


UNANSWERED = [
    *(
        pytest.param("V4", {"kind": "status", "status": code}, id=str(code))
        for code in (500, 502, 503, 504)
    ),
    pytest.param("V4", {"kind": "drop"}, id="drop"),
    pytest.param("XML", {"kind": "truncate"}, id="truncate", marks=kind("truncate")),
    pytest.param("XML", {"kind": "malformed_xml"}, id="malformed"),
    pytest.param("XML", {"kind": "xxe_xml"}, id="hostile"),
]


async def fault(sandbox: SandboxHarness, protocol: str, **rule: Any) -> None:
    rule = {"method": "*", "path": ACTION_PATHS[protocol], "times": 1, **rule}
    status, body = await sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status in (200, 201), body


async def approve(gateway: GatewayHarness, token: str, **fields: Any) -> dict[str, Any]:
    status, body = await gateway.gql(APPROVE, {"i": fields}, token)
    assert status == 200, body
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["approveReport"]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def actions_sent(gateway: GatewayHarness) -> int:
    return sum(action_calls(await gateway.upstream_calls()).values())


@pytest.mark.parametrize(("protocol", "rule"), UNANSWERED)
async def test_an_unanswered_action_is_unknown_and_its_repeat_sends_it_once(
    gateway: GatewayHarness, sandbox: SandboxHarness, protocol: str, rule: dict[str, Any]
) -> None:
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    fields = {
        "reportId": report_id,
        "expectedStatus": "A_PEND",
        "protocol": protocol,
        "idempotencyKey": "approve-unknown-1",
    }
    await fault(sandbox, protocol, **rule)
    first = await approve(gateway, token, **fields)
    assert codes(first) == ["ACTION_OUTCOME_UNKNOWN"]
    assert first["confirmed"] is False
    assert first["report"]["approvalStatus"]["code"] == "A_PEND"  # read after the failure
    assert sandbox.store.reports[report_id].workflow.approval_status == "A_PEND"
    assert await actions_sent(gateway) == 1

    await sandbox.reset_stats()
    again = await approve(gateway, token, **fields)
    assert codes(again) == []
    assert again["confirmed"] is False  # sent now, and answered
    assert again["report"]["approvalStatus"]["code"] == "A_ACCO"
    assert sandbox.store.reports[report_id].workflow.approval_status == "A_ACCO"
    assert await actions_sent(gateway) == 1

    assert await approve(gateway, token, **fields) == again  # kept: replayed, not sent
    assert await actions_sent(gateway) == 1


@needs_after_apply
@pytest.mark.parametrize(
    ("protocol", "rule"),
    [
        pytest.param("V4", {"kind": "status", "status": 502}, id="502"),
        pytest.param("XML", {"kind": "malformed_xml"}, id="malformed"),
        pytest.param("XML", {"kind": "truncate"}, id="truncate", marks=kind("truncate")),
    ],
)
async def test_an_applied_action_whose_answer_was_lost_is_confirmed_without_a_resend(
    gateway: GatewayHarness, sandbox: SandboxHarness, protocol: str, rule: dict[str, Any]
) -> None:
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    fields = {
        "reportId": report_id,
        "expectedStatus": "A_PEND",
        "protocol": protocol,
        "idempotencyKey": "approve-unknown-2",
    }
    await fault(sandbox, protocol, after_apply=True, **rule)
    first = await approve(gateway, token, **fields)
    assert codes(first) == ["ACTION_OUTCOME_UNKNOWN"]
    assert sandbox.store.reports[report_id].workflow.approval_status == "A_ACCO"  # applied
    assert first["report"]["approvalStatus"]["code"] == "A_ACCO"  # and shown as it is now

    await sandbox.reset_stats()
    again = await approve(gateway, token, **fields)
    assert codes(again) == []
    assert again["confirmed"] is True
    assert again["report"]["approvalStatus"]["code"] == "A_ACCO"
    assert await actions_sent(gateway) == 0
    assert await approve(gateway, token, **fields) == again
    assert await actions_sent(gateway) == 0


async def test_an_action_applied_after_an_unknown_outcome_is_confirmed_and_not_cached(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    """The dropped approve reached Concur some other way (a slow duplicate, a person in
    Concur's UI): the report moved where the approve leads, so the repeat confirms it, and
    the owner's cached copy was forgotten when the outcome became unknown."""
    manager = await gateway.token(MANAGER)
    traveler = await sandbox.user_token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    assert (await gateway.gql(READ, {"id": report_id}, traveler))[1]["data"]["report"][
        "approvalStatus"
    ]["code"] == "A_PEND"  # now cached for the owner
    fields = {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": "k-3"}
    await fault(sandbox, "V4", kind="drop")
    assert codes(await approve(gateway, manager, **fields)) == ["ACTION_OUTCOME_UNKNOWN"]

    url = f"/expensereports/v4/users/{DEMO.manager}/context/MANAGER/reports/{report_id}/approve"
    assert (await sandbox.call("PATCH", url, token=manager, json={})).status == 204
    status, body = await gateway.gql(READ, {"id": report_id}, traveler)
    assert body["data"]["report"]["approvalStatus"]["code"] == "A_ACCO", (status, body)

    await sandbox.reset_stats()
    again = await approve(gateway, manager, **fields)
    assert codes(again) == []
    assert again["confirmed"] is True
    assert again["report"]["approvalStatus"]["code"] == "A_ACCO"
    assert await actions_sent(gateway) == 0


async def test_a_refusal_releases_the_key(gateway: GatewayHarness, sandbox: SandboxHarness) -> None:
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    refused = await approve(
        gateway, token, reportId=report_id, expectedStatus="A_PECO", idempotencyKey="k-4"
    )
    assert codes(refused) == ["WORKFLOW_STEP_MISMATCH"]
    assert refused["report"]["approvalStatus"]["code"] == "A_PEND"
    assert await actions_sent(gateway) == 0

    approved = await approve(
        gateway, token, reportId=report_id, expectedStatus="A_PEND", idempotencyKey="k-4"
    )
    assert codes(approved) == []  # not the refusal replayed: the key was free again
    assert await actions_sent(gateway) == 1


async def test_a_failed_guard_read_still_shows_the_report_when_it_can_be_read(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    """An upstream failure before the action (here the guard's read, failing every retry)
    is no reason to leave the report out: it is read again for the payload."""
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    details = r"/(v2\.0/report|v1\.1/reportfulldetails)/[^/]+$"  # either way to the details
    rule = {"method": "GET", "path": details, "kind": "status", "status": 503}
    status, body = await sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status in (200, 201), body
    payload = await approve(gateway, token, reportId=report_id, expectedStatus="A_PEND")
    assert codes(payload) == ["UPSTREAM_UNAVAILABLE"]
    assert payload["report"]["approvalStatus"]["code"] == "A_PEND"
    assert await actions_sent(gateway) == 0


async def test_an_unknown_outcome_that_cannot_be_read_stays_unknown(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    fields = {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": "k-6"}
    await fault(sandbox, "V4", kind="drop")
    assert codes(await approve(gateway, token, **fields)) == ["ACTION_OUTCOME_UNKNOWN"]

    details = r"/(v2\.0/report|v1\.1/reportfulldetails)/[^/]+$"
    rule = {"method": "GET", "path": details, "kind": "status", "status": 403}
    status, body = await sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status in (200, 201), body
    await sandbox.reset_stats()
    unreadable = await approve(gateway, token, **fields)
    assert codes(unreadable) == ["ACTION_OUTCOME_UNKNOWN"]  # not FORBIDDEN: still unknown
    assert "could not be read" in unreadable["userErrors"][0]["message"]
    assert await actions_sent(gateway) == 0

    await sandbox.admin("DELETE", "/_sandbox/faults")
    settled = await approve(gateway, token, **fields)  # the key still holds the unknown
    assert codes(settled) == []
    assert sandbox.store.reports[report_id].workflow.approval_status == "A_ACCO"
    assert await actions_sent(gateway) == 1
