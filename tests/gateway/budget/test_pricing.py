"""Queries are priced before they run: the price is never below what they really cost.

Every count here is the sandbox's own (requests it served), compared with the estimate the
gateway put in ``extensions.cost`` for the same request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.gateway import (
    MANAGER,
    TRAVELER,
    GatewayHarness,
    gateway_settings,
    running_gateway,
)
from tests.support.sandbox import SandboxHarness

REPORT = """query($id: ID!) { report(id: $id, context: MANAGER) {
  id name total { value currencyCode } approvalStatus { code name }
  entries { id expenseType { key name } postedAmount { value currencyCode } vendor }
  costObjects { name approvedAmount { value } expenses { id } }
  workflow { approvalStatus { code } hasActionUrl }
} }"""
SAME_REPORT_TWICE = """query($id: ID!) {
  a: report(id: $id, context: MANAGER) { id name entries { id } }
  b: report(id: $id, context: MANAGER) { id total { value } entries { vendor } }
}"""
TO_APPROVE = """{ reportsToApprove {
  id name total { value currencyCode }
  entries { id expenseType { key } postedAmount { value } }
} }"""
RECENT = """{ reports(view: RECENT) { id name approvalStatus { code } entries { id } } }"""
HEADER = """query($id: ID!) { report(id: $id, context: MANAGER) { id name } }"""
ENTRY = """query($r: ID!, $e: ID!) { entry(reportId: $r, id: $e) { id vendor } }"""


async def priced(
    gateway: GatewayHarness, query: str, token: str, variables: dict[str, Any] | None = None
) -> tuple[dict[str, int], int, Any]:
    """The answer's ``extensions.cost`` and the calls the sandbox served for it."""
    await gateway.sandbox.reset_stats()
    status, body = await gateway.gql(query, variables, token)
    assert status == 200, body
    served = sum((await gateway.upstream_calls()).values())
    return body["extensions"]["cost"], served, body


@pytest.fixture
async def uncached(sandbox: SandboxHarness) -> AsyncIterator[GatewayHarness]:
    """Every read reaches the sandbox: the estimate meets the real fan-out."""
    settings = gateway_settings(sandbox.base_url, cache={"enabled": False})
    async with running_gateway(sandbox, settings) as running:
        yield running


async def test_every_bench_shape_is_priced_at_or_above_its_calls(
    uncached: GatewayHarness, sandbox: SandboxHarness
) -> None:
    manager = await uncached.token(MANAGER)
    traveler = await uncached.token(TRAVELER)
    status, listing = await uncached.gql(
        "{ reportsToApprove { id entries { id } } }", None, manager
    )
    assert status == 200, listing
    assert "errors" not in listing, listing
    pending = listing["data"]["reportsToApprove"][0]
    first_entry = pending["entries"][0]["id"]
    shapes: list[tuple[str, str, dict[str, Any] | None]] = [
        (REPORT, manager, {"id": pending["id"]}),
        (REPORT, manager, {"id": pending["id"]}),
        (SAME_REPORT_TWICE, manager, {"id": pending["id"]}),
        (TO_APPROVE, manager, None),
        (RECENT, traveler, None),
        (ENTRY, manager, {"r": pending["id"], "e": first_entry}),
    ]
    for query, token, variables in shapes:
        cost, served, body = await priced(uncached, query, token, variables)
        assert "errors" not in body, body
        assert cost["actual"] == served, (query, cost, served)
        assert cost["estimated"] >= served > 0, (query, cost, served)


async def test_a_first_read_is_priced_with_its_key_look_ups(
    uncached: GatewayHarness, sandbox: SandboxHarness
) -> None:
    """Header 1 + details (1 + TOAPPROVE, ACTIVE, PAID) + cost objects 1."""
    manager = await uncached.token(MANAGER)
    report_id = next(iter(sandbox.store.reports))
    cost, _, _ = await priced(uncached, REPORT, manager, {"id": report_id})
    assert cost["estimated"] == 1 + 4 + 1


async def test_the_cache_saving_calls_is_counted(gateway: GatewayHarness) -> None:
    manager = await gateway.token(MANAGER)
    _, listing = await gateway.gql("{ reportsToApprove { id } }", None, manager)
    report_id = listing["data"]["reportsToApprove"][0]["id"]
    first, _, _ = await priced(gateway, REPORT, manager, {"id": report_id})
    again, served, _ = await priced(gateway, REPORT, manager, {"id": report_id})
    assert first["actual"] > 0
    assert served == again["actual"] == 0  # the whole answer is reused
    assert again["cached"] == first["actual"] + first["cached"]
    assert again["estimated"] == first["estimated"]
    other, served, _ = await priced(gateway, HEADER, manager, {"id": report_id})
    assert other["cached"] > 0  # another document: the header comes from the read cache
    assert other["actual"] == served


async def test_an_answer_without_upstream_calls_still_carries_its_cost(
    gateway: GatewayHarness,
) -> None:
    status, body = await gateway.gql("{ me { id } }")
    assert status == 200
    assert body["extensions"]["cost"] == {"estimated": 0, "actual": 0, "cached": 0}
    status, body = await gateway.gql("{ nope }")
    assert body["extensions"]["cost"]["actual"] == 0


async def test_an_over_ceiling_query_is_refused_before_any_call(sandbox: SandboxHarness) -> None:
    settings = gateway_settings(sandbox.base_url, budget={"max_cost": 20, "list_size": 10})
    async with running_gateway(sandbox, settings) as gateway:
        manager = await gateway.token(MANAGER)
        cost, served, body = await priced(gateway, TO_APPROVE, manager)
        assert served == 0
        assert cost["actual"] == 0
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "QUERY_TOO_EXPENSIVE"
        assert str(cost["estimated"]) in error["message"]
        assert "20" in error["message"]


async def test_a_dry_run_prices_and_runs_nothing_else(gateway: GatewayHarness) -> None:
    manager = await gateway.token(MANAGER)
    query = """query($dry: Boolean!) {
      rateLimit(dryRun: $dry) { cost limit remaining resetAt }
      reportsToApprove { id entries { id } }
    }"""
    cost, served, body = await priced(gateway, query, manager, {"dry": True})
    assert served == 0
    assert set(body["data"]) == {"rateLimit"}
    rate = body["data"]["rateLimit"]
    assert rate["cost"] == cost["estimated"] > 0
    assert rate["limit"] > 0
    assert 0 < rate["remaining"] <= rate["limit"]
    wet, served, body = await priced(gateway, query, manager, {"dry": False})
    assert served > 0
    assert body["data"]["rateLimit"]["remaining"] <= rate["remaining"] - wet["estimated"]
