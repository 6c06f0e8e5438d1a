"""No N+1: lists cost one list call plus a fixed number of calls per report, never per entry;
identical reads within a request happen once. Everyone here is a plain caller: details come
from v1.1 full details by the key a ReportsList named (looked up once per caller, shared by
every concurrent read), never from the administrators' v2.0."""

from __future__ import annotations

from collections.abc import Mapping

from tests.conftest import SandboxHarness
from tests.gateway.harness import MANAGER, TRAVELER, GatewayHarness, pick_report

KINDS = (
    ("reportstoapprove", "list"),
    ("/v1.1/{_list}/", "list"),
    ("reportslist", "list"),
    ("/v1.1/{_details}/", "details"),
    ("reportfulldetails", "details"),
    ("/v2.0/report/", "admin_details"),
)
"""Route fragments and the kind of call they are (the first match wins)."""


def kind_of(route: str) -> str | None:
    lowered = route.lower()
    if "/oauth2/" in lowered:
        return None
    kind = next((kind for fragment, kind in KINDS if fragment in lowered), None)
    if kind is not None:
        return kind
    if lowered.endswith("/costobjectsforapprover"):
        return "cost_objects"
    if lowered.startswith("get ") and lowered.endswith("/reports/{reportid}"):
        return "header"
    return "other"


def classify(counts: Mapping[str, int]) -> dict[str, int]:
    """Calls per kind; anything unexpected (an entry call, say) is counted as "other"."""
    kinds = {"list": 0, "header": 0, "details": 0, "cost_objects": 0, "other": 0}
    kinds["admin_details"] = 0
    for route, n in counts.items():
        kind = kind_of(route)
        if kind is not None:
            kinds[kind] += n
    return kinds


async def test_reports_to_approve_with_entries_is_bounded(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gateway.token(MANAGER)
    status, body = await gateway.gql("{ reportsToApprove { id entries { id } } }", token=token)
    assert status == 200, body
    reports = body["data"]["reportsToApprove"]
    entries = sum(len(r["entries"]) for r in reports)
    assert len(reports) >= 3
    assert entries > len(reports)  # several entries per report, yet...
    kinds = classify(await gateway.upstream_calls())
    assert kinds == {
        "list": 2,  # v4 reportsToApprove, and the v1.1 TOAPPROVE that names the keys, once
        "header": len(reports),
        "details": len(reports),
        "cost_objects": 0,
        "other": 0,
        "admin_details": 0,
    }


async def test_reports_with_entries_and_cost_objects_is_bounded(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gateway.token(TRAVELER)
    status, body = await gateway.gql(
        "{ reports { id entries { id } costObjects { name } workflow { hasActionUrl } "
        "availableActions } }",
        token=token,
    )
    assert status == 200, body
    n = len(body["data"]["reports"])
    assert n >= 5
    kinds = classify(await gateway.upstream_calls())
    assert kinds == {  # the listed view named every key: no look-up
        "list": 1,
        "header": n,
        "details": n,
        "cost_objects": n,
        "other": 0,
        "admin_details": 0,
    }


async def test_the_same_report_asked_twice_is_fetched_once(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    report_id = pick_report(sandbox, "A_PEND")
    token = await gateway.token(TRAVELER)
    status, body = await gateway.gql(
        "query($id: ID!) { a: report(id: $id) { id entries { id } } "
        "b: report(id: $id) { name entries { vendor } workflow { hasActionUrl } } }",
        {"id": report_id},
        token,
    )
    assert status == 200, body
    assert body["data"]["a"]["id"] == report_id
    kinds = classify(await gateway.upstream_calls())
    assert kinds == {  # the key is looked up in TOAPPROVE (empty) then ACTIVE, once
        "list": 2,
        "header": 1,
        "details": 1,
        "cost_objects": 0,
        "other": 0,
        "admin_details": 0,
    }


async def test_a_report_listed_and_asked_for_is_fetched_once(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gateway.token(MANAGER)
    first = pick_report(sandbox, "A_PEND")  # in the manager's queue; nothing read yet
    status, body = await gateway.gql(
        "query($id: ID!) { reportsToApprove { id } report(id: $id, context: MANAGER) { id } }",
        {"id": first},
        token,
    )
    assert status == 200, body
    assert first in [r["id"] for r in body["data"]["reportsToApprove"]]
    kinds = classify(await gateway.upstream_calls())
    assert kinds["header"] == len(body["data"]["reportsToApprove"])


async def test_one_failing_key_does_not_fail_its_batch(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    report_id = pick_report(sandbox, "A_PEND")
    token = await gateway.token(TRAVELER)
    status, body = await gateway.gql(
        "query($id: ID!, $gone: ID!) { a: report(id: $id) { id } b: report(id: $gone) { id } }",
        {"id": report_id, "gone": "0000000000000000DEAD"},
        token,
    )
    assert status == 200
    assert body["data"] == {"a": {"id": report_id}, "b": None}
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["b"], "NOT_FOUND")]
