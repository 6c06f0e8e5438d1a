"""GraphiQL's "Reset demo data": the embedded sandbox re-seeded, the gateway's cache forgotten."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from gateway.app import create_app
from gateway.graphiql.session import RESET_PATH, SESSION_PATH
from tests.support.gateway import GatewayHarness, gateway_settings

PAGE = {"X-Requested-With": "graphiql"}
STATUS = "query Status($id: ID!) { report(id: $id) { approvalStatus { code } } }"
APPROVE = """
mutation Approve($id: ID!) {
  approveReport(input: {reportId: $id, expectedStatus: "A_PEND"}) {
    report { approvalStatus { code } } userErrors { code }
  }
}
"""


@pytest.fixture
async def embedded() -> AsyncIterator[GatewayHarness]:
    """The gateway on its embedded sandbox (no upstream configured), as ``serve`` runs it."""
    app = create_app(gateway_settings(""))
    async with (
        TestServer(app) as server,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        yield GatewayHarness(server=server, session=session, sandbox=None)  # type: ignore[arg-type]


async def _session(gateway: GatewayHarness) -> tuple[dict[str, str], dict[str, str], str]:
    async with gateway.session.get(gateway.server.make_url(SESSION_PATH)) as response:
        body = await response.json()
    traveler, manager = (user["headers"] for user in body["users"])
    return traveler, manager, body["variables"]["reportId"]


async def _status(gateway: GatewayHarness, report_id: str, headers: dict[str, str]) -> str:
    status, body = await gateway.gql(STATUS, {"id": report_id}, headers=headers)
    assert status == 200, body
    code: str = body["data"]["report"]["approvalStatus"]["code"]
    return code


async def test_a_reset_brings_the_demo_back_and_no_cached_answer_survives_it(
    embedded: GatewayHarness,
) -> None:
    traveler, manager, report_id = await _session(embedded)
    assert await _status(embedded, report_id, traveler) == "A_PEND"  # now cached
    _, body = await embedded.gql(APPROVE, {"id": report_id}, headers=manager)
    assert body["data"]["approveReport"]["userErrors"] == [], body
    moved = await _status(embedded, report_id, traveler)
    assert moved != "A_PEND"  # cached again, at the new status

    async with embedded.session.post(
        embedded.server.make_url(RESET_PATH), headers=PAGE
    ) as response:
        assert response.status == 200
        assert (await response.json())["reset"] is True

    assert await _status(embedded, report_id, traveler) == "A_PEND"
    _, body = await embedded.gql(APPROVE, {"id": report_id}, headers=manager)
    assert body["data"]["approveReport"]["userErrors"] == [], body


async def test_only_the_page_may_reset(embedded: GatewayHarness) -> None:
    async with embedded.session.post(embedded.server.make_url(RESET_PATH)) as response:
        assert response.status == 403
        assert "GraphiQL" in (await response.json())["error"]


async def test_no_reset_in_front_of_a_configured_upstream(gateway: GatewayHarness) -> None:
    url = gateway.server.make_url(RESET_PATH)
    async with gateway.session.post(url, headers=PAGE) as response:
        assert response.status == 404
