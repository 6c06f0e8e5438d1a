"""Concur's 429 pauses its route for every replica (two ``concur-gateway serve`` processes
on one Redis), and only that route."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.gateway import MANAGER, pick_report
from tests.support.processes import Replica, replica, replica_environment
from tests.support.sandbox import SandboxHarness

HEADER_ROUTE = "/expensereports/v4/users/{userId}/context/{contextType}/reports/{reportId}"
HEADER = """query($id: ID!) { report(id: $id, context: MANAGER) { id name } }"""
ENTRIES = """query($id: ID!) { report(id: $id, context: MANAGER) { id entries { id } } }"""
ENTRY = """query($r: ID!, $e: ID!) { entry(reportId: $r, id: $e) { id vendor } }"""


@pytest.fixture
async def two_replicas(
    sandbox: SandboxHarness, redis_url: str, redis_prefix: str
) -> AsyncIterator[tuple[Replica, Replica]]:
    env = {
        **replica_environment(sandbox, redis_url, redis_prefix),
        "CONCUR_GATEWAY_CACHE__ENABLED": "false",  # every read asks Concur
        "CONCUR_GATEWAY_UPSTREAM__READ_RETRIES": "0",  # the 429 comes straight back
    }
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
        replica("a", env, session) as a,
        replica("b", env, session) as b,
    ):
        yield a, b


async def header_calls(sandbox: SandboxHarness) -> list[dict[str, Any]]:
    status, log = await sandbox.admin("GET", "/_sandbox/requests")
    assert status == 200, log
    return [r for r in log if r["route"] == HEADER_ROUTE]


async def paused_seconds(target: Replica) -> float:
    """The largest ``gateway_upstream_paused_seconds`` on the replica's ``/metrics``."""
    async with target.session.get(f"{target.origin}/metrics") as response:
        assert response.status == 200
        text = await response.text()
    return max(
        (
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "gateway_upstream_paused_seconds"
        ),
        default=0.0,
    )


def code_of(body: dict[str, Any]) -> str | None:
    return body["errors"][0]["extensions"]["code"] if "errors" in body else None


async def test_a_429_pauses_its_route_on_every_replica(
    sandbox: SandboxHarness, two_replicas: tuple[Replica, Replica]
) -> None:
    a, b = two_replicas
    token = await sandbox.user_token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND")
    listed = await b.gql(ENTRIES, {"id": report_id}, token)
    entry_id = listed["data"]["report"]["entries"][0]["id"]
    assert code_of(await a.gql(HEADER, {"id": report_id}, token)) is None
    await sandbox.reset_stats()
    status, body = await sandbox.admin(
        "POST",
        "/_sandbox/faults",
        json={
            "method": "GET",
            "path": r"/expensereports/v4/users/[^/]+/context/[^/]+/reports/[^/]+$",
            "kind": "rate_limit",
            "retry_after": 2,
            "times": 1,
        },
    )
    assert status in (200, 201), body

    throttled = await a.gql(HEADER, {"id": report_id}, token)  # Concur's own 429
    assert code_of(throttled) == "RATE_LIMITED"
    paused = await b.gql(HEADER, {"id": report_id}, token)  # the other replica: not sent
    assert code_of(paused) == "RATE_LIMITED"
    retry_after = paused["errors"][0]["extensions"]["retryAfter"]
    assert 0 < retry_after <= 2
    assert paused["extensions"]["cost"]["actual"] == 0
    other_route = await b.gql(ENTRY, {"r": report_id, "e": entry_id}, token)
    assert code_of(other_route) is None, other_route
    assert [r["status"] for r in await header_calls(sandbox)] == [429]
    assert await paused_seconds(b) > 0  # the pause as replica B's metrics show it

    await asyncio.sleep(retry_after)  # the pause's own expiry, as the replica reported it
    served = await b.gql(HEADER, {"id": report_id}, token)
    assert code_of(served) is None, served
    assert [r["status"] for r in await header_calls(sandbox)] == [429, 200]
