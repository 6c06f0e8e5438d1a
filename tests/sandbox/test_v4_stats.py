"""Cross-cutting behaviour over real HTTP: correlation ids, stats by route template, admin."""

from __future__ import annotations

import re
import uuid

import aiohttp
import pytest

from sandbox.config import SandboxConfig
from sandbox.embedded import running_sandbox
from tests.conftest import DEMO, SandboxHarness

REPORT_ROUTE = "GET /expensereports/v4/users/{userId}/context/{contextType}/reports/{reportId}"


def report_path(user_id: str, report_id: str, context: str = "TRAVELER") -> str:
    return f"/expensereports/v4/users/{user_id}/context/{context}/reports/{report_id}"


async def test_correlation_id_is_echoed_or_generated_on_every_response(
    sandbox: SandboxHarness,
) -> None:
    echoed = await sandbox.call("GET", "/oauth2/v0/jwks", headers={"concur-correlationid": "abc"})
    assert echoed.headers["concur-correlationid"] == "abc"
    generated = await sandbox.call("GET", "/oauth2/v0/jwks")
    uuid.UUID(generated.headers["concur-correlationid"])
    for method, path in [
        ("GET", "/expensereports/v4/nowhere"),
        ("GET", report_path(DEMO.traveler, "X")),
        ("DELETE", "/oauth2/v0/jwks"),
        ("GET", "/api/expense/expensereport/v9/unknown"),
    ]:
        reply = await sandbox.call(method, path, headers={"Concur-CorrelationId": "err-1"})
        assert reply.status >= 400
        assert reply.headers["concur-correlationid"] == "err-1"


async def test_unknown_paths_answer_in_their_family_format(sandbox: SandboxHarness) -> None:
    v4 = await sandbox.call("GET", "/expensereports/v4/nowhere")
    assert v4.status == 404
    assert v4.json()["httpStatus"] == "404 - Not Found"
    xml = await sandbox.call("GET", "/api/expense/expensereport/v9/unknown")
    assert xml.status == 404
    assert xml.text.startswith("<?xml")
    assert "<Error>" in xml.text
    method = await sandbox.call("DELETE", "/oauth2/v0/jwks")
    assert method.status == 405


async def test_stats_count_by_route_template(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    await sandbox.reset_stats()
    assert await sandbox.stats() == {"total": 0, "requests": {}}
    for name in ("June Client Visit - Seattle", "Office Supplies June"):
        report = sandbox.report_named(name)
        await sandbox.call(
            "GET",
            report_path(DEMO.traveler, report.report_id),
            token=token,
            headers={
                "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "concur-correlationid": "c-42",
            },
        )
    await sandbox.call("GET", report_path(DEMO.traveler, "0" * 20), token=token)
    stats = await sandbox.stats()
    assert stats == {"total": 3, "requests": {REPORT_ROUTE: 3}}
    status, recent = await sandbox.admin("GET", "/_sandbox/requests")
    assert status == 200
    assert [r["status"] for r in recent] == [200, 200, 404]
    first = recent[0]
    assert first["route"] == REPORT_ROUTE.split(" ", 1)[1]
    assert first["auth_scheme"] == "Bearer"
    assert first["correlation_id"] == "c-42"
    assert first["traceparent"].startswith("00-0af7")
    assert token not in str(recent)
    await sandbox.reset_stats()
    assert (await sandbox.stats())["total"] == 0


async def test_admin_needs_the_admin_token(sandbox: SandboxHarness) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "OAuth test-admin"}):
        reply = await sandbox.call("GET", "/_sandbox/stats", headers=headers)
        assert reply.status == 401


async def test_admin_routes_do_not_exist_without_an_admin_token() -> None:
    async with (
        running_sandbox(SandboxConfig()) as running,
        aiohttp.ClientSession() as session,
    ):
        for method, path in [
            ("GET", "/_sandbox/stats"),
            ("POST", "/_sandbox/reset"),
            ("POST", "/_sandbox/faults"),
            ("GET", "/_sandbox/demo-tokens"),
        ]:
            async with session.request(
                method, running.base_url + path, headers={"Authorization": "Bearer x"}
            ) as resp:
                assert resp.status == 404


async def test_reset_reseeds_the_same_store_and_clears_stats_and_faults(
    sandbox: SandboxHarness,
) -> None:
    store = sandbox.store
    report = sandbox.report_named("Boston Customer Workshop")
    report_id = report.report_id
    token = await sandbox.user_token("manager@example.com")
    url = f"/expensereports/v4/users/{DEMO.manager}/context/MANAGER/reports/{report_id}/approve"
    assert (await sandbox.call("PATCH", url, token=token, json={})).status == 204
    await sandbox.admin("POST", "/_sandbox/faults", json={"path": "nothing", "kind": "drop"})
    status, body = await sandbox.admin("POST", "/_sandbox/reset")
    assert status == 200
    assert body == {"reports": 20}
    assert sandbox.store is store
    fresh = store.report(report_id)
    assert fresh is not None
    assert fresh is not report
    assert fresh.workflow.approval_status == "A_PEND"
    assert (await sandbox.stats())["total"] == 0
    assert (await sandbox.admin("GET", "/_sandbox/faults"))[1] == []
    # tokens issued before the reset stay valid: the users are the same
    again = await sandbox.call("PATCH", url, token=token, json={})
    assert again.status == 204


async def test_process_and_extract_refusals(sandbox: SandboxHarness) -> None:
    pending = sandbox.report_named("Boston Customer Workshop")
    status, body = await sandbox.admin("POST", f"/_sandbox/reports/{pending.report_id}/process")
    assert status == 409
    assert "Processor" in body["error"]
    status, _ = await sandbox.admin("POST", "/_sandbox/reports/NOPE/extract")
    assert status == 404


@pytest.mark.parametrize("advance", [-1, "ten", None])
async def test_clock_rejects_bad_input(sandbox: SandboxHarness, advance: object) -> None:
    status, _ = await sandbox.admin("POST", "/_sandbox/clock", json={"advance_s": advance})
    assert status == 400


async def test_clock_moves_forward(sandbox: SandboxHarness) -> None:
    before = sandbox.store.clock()
    status, body = await sandbox.admin("POST", "/_sandbox/clock", json={"advance_s": 86400})
    assert status == 200
    assert body["offset_s"] == 86400
    assert (sandbox.store.clock() - before).total_seconds() >= 86400


async def test_demo_tokens_work_for_every_user(sandbox: SandboxHarness) -> None:
    status, tokens = await sandbox.admin("GET", "/_sandbox/demo-tokens")
    assert status == 200
    assert set(tokens) == {
        "traveler@example.com",
        "traveler2@example.com",
        "manager@example.com",
        "admin@example.com",
        "companyadmin@example.com",
        "coapprover@example.com",
        "processor@example.com",
    }
    path = f"/expensereports/v4/users/{DEMO.manager}/context/MANAGER/reportsToApprove"
    reply = await sandbox.call("GET", path, token=tokens["manager@example.com"])
    assert reply.status == 200
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", tokens["traveler@example.com"])


async def test_admin_malformed_json_is_a_json_400_with_correlation_id(
    sandbox: SandboxHarness,
) -> None:
    reply = await sandbox.call(
        "POST",
        "/_sandbox/faults",
        data=b"{oops",
        headers={"Authorization": "Bearer test-admin", "concur-correlationid": "adm-1"},
    )
    assert reply.status == 400
    assert "error" in reply.json()
    assert reply.headers["concur-correlationid"] == "adm-1"
