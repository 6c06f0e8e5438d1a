"""Every workflow action leaves its intent and outcome in PostgreSQL, or is not performed."""

from __future__ import annotations

import io
from typing import Any

import psycopg
from pydantic import SecretStr

from gateway.audit.cli import verify_command
from gateway.audit.postgres import PostgresAuditLog
from gateway.settings.audit import AuditSettings
from resolvers.operations.audit import AuditKind, AuditOutcome, AuditRecord
from sandbox import seed
from tests.support.gateway import (
    MANAGER,
    GatewayHarness,
    action_calls,
    gateway_settings,
    pick_report,
    running_gateway,
)
from tests.support.sandbox import SandboxHarness

PAYLOAD = "report { approvalStatus { code } } userErrors { code }"
APPROVE = f"mutation($i: ApproveReportInput!) {{ approveReport(input: $i) {{ {PAYLOAD} }} }}"
APPROVE_MANY = (
    "mutation($i: ApproveReportsInput!) { approveReports(input: $i) { "
    "items { reportId outcome userErrors { code } } } }"
)
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CLOSED = "postgresql://postgres@127.0.0.1:1/concur_gateway_audit"


def settings(sandbox: SandboxHarness, database_url: str, **audit: Any) -> Any:
    return gateway_settings(
        sandbox.base_url,
        audit=AuditSettings(database_url=SecretStr(database_url), timeout_s=0.5, **audit),
    )


async def approve(gateway: GatewayHarness, token: str, **fields: Any) -> dict[str, Any]:
    status, body = await gateway.gql(APPROVE, {"i": fields}, token)
    assert status == 200, body
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["approveReport"]
    return payload


async def trail(database_url: str) -> list[AuditRecord]:
    store = PostgresAuditLog(database_url)
    await store.open()
    try:
        return [record async for record in store.records()]
    finally:
        await store.close()


async def test_an_applied_and_a_refused_action_each_leave_intent_and_outcome(
    sandbox: SandboxHarness, audit_database_url: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    async with running_gateway(sandbox, settings(sandbox, audit_database_url)) as gateway:
        token = await gateway.token(MANAGER)
        correlation = {
            "concur-correlationid": "audit-test-1",
            "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01",
        }
        status, body = await gateway.gql(
            APPROVE,
            {"i": {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": "k1"}},
            token,
            headers=correlation,
        )
        assert status == 200, body
        refused = await approve(gateway, token, reportId=report_id, expectedStatus="A_PEND")
        assert [e["code"] for e in refused["userErrors"]] == ["WORKFLOW_STEP_MISMATCH"]

    records = await trail(audit_database_url)
    assert [(r.kind, r.outcome) for r in records] == [
        (AuditKind.INTENT, None),
        (AuditKind.OUTCOME, AuditOutcome.APPLIED),
        (AuditKind.INTENT, None),
        (AuditKind.OUTCOME, AuditOutcome.REFUSED),
    ]
    intent, applied, _, refusal = records
    assert applied.intent_id == intent.id
    assert (intent.action, intent.report_id, intent.expected_status) == (
        "APPROVE",
        report_id,
        "A_PEND",
    )
    assert intent.user_id.lower() == seed.MANAGER_ID.lower()
    assert (intent.caller_kind, intent.context, intent.protocol) == ("user", "MANAGER", "V4")
    assert intent.idempotency_key == "k1"
    assert intent.correlation_id == "audit-test-1"
    assert intent.trace_id == TRACE_ID  # the caller's trace, joined by the gateway's span
    assert applied.concur_status == "A_PEND"  # what the guard read before acting
    assert refusal.code == "WORKFLOW_STEP_MISMATCH"
    assert refusal.concur_status == "A_ACCO"
    assert "A_ACCO" in (refusal.message or "")
    dumped = "".join(r.model_dump_json() for r in records)
    assert token not in dumped  # never the token


async def test_verify_passes_then_names_the_record_a_test_edited(
    sandbox: SandboxHarness, audit_database_url: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    async with running_gateway(sandbox, settings(sandbox, audit_database_url)) as gateway:
        token = await gateway.token(MANAGER)
        await approve(gateway, token, reportId=report_id, expectedStatus="A_PEND")
        await approve(gateway, token, reportId=report_id, expectedStatus="A_PEND")
    out = io.StringIO()
    assert await verify_command(audit_database_url, out) == 0, out.getvalue()
    assert "4 records verified" in out.getvalue()

    edited = (await trail(audit_database_url))[1]
    async with await psycopg.AsyncConnection.connect(audit_database_url) as conn:
        await conn.execute("ALTER TABLE audit_record DISABLE TRIGGER audit_record_append_only")
        await conn.execute(
            "UPDATE audit_record SET outcome = 'REFUSED' WHERE id = %s", (edited.id,)
        )
        await conn.commit()
    out = io.StringIO()
    assert await verify_command(audit_database_url, out) == 1
    assert f"broken at record {edited.id}" in out.getvalue()


async def test_without_the_database_actions_are_refused_and_nothing_is_sent(
    sandbox: SandboxHarness,
) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    async with running_gateway(sandbox, settings(sandbox, CLOSED)) as gateway:
        token = await gateway.token(MANAGER)
        single = await approve(gateway, token, reportId=report_id, expectedStatus="A_PEND")
        assert [e["code"] for e in single["userErrors"]] == ["AUDIT_UNAVAILABLE"]
        item = {"reportId": report_id, "expectedStatus": "A_PEND"}
        status, body = await gateway.gql(APPROVE_MANY, {"i": {"items": [item]}}, token)
        assert status == 200, body
        [result] = body["data"]["approveReports"]["items"]
        assert (result["outcome"], result["userErrors"]) == (
            "REFUSED",
            [{"code": "AUDIT_UNAVAILABLE"}],
        )
        assert await gateway.upstream_calls() == {}  # not even the guard read
        assert action_calls(await gateway.upstream_calls()) == {}
    assert sandbox.store.reports[report_id].workflow.approval_status == "A_PEND"


async def test_a_database_dropped_while_serving_refuses_the_next_action(
    sandbox: SandboxHarness, audit_database_url: str
) -> None:
    first, second = [
        r.report_id
        for r in sandbox.store.reports.values()
        if r.workflow.approval_status == "A_PEND" and not r.cost_objects
    ][:2]
    async with running_gateway(sandbox, settings(sandbox, audit_database_url)) as gateway:
        token = await gateway.token(MANAGER)
        ok = await approve(gateway, token, reportId=first, expectedStatus="A_PEND")
        assert ok["userErrors"] == []
        admin_url = audit_database_url.rpartition("/")[0] + "/postgres"
        name = audit_database_url.rpartition("/")[2]
        async with await psycopg.AsyncConnection.connect(admin_url, autocommit=True) as admin:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await sandbox.reset_stats()
        refused = await approve(gateway, token, reportId=second, expectedStatus="A_PEND")
        assert [e["code"] for e in refused["userErrors"]] == ["AUDIT_UNAVAILABLE"]
        assert action_calls(await gateway.upstream_calls()) == {}
    assert sandbox.store.reports[second].workflow.approval_status == "A_PEND"


async def test_an_optional_trail_lets_the_action_through(sandbox: SandboxHarness) -> None:
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    async with running_gateway(sandbox, settings(sandbox, CLOSED, required=False)) as gateway:
        token = await gateway.token(MANAGER)
        payload = await approve(gateway, token, reportId=report_id, expectedStatus="A_PEND")
        assert payload["userErrors"] == []
    assert sandbox.store.reports[report_id].workflow.approval_status != "A_PEND"
