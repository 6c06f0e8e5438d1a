"""The response cache end to end, in process and on Redis: reuse, scoping, invalidation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.cache import REPORT_QUERY, backend_of, cached_settings, upstream_total
from tests.support.gateway import (
    MANAGER,
    TRAVELER,
    TRAVELER2,
    GatewayHarness,
    errors_of,
    pick_report,
    running_gateway,
)
from tests.support.sandbox import SandboxHarness

APPROVE = """
mutation($i: ApproveReportInput!) {
  approveReport(input: $i) { report { id approvalStatus { code } } userErrors { code } }
}
"""
TO_APPROVE = "{ reportsToApprove { id name } }"
CREATE = """
mutation { createReport(input: {name: "Twice"}) { report { id } userErrors { code } } }
"""


@pytest.fixture(params=["memory", "redis"])
async def gw(
    request: pytest.FixtureRequest, sandbox: SandboxHarness
) -> AsyncIterator[GatewayHarness]:
    """The gateway with its response cache on, in process and on Redis."""
    extra: dict[str, Any] = {"response_ttl_s": 60}
    if request.param == "redis":
        extra["redis_url"] = request.getfixturevalue("redis_url")
        extra["prefix"] = request.getfixturevalue("redis_prefix")
    async with running_gateway(sandbox, cached_settings(sandbox, **extra)) as running:
        yield running


async def read(gw: GatewayHarness, token: str, report_id: str, context: str = "TRAVELER") -> Any:
    status, body = await gw.gql(REPORT_QUERY, {"id": report_id, "context": context}, token)
    assert status == 200, body
    return body


async def test_a_repeated_query_is_answered_without_executing(
    gw: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gw.token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    first = await read(gw, token, report_id)
    assert "errors" not in first, first
    await sandbox.reset_stats()
    stats = backend_of(gw).stats
    hits, reads = stats.response_hits, stats.hits + stats.misses

    again = await read(gw, token, report_id)
    assert again["data"] == first["data"]
    assert again["extensions"]["cost"]["actual"] == 0  # nothing was called
    assert upstream_total(await gw.upstream_calls()) == 0
    assert stats.response_hits == hits + 1
    assert stats.hits + stats.misses == reads  # not even the read cache was asked


async def test_other_variables_are_another_answer(
    gw: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gw.token(TRAVELER)
    one, two = pick_report(sandbox, "A_PEND"), pick_report(sandbox, "A_NOTF")
    first, second = await read(gw, token, one), await read(gw, token, two)
    assert first["data"]["report"]["id"] == one
    assert second["data"]["report"]["id"] == two


async def test_an_answer_never_reaches_another_caller(
    gw: GatewayHarness, sandbox: SandboxHarness
) -> None:
    """Same document, same variables, another principal: Concur must be asked (and refuses)."""
    report_id = pick_report(sandbox, "A_PEND")
    owner_view = await read(gw, await gw.token(TRAVELER), report_id)
    assert owner_view["data"]["report"]["entries"], owner_view
    other_view = await read(gw, await gw.token(TRAVELER2), report_id)
    assert other_view["data"]["report"] is None, other_view
    assert errors_of(other_view), other_view


async def test_an_action_makes_the_next_answer_fresh(
    gw: GatewayHarness, sandbox: SandboxHarness
) -> None:
    report_id = pick_report(sandbox, "A_PEND")
    traveler = await gw.token(TRAVELER)
    before = await read(gw, traveler, report_id)
    assert before["data"]["report"]["approvalStatus"]["code"] == "A_PEND"
    assert (await read(gw, traveler, report_id))["data"] == before["data"]  # kept

    manager = await gw.token(MANAGER)
    status, body = await gw.gql(
        APPROVE, {"i": {"reportId": report_id, "expectedStatus": "A_PEND"}}, manager
    )
    assert status == 200
    assert body["data"]["approveReport"]["userErrors"] == [], body

    after = await read(gw, traveler, report_id)
    assert after["data"]["report"]["approvalStatus"]["code"] != "A_PEND", after


async def test_a_list_is_reused_while_its_generation_stands(
    gw: GatewayHarness, sandbox: SandboxHarness
) -> None:
    """A list's membership has a generation per caller and list, so its answer is kept."""
    token = await gw.token(MANAGER)
    status, first = await gw.gql(TO_APPROVE, token=token)
    assert status == 200, first
    assert first["data"]["reportsToApprove"], first
    await sandbox.reset_stats()
    hits = backend_of(gw).stats.response_hits
    status, again = await gw.gql(TO_APPROVE, token=token)
    assert (status, again["data"]) == (200, first["data"])
    assert again["extensions"]["cost"]["actual"] == 0  # a replay: nothing was called
    assert upstream_total(await gw.upstream_calls()) == 0
    assert backend_of(gw).stats.response_hits == hits + 1


async def test_mutations_are_never_reused(gw: GatewayHarness, sandbox: SandboxHarness) -> None:
    token = await gw.token(TRAVELER)
    created = set()
    for _ in range(2):
        status, body = await gw.gql(CREATE, token=token)
        assert status == 200, body
        created.add(body["data"]["createReport"]["report"]["id"])
    assert len(created) == 2


async def test_answers_with_errors_are_not_kept(
    gw: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gw.token(TRAVELER)
    for _ in range(2):
        body = await read(gw, token, "0000000000000000DEAD")
        assert errors_of(body) == ["NOT_FOUND"], body
    assert backend_of(gw).stats.response_hits == 0
