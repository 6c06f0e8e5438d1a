"""Bulk approvals against the sandbox, with every action in the audit trail in PostgreSQL.

The split of a batch is the one the sandbox's own state dictates; the sandbox's request
counts show one action per applied item and nothing more; a counting proxy between the
gateway and the sandbox (a real HTTP peer) shows the concurrency bound held.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from gateway.audit.postgres import PostgresAuditLog
from gateway.settings.audit import AuditSettings
from gateway.settings.bulk import BulkSettings
from resolvers.operations.audit import AuditKind, AuditRecord
from sandbox import seed
from sandbox.config import SandboxConfig
from sandbox.embedded import running_sandbox
from tests.support.counting_proxy import counting_proxy
from tests.support.gateway import (
    MANAGER,
    GatewayHarness,
    action_calls,
    gateway_settings,
    running_gateway,
)
from tests.support.sandbox import ADMIN_TOKEN, SandboxHarness

BOUND = 3
ITEM = "reportId outcome userErrors { code }"
APPROVE_MANY = (
    "mutation($i: ApproveReportsInput!) { approveReports(input: $i) { "
    f"items {{ {ITEM} }} userErrors {{ code field }} applied refused unknown confirmed }} }}"
)


@pytest.fixture
async def many() -> AsyncIterator[SandboxHarness]:
    """A sandbox with enough pending reports for a batch of 20."""
    config = SandboxConfig(admin_token=ADMIN_TOKEN, scale=60)
    async with (
        running_sandbox(config) as running,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        yield SandboxHarness(
            base_url=running.base_url,
            store=running.store,
            engine=running.engine,
            admin_token=ADMIN_TOKEN,
            session=session,
        )


def settings(base_url: str, database_url: str, **audit: Any) -> Any:
    return gateway_settings(
        base_url,
        audit=AuditSettings(database_url=SecretStr(database_url), **audit),
        bulk=BulkSettings(concurrency=BOUND, max_items=25),
    )


def mixed_batch(sandbox: SandboxHarness) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """20 items: most expect the step their report is at, some expect another; and the
    outcome each must get, decided from the sandbox's state alone."""
    manager_reports = [
        r
        for r in sandbox.store.reports.values()
        if r.owner_id in (seed.TRAVELER_ID, seed.TRAVELER2_ID)
    ]
    pending = [r for r in manager_reports if r.workflow.approval_status == "A_PEND"][:14]
    other = [r for r in manager_reports if r.workflow.approval_status == "A_NOTF"][:6]
    items: list[dict[str, Any]] = []
    for n, report in enumerate([*pending, *other]):
        expected = "A_RESU" if n % 5 == 4 else "A_PEND"
        items.append({"reportId": report.report_id, "expectedStatus": expected})
    expected_outcomes = {
        item["reportId"]: "APPLIED"
        if sandbox.store.reports[item["reportId"]].workflow.approval_status
        == item["expectedStatus"]
        else "REFUSED"
        for item in items
    }
    assert len(items) == 20
    return items, expected_outcomes


async def approve_many(
    gateway: GatewayHarness, token: str, items: list[dict[str, Any]], batch_key: str | None
) -> dict[str, Any]:
    status, body = await gateway.gql(
        APPROVE_MANY, {"i": {"items": items, "batchKey": batch_key}}, token
    )
    assert status == 200, body
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["approveReports"]
    return payload


async def trail(database_url: str) -> list[AuditRecord]:
    store = PostgresAuditLog(database_url)
    await store.open()
    try:
        return [record async for record in store.records()]
    finally:
        await store.close()


async def test_a_mixed_batch_applies_what_the_sandbox_allows_once_and_records_it(
    many: SandboxHarness, audit_database_url: str
) -> None:
    async with (
        counting_proxy(many.base_url) as (proxy_url, proxy),
        running_gateway(many, settings(proxy_url, audit_database_url)) as gateway,
    ):
        token = await gateway.token(MANAGER)
        items, expected = mixed_batch(many)
        await many.admin(
            "POST",
            "/_sandbox/faults",
            json={"method": "*", "path": "/approve$", "kind": "latency", "latency_ms": 200},
        )
        before = {rid: many.store.reports[rid].workflow.approval_status for rid in expected}
        proxy.reset()

        first = await approve_many(gateway, token, items, "monday")

        assert {i["reportId"]: i["outcome"] for i in first["items"]} == expected
        assert [i["reportId"] for i in first["items"]] == [i["reportId"] for i in items]
        applied = Counter(expected.values())["APPLIED"]
        assert (first["applied"], first["refused"]) == (applied, 20 - applied)
        assert sum(action_calls(await gateway.upstream_calls()).values()) == applied
        assert proxy.peak == BOUND  # in flight at once: the bound, reached and never passed
        for report_id, outcome in expected.items():
            status = many.store.reports[report_id].workflow.approval_status
            assert (status != before[report_id]) == (outcome == "APPLIED"), report_id

        await many.reset_stats()
        again = await approve_many(gateway, token, items, "monday")
        assert sum(action_calls(await gateway.upstream_calls()).values()) == 0
        assert {i["reportId"]: i["outcome"] for i in again["items"]}.items() >= {
            rid: "APPLIED" for rid, o in expected.items() if o == "APPLIED"
        }.items()

    records = await trail(audit_database_url)
    intents = [r for r in records if r.kind is AuditKind.INTENT]
    outcomes = {r.intent_id: r for r in records if r.kind is AuditKind.OUTCOME}
    assert len(intents) == 40  # two batches of 20
    assert {i.id for i in intents} == set(outcomes)
    for intent in intents[:20]:
        outcome = outcomes[intent.id]
        assert outcome.outcome is not None
        assert outcome.outcome.value == expected[intent.report_id]
        assert intent.user_id.lower() == seed.MANAGER_ID.lower()
        assert intent.idempotency_key == f"monday:{intent.report_id}"
        assert outcome.concur_status is not None or outcome.code == "FORBIDDEN"


