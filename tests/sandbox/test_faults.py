"""Fault injection over real HTTP: every kind, counting rules, and that faults apply nothing."""

from __future__ import annotations

import aiohttp
import pytest
from lxml import etree

from sandbox.faults import BOMB_XML, MALFORMED_XML, XXE_XML
from tests.support.sandbox import DEMO, SandboxHarness

XML_PATH = "/api/expense/expensereport/v2.0/report/ABC"


def report_path(report_id: str) -> str:
    return f"/expensereports/v4/users/{DEMO.traveler}/context/TRAVELER/reports/{report_id}"


async def add_fault(sandbox: SandboxHarness, **rule: object) -> int:
    status, body = await sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status == 201, body
    fault_id = body["id"]
    assert isinstance(fault_id, int)
    return fault_id


async def test_status_fault_uses_the_v4_error_body(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("June Client Visit - Seattle")
    await add_fault(sandbox, method="GET", path="/reports/", kind="status", status=503, times=1)
    reply = await sandbox.call(
        "GET", report_path(report.report_id), token=token, headers={"concur-correlationid": "c1"}
    )
    assert reply.status == 503
    assert reply.headers["concur-correlationid"] == "c1"
    body = reply.json()
    assert body["httpStatus"] == "503 - Service Unavailable"
    assert {"timestamp", "errorMessage", "errorId", "path"} <= set(body)
    assert (await sandbox.call("GET", report_path(report.report_id), token=token)).status == 200


async def test_status_fault_uses_the_legacy_xml_error_on_xml_routes(
    sandbox: SandboxHarness,
) -> None:
    await add_fault(sandbox, path="^/api/", kind="status", status=500)
    reply = await sandbox.call("GET", XML_PATH)
    assert reply.status == 500
    assert reply.headers["Content-Type"].startswith("application/xml")
    root = etree.fromstring(reply.body)
    assert root.tag == "Error"
    assert [child.tag for child in root] == ["Message", "Server-Time", "Id"]
    assert "concur-correlationid" in reply.headers


async def test_rate_limit_fault(sandbox: SandboxHarness) -> None:
    await add_fault(sandbox, path="reports", kind="rate_limit", retry_after=7)
    reply = await sandbox.call("GET", report_path("A" * 20))
    assert reply.status == 429
    assert reply.headers["Retry-After"] == "7"
    body = reply.json()
    assert body["httpStatus"] == "429 - Too Many Requests"
    assert body["error"] == {"id": "security.rate.limit.reached", "message": "Too many requests"}
    assert body["path"] == report_path("A" * 20)


@pytest.mark.parametrize(
    ("kind", "document"),
    [("malformed_xml", MALFORMED_XML), ("xxe_xml", XXE_XML), ("bomb_xml", BOMB_XML)],
)
async def test_hostile_xml_faults(sandbox: SandboxHarness, kind: str, document: bytes) -> None:
    await add_fault(sandbox, path="^/api/", kind=kind)
    reply = await sandbox.call("GET", XML_PATH)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/xml")
    assert reply.body == document
    safe = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    if kind == "malformed_xml":
        with pytest.raises(etree.XMLSyntaxError):
            etree.fromstring(reply.body, safe)
    else:
        assert b"<!ENTITY" in reply.body


async def test_xxe_document_declares_an_external_entity(sandbox: SandboxHarness) -> None:
    await add_fault(sandbox, path="^/api/", kind="xxe_xml")
    reply = await sandbox.call("GET", XML_PATH)
    assert b'<!ENTITY x SYSTEM "file:///etc/passwd">' in reply.body
    assert b"&x;" in reply.body


async def test_drop_closes_the_connection(sandbox: SandboxHarness) -> None:
    # aiohttp's client resends an idempotent request once when the connection closes
    # under it, so a GET needs two drops to surface.
    await add_fault(sandbox, path="jwks", kind="drop", times=2)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await sandbox.call("GET", "/oauth2/v0/jwks")
    assert (await sandbox.call("GET", "/oauth2/v0/jwks")).status == 200
    stats = await sandbox.stats()
    assert stats["requests"]["GET /oauth2/v0/jwks"] == 3
    _, recent = await sandbox.admin("GET", "/_sandbox/requests")
    assert [r["status"] for r in recent if r["path"] == "/oauth2/v0/jwks"] == [None, None, 200]


async def test_drop_of_an_action_is_not_resent(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    await add_fault(sandbox, method="PATCH", path="/approve$", kind="drop", times=1)
    url = (
        f"/expensereports/v4/users/{DEMO.manager}/context/MANAGER/reports/"
        f"{report.report_id}/approve"
    )
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await sandbox.call("PATCH", url, token=manager, json={})
    assert report.workflow.approval_status == "A_PEND"


async def test_latency_fault_delays_then_serves(sandbox: SandboxHarness) -> None:
    fault_id = await add_fault(sandbox, path="jwks", kind="latency", latency_ms=20, times=1)
    reply = await sandbox.call("GET", "/oauth2/v0/jwks")
    assert reply.status == 200
    assert "keys" in reply.json()
    _, faults = await sandbox.admin("GET", "/_sandbox/faults")
    assert fault_id not in {f["id"] for f in faults}


async def test_latency_still_applies_the_action(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    await add_fault(sandbox, method="PATCH", path="/approve$", kind="latency", latency_ms=5)
    url = (
        f"/expensereports/v4/users/{DEMO.manager}/context/MANAGER/reports/"
        f"{report.report_id}/approve"
    )
    assert (await sandbox.call("PATCH", url, token=manager, json={})).status == 204
    assert report.workflow.approval_status == "A_ACCO"


async def test_faulted_action_is_not_applied(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    await add_fault(sandbox, method="PATCH", path="/approve$", kind="status", status=502, times=1)
    url = (
        f"/expensereports/v4/users/{DEMO.manager}/context/MANAGER/reports/"
        f"{report.report_id}/approve"
    )
    version = report.version
    assert (await sandbox.call("PATCH", url, token=manager, json={})).status == 502
    assert report.version == version
    assert report.workflow.approval_status == "A_PEND"
    assert (await sandbox.call("PATCH", url, token=manager, json={})).status == 204


async def test_times_every_and_method(sandbox: SandboxHarness) -> None:
    await add_fault(sandbox, method="POST", path="jwks", kind="status", status=500)
    await add_fault(sandbox, method="GET", path="jwks", kind="status", status=503, every=2, times=2)
    statuses = [(await sandbox.call("GET", "/oauth2/v0/jwks")).status for _ in range(6)]
    assert statuses == [200, 503, 200, 503, 200, 200]


async def test_list_delete_and_clear(sandbox: SandboxHarness) -> None:
    first = await add_fault(sandbox, path="a", kind="status", status=500)
    second = await add_fault(sandbox, path="b", kind="latency", latency_ms=1)
    status, faults = await sandbox.admin("GET", "/_sandbox/faults")
    assert status == 200
    assert [f["id"] for f in faults] == [first, second]
    assert faults[0]["remaining"] is None
    assert (await sandbox.admin("DELETE", f"/_sandbox/faults/{first}"))[0] == 204
    assert (await sandbox.admin("DELETE", f"/_sandbox/faults/{first}"))[0] == 404
    assert (await sandbox.admin("DELETE", "/_sandbox/faults"))[0] == 204
    assert (await sandbox.admin("GET", "/_sandbox/faults"))[1] == []


@pytest.mark.parametrize(
    "rule",
    [
        {"path": "(", "kind": "status"},
        {"path": "x", "kind": "explode"},
        {"path": "x", "kind": "status", "status": 200},
        {"path": "x", "kind": "status", "every": 0},
        {"kind": "status"},
    ],
)
async def test_invalid_fault_rules(sandbox: SandboxHarness, rule: dict[str, object]) -> None:
    status, _ = await sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status == 400


async def test_admin_routes_are_never_faulted(sandbox: SandboxHarness) -> None:
    await add_fault(sandbox, path=".*", kind="status", status=500)
    status, _ = await sandbox.admin("GET", "/_sandbox/faults")
    assert status == 200
