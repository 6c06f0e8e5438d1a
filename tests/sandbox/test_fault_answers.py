"""The broken-answer faults (truncate, malformed_json, nested_json) and ``after_apply``, over
real HTTP: what the client receives, and whether the route's change happened."""

from __future__ import annotations

import json

import aiohttp
import orjson
import pytest

from sandbox.fault_answers import NESTED_JSON_DEPTH
from sandbox.faults import MALFORMED_XML
from tests.conftest import DEMO, SandboxHarness
from tests.sandbox.test_faults import add_fault, report_path
from tests.sandbox.xml_support import API, workflow_body


def approve_path(report_id: str) -> str:
    return f"/expensereports/v4/users/{DEMO.manager}/context/MANAGER/reports/{report_id}/approve"


async def test_truncate_declares_the_full_length_and_sends_half(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("June Client Visit - Seattle")
    token = await sandbox.user_token("traveler@example.com")
    whole = await sandbox.call("GET", report_path(report.report_id), token=token)
    await add_fault(sandbox, path="/reports/", kind="truncate", after_apply=True, times=1)
    url = f"{sandbox.base_url}{report_path(report.report_id)}"
    headers = {"Authorization": f"Bearer {token}"}
    async with sandbox.session.get(url, headers=headers) as response:
        assert response.status == 200
        assert response.content_length == len(whole.body)
        received = await response.content.readexactly(len(whole.body) // 2)
        assert received == whole.body[: len(whole.body) // 2]
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()


async def test_truncate_before_the_route_cuts_a_real_looking_answer(
    sandbox: SandboxHarness,
) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    await add_fault(sandbox, method="PATCH", path="/approve$", kind="truncate", times=1)
    with pytest.raises(aiohttp.ClientPayloadError):
        await sandbox.call("PATCH", approve_path(report.report_id), token=manager, json={})
    assert report.workflow.approval_status == "A_PEND"  # not applied


async def test_after_apply_truncate_applies_the_action(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    await add_fault(
        sandbox, method="PATCH", path="/approve$", kind="truncate", after_apply=True, times=1
    )
    with pytest.raises(aiohttp.ClientPayloadError):
        await sandbox.call("PATCH", approve_path(report.report_id), token=manager, json={})
    assert report.workflow.approval_status == "A_ACCO"


async def test_after_apply_status_answers_an_error_for_an_applied_action(
    sandbox: SandboxHarness,
) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    await add_fault(
        sandbox, method="PATCH", path="/approve$", kind="status", status=503, after_apply=True
    )
    version = report.version
    reply = await sandbox.call("PATCH", approve_path(report.report_id), token=manager, json={})
    assert reply.status == 503
    assert reply.json()["httpStatus"] == "503 - Service Unavailable"
    assert report.workflow.approval_status == "A_ACCO"
    assert report.version > version


async def test_after_apply_drop_loses_the_answer_of_an_applied_action(
    sandbox: SandboxHarness,
) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    await add_fault(
        sandbox, method="PATCH", path="/approve$", kind="drop", after_apply=True, times=1
    )
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await sandbox.call("PATCH", approve_path(report.report_id), token=manager, json={})
    assert report.workflow.approval_status == "A_ACCO"


async def test_after_apply_malformed_xml_on_a_workflow_action(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    url = f"{API}/v1.1/report/{report.workflow.step_key}/workflowaction"
    await add_fault(sandbox, path="workflowaction$", kind="malformed_xml", after_apply=True)
    reply = await sandbox.call(
        "POST",
        url,
        token=manager,
        scheme="OAuth",
        data=workflow_body("Approve"),
        headers={"Content-Type": "application/xml"},
    )
    assert reply.status == 200
    assert reply.body == MALFORMED_XML
    assert report.workflow.approval_status == "A_ACCO"


@pytest.mark.parametrize("after_apply", [False, True])
async def test_malformed_json_is_not_json(sandbox: SandboxHarness, after_apply: bool) -> None:
    report = sandbox.report_named("June Client Visit - Seattle")
    token = await sandbox.user_token("traveler@example.com")
    await add_fault(sandbox, path="/reports/", kind="malformed_json", after_apply=after_apply)
    reply = await sandbox.call("GET", report_path(report.report_id), token=token)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(reply.body)


async def test_nested_json_is_valid_and_deep(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("June Client Visit - Seattle")
    token = await sandbox.user_token("traveler@example.com")
    await add_fault(sandbox, path="/reports/", kind="nested_json", times=1)
    reply = await sandbox.call("GET", report_path(report.report_id), token=token)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.body == b"[" * NESTED_JSON_DEPTH + b"]" * NESTED_JSON_DEPTH
    with pytest.raises(RecursionError):
        json.loads(reply.body)


async def test_after_apply_is_refused_with_latency(sandbox: SandboxHarness) -> None:
    rule = {"path": "x", "kind": "latency", "latency_ms": 1, "after_apply": True}
    status, _ = await sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status == 400
    status, _ = await sandbox.admin("POST", "/_sandbox/faults", json={**rule, "kind": "drop"})
    assert status == 201
    _, faults = await sandbox.admin("GET", "/_sandbox/faults")
    assert faults[0]["after_apply"] is True