async def test_a_dropped_connection_leaves_that_item_unknown_and_its_repeat_confirms_it(
    many: SandboxHarness, audit_database_url: str
) -> None:
    async with running_gateway(many, settings(many.base_url, audit_database_url)) as gateway:
        token = await gateway.token(MANAGER)
        items, expected = mixed_batch(many)
        items = [i for i in items if expected[i["reportId"]] == "APPLIED"][:5]
        lost = items[2]["reportId"]
        await many.admin(
            "POST",
            "/_sandbox/faults",
            json={"path": f"/{lost}/approve$", "kind": "drop", "times": 1, "after_apply": True},
        )

        first = await approve_many(gateway, token, items, "tuesday")
        outcomes = {i["reportId"]: i["outcome"] for i in first["items"]}
        assert outcomes == {
            i["reportId"]: "UNKNOWN" if i["reportId"] == lost else "APPLIED" for i in items
        }
        assert first["unknown"] == 1

        await many.reset_stats()
        again = await approve_many(gateway, token, items, "tuesday")
        assert {i["reportId"]: i["outcome"] for i in again["items"]}[lost] == "CONFIRMED"
        assert sum(action_calls(await gateway.upstream_calls()).values()) == 0

    verdicts = [(r.report_id, r.outcome) for r in await trail(audit_database_url) if r.outcome]
    assert [v.value for rid, v in verdicts if rid == lost] == ["UNKNOWN", "CONFIRMED"]


async def test_a_batch_over_the_limit_or_with_a_report_twice_is_refused_whole(
    many: SandboxHarness, audit_database_url: str
) -> None:
    async with running_gateway(many, settings(many.base_url, audit_database_url)) as gateway:
        token = await gateway.token(MANAGER)
        items, _ = mixed_batch(many)
        too_many = [*items, *({"reportId": f"X{n}", "expectedStatus": "A_PEND"} for n in range(6))]
        twice = [items[0], items[1], items[0]]
        for batch in (too_many, twice, []):
            payload = await approve_many(gateway, token, batch, None)
            assert [e["code"] for e in payload["userErrors"]] == ["BAD_USER_INPUT"]
            assert payload["items"] == []
        assert await gateway.upstream_calls() == {}
    assert await trail(audit_database_url) == []


async def test_an_items_report_is_read_only_when_selected(
    many: SandboxHarness, audit_database_url: str
) -> None:
    header = "GET /expensereports/v4/users/{userId}/context/{contextType}/reports/{reportId}"
    details = "GET /api/expense/expensereport/v1.1/{_details}/{rpt_key}"
    approve = f"PATCH {header.removeprefix('GET ')}/approve"
    async with running_gateway(many, settings(many.base_url, audit_database_url)) as gateway:
        token = await gateway.token(MANAGER)
        items, expected = mixed_batch(many)
        applicable = [i for i in items if expected[i["reportId"]] == "APPLIED"]
        first, second = applicable[:3], applicable[3:6]

        await approve_many(gateway, token, first, None)
        keys = "GET /api/expense/expensereport/v1.1/{_list}/{view}"  # the key book, once
        assert await gateway.upstream_calls() == {keys: 1, details: 3, approve: 3}

        await many.reset_stats()
        selected = APPROVE_MANY.replace(ITEM, f"{ITEM} report {{ approvalStatus {{ code }} }}")
        status, body = await gateway.gql(selected, {"i": {"items": second}}, token)
        assert status == 200, body
        reports = [i["report"] for i in body["data"]["approveReports"]["items"]]
        assert all(r["approvalStatus"]["code"] != "A_PEND" for r in reports), reports
        # Selected, each report is read as approveReport reads it: the header, which the
        # approver no longer sees, then the details it still does.
        assert await gateway.upstream_calls() == {
            details: 3 + 3,
            header: 3,
            approve: 3,
        }
