"""The read cache end to end, in process and on Redis: hits, scoping, invalidation, 404s."""

from __future__ import annotations

import asyncio
from typing import Any

from sandbox import seed
from sandbox.workflow_terms import Actor
from tests.support.cache import (
    REPORT_QUERY,
    backend_of,
    operations_of,
    upstream_total,
)
from tests.support.gateway import (
    MANAGER,
    TRAVELER,
    TRAVELER2,
    GatewayHarness,
    errors_of,
    pick_report,
)
from tests.support.sandbox import SandboxHarness

ENTRY_QUERY = """
query($report: ID!, $id: ID!) { entry(reportId: $report, id: $id) { id vendor reportId } }
"""
APPROVE = """
mutation($i: ApproveReportInput!) {
  approveReport(input: $i) { report { id approvalStatus { code } } userErrors { code } }
}
"""
V4_REPORT = "GET /expensereports/v4/users/{userId}/context/{contextType}/reports/{reportId}"


async def read(gw: GatewayHarness, token: str, report_id: str, context: str = "TRAVELER") -> Any:
    status, body = await gw.gql(REPORT_QUERY, {"id": report_id, "context": context}, token)
    assert status == 200, body
    return body


async def test_a_repeated_query_costs_no_upstream_call(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    gw = cached_gateway
    token = await gw.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    first = await read(gw, token, report_id)
    assert "errors" not in first, first
    # v4 header, the lists that name the traveler's v1.1 key (TOAPPROVE, ACTIVE), full details
    assert upstream_total(await gw.upstream_calls()) == 4
    await sandbox.reset_stats()

    second = await read(gw, token, report_id)
    assert second["data"] == first["data"]
    assert second["extensions"]["cost"] == {"estimated": 5, "actual": 0, "cached": 2}
    assert upstream_total(await gw.upstream_calls()) == 0
    assert backend_of(gw).stats.hits >= 2


async def test_amounts_stay_exact_through_the_cache(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    gw = cached_gateway
    token = await gw.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    first = await read(gw, token, report_id)
    cached = await read(gw, token, report_id)
    amounts = [e["transactionAmount"]["value"] for e in cached["data"]["report"]["entries"]]
    assert amounts == [e["transactionAmount"]["value"] for e in first["data"]["report"]["entries"]]
    assert all(len(a.split(".")[1]) == 8 for a in amounts)  # Concur's 8 decimals, as read


async def test_two_principals_never_share_an_entry(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    """The traveler's cached details must not answer another traveler, whose own read is
    refused by Concur: a key without the principal would serve them the owner's entries."""
    gw = cached_gateway
    owner = await gw.token(TRAVELER)
    other = await gw.token(TRAVELER2)
    report_id = pick_report(sandbox, "A_PEND")
    first = await read(gw, owner, report_id)
    entry_id = first["data"]["report"]["entries"][0]["id"]
    status, body = await gw.gql(ENTRY_QUERY, {"report": report_id, "id": entry_id}, owner)
    assert body["data"]["entry"]["id"] == entry_id  # now cached for the owner
    await sandbox.reset_stats()

    stolen = await read(gw, other, report_id)
    assert stolen["data"]["report"] is None
    assert errors_of(stolen) == ["FORBIDDEN"]
    status, body = await gw.gql(ENTRY_QUERY, {"report": report_id, "id": entry_id}, other)
    assert status == 200
    assert body["data"]["entry"] is None
    assert errors_of(body) in (["FORBIDDEN"], ["NOT_FOUND"])
    assert upstream_total(await gw.upstream_calls()) >= 2  # asked Concur as themselves


async def test_traveler_and_manager_read_separately(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    gw = cached_gateway
    traveler = await gw.token(TRAVELER)
    manager = await gw.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    await read(gw, traveler, report_id)
    await sandbox.reset_stats()
    as_manager = await read(gw, manager, report_id, "MANAGER")
    assert "errors" not in as_manager, as_manager
    calls = await gw.upstream_calls()
    assert calls.get(V4_REPORT) == 1
    # the manager's own header, TOAPPROVE (which names the manager's v1.1 key) and details
    assert upstream_total(calls) == 3


async def test_a_mutation_invalidates_every_principals_copy(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    gw = cached_gateway
    traveler = await gw.token(TRAVELER)
    manager = await gw.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    before = await read(gw, traveler, report_id)
    assert before["data"]["report"]["approvalStatus"]["code"] == "A_PEND"

    _, body = await gw.gql(
        APPROVE, {"i": {"reportId": report_id, "expectedStatus": "A_PEND"}}, manager
    )
    assert body["data"]["approveReport"]["userErrors"] == [], body
    await sandbox.reset_stats()

    after = await read(gw, traveler, report_id)
    assert after["data"]["report"]["approvalStatus"]["code"] == "A_ACCO"
    assert (await gw.upstream_calls()).get(V4_REPORT) == 1  # read afresh


async def test_invalidation_reaches_single_entries(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    """Entries are read by the report's opaque v1.1 key; invalidation names the plain id."""
    gw = cached_gateway
    token = await gw.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    first = await read(gw, token, report_id)
    entry_id = first["data"]["report"]["entries"][0]["id"]
    variables = {"report": report_id, "id": entry_id}
    await gw.gql(ENTRY_QUERY, variables, token)
    await sandbox.reset_stats()
    await gw.gql(ENTRY_QUERY, variables, token)
    assert upstream_total(await gw.upstream_calls()) == 0

    await operations_of(gw).cache.invalidate_report(report_id)
    _, body = await gw.gql(ENTRY_QUERY, variables, token)
    assert body["data"]["entry"]["id"] == entry_id
    calls = await gw.upstream_calls()
    assert any("/entry/" in route for route in calls), calls


async def test_not_found_is_cached_and_raised_again(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    gw = cached_gateway
    token = await gw.token(TRAVELER)
    first = await read(gw, token, "NOSUCHREPORT0000")
    assert errors_of(first) == ["NOT_FOUND"]
    await sandbox.reset_stats()
    second = await read(gw, token, "NOSUCHREPORT0000")
    assert errors_of(second) == ["NOT_FOUND"]
    assert second["data"] == first["data"]
    # The header's 404 is served from the cache. (Its details, prefetched alongside, are
    # Concur's 403 to a traveler whose lists do not name the report: a refusal, not cached.)
    assert V4_REPORT not in await gw.upstream_calls()


async def test_concurrent_misses_make_one_upstream_call(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    gw = cached_gateway
    token = await gw.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    status, body = await sandbox.admin(
        "POST",
        "/_sandbox/faults",
        json={"method": "GET", "path": "/reports/", "kind": "latency", "latency_ms": 300},
    )
    assert status in (200, 201), body
    answers = await asyncio.gather(*(read(gw, token, report_id) for _ in range(8)))
    assert all("errors" not in a for a in answers), answers
    assert len({str(a["data"]) for a in answers}) == 1
    assert (await gw.upstream_calls()).get(V4_REPORT) == 1


async def test_workflow_guards_and_post_action_reads_bypass_the_cache(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    """A report sent back behind the gateway's back: the cached copy still says A_PEND, yet
    the guard refuses the approve (it read Concur) and the payload shows the report now."""
    gw = cached_gateway
    manager = await gw.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    cached = await read(gw, manager, report_id, "MANAGER")
    assert cached["data"]["report"]["approvalStatus"]["code"] == "A_PEND"
    report = sandbox.store.reports[report_id]
    sandbox.engine.send_back(report, Actor(seed.MANAGER_ID, "user"), comment="In Concur's UI.")
    assert (await read(gw, manager, report_id, "MANAGER"))["data"]["report"]["approvalStatus"][
        "code"
    ] == "A_PEND"  # stale on purpose: nothing told the gateway

    _, body = await gw.gql(
        APPROVE, {"i": {"reportId": report_id, "expectedStatus": "A_PEND"}}, manager
    )
    payload = body["data"]["approveReport"]
    assert [e["code"] for e in payload["userErrors"]] == ["WORKFLOW_STEP_MISMATCH"]
    assert payload["report"]["approvalStatus"]["code"] == "A_RESU"
    assert report.workflow.approval_status == "A_RESU"


UPDATE = """
mutation($id: ID!, $name: String!) {
  updateReport(reportId: $id, patch: { name: $name }) { userErrors { code } }
}
"""


async def test_an_ambiguous_outcome_invalidates_too(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    """The answer to a write was lost: it may have been applied, so no copy may be served."""
    gw = cached_gateway
    traveler = await gw.token(TRAVELER)
    manager = await gw.token(MANAGER)
    draft = pick_report(sandbox, "A_NOTF")
    pending = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    await read(gw, traveler, draft)
    await read(gw, traveler, pending)
    for method, path in (("PATCH", "/reports/[^/]+$"), ("PATCH", "/approve$")):
        status, body = await sandbox.admin(
            "POST",
            "/_sandbox/faults",
            json={"method": method, "path": path, "kind": "drop", "times": 1},
        )
        assert status in (200, 201), body

    _, body = await gw.gql(UPDATE, {"id": draft, "name": "Renamed"}, traveler)
    assert [e["code"] for e in body["data"]["updateReport"]["userErrors"]] == [
        "ACTION_OUTCOME_UNKNOWN"
    ]
    _, body = await gw.gql(
        APPROVE, {"i": {"reportId": pending, "expectedStatus": "A_PEND"}}, manager
    )
    assert [e["code"] for e in body["data"]["approveReport"]["userErrors"]] == [
        "ACTION_OUTCOME_UNKNOWN"
    ]
    await sandbox.reset_stats()
    await read(gw, traveler, draft)
    await read(gw, traveler, pending)
    assert (await gw.upstream_calls()).get(V4_REPORT) == 2
