"""Response reuse beside the view: persisted queries are checked before any kept answer is
served, and an answer served whole is named by its operation like an executed one."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import SandboxHarness
from tests.gateway.cache.conftest import backend_of, cached_settings
from tests.gateway.harness import TRAVELER, GatewayHarness, errors_of, pick_report, running_gateway
from tests.gateway.telemetry.conftest import sample, scrape

HEADER = "query ReportHeader($id: ID!) { report(id: $id) { id name } }"
OPERATIONS = "gateway_graphql_request_duration_seconds_count"


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


@pytest.fixture
async def gw(sandbox: SandboxHarness) -> AsyncIterator[GatewayHarness]:
    async with running_gateway(sandbox, cached_settings(sandbox, response_ttl_s=60)) as running:
        yield running


async def warm(gw: GatewayHarness, token: str, variables: dict[str, Any]) -> None:
    """Run HEADER twice: the second answer comes whole from the response cache."""
    hits = backend_of(gw).stats.response_hits
    for _ in range(2):
        status, body = await gw.post({"query": HEADER, "variables": variables}, token=token)
        assert status == 200, body
        assert "errors" not in body, body
    assert backend_of(gw).stats.response_hits == hits + 1


async def test_a_wrong_hash_is_refused_even_with_the_answer_kept(
    gw: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gw.token(TRAVELER)
    variables = {"id": pick_report(sandbox, "A_PEND")}
    await warm(gw, token, variables)
    lying = {"persistedQuery": {"version": 1, "sha256Hash": sha256("{ me { id } }")}}
    status, body = await gw.post(
        {"query": HEADER, "variables": variables, "extensions": lying}, token=token
    )
    assert status == 400
    assert errors_of(body) == ["BAD_USER_INPUT"]


async def test_an_unregistered_hash_is_not_found_even_with_the_answer_kept(
    gw: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gw.token(TRAVELER)
    variables = {"id": pick_report(sandbox, "A_PEND")}
    await warm(gw, token, variables)  # kept under the document's hash, never registered
    hits = backend_of(gw).stats.response_hits
    only_hash = {"persistedQuery": {"version": 1, "sha256Hash": sha256(HEADER)}}
    status, body = await gw.post({"variables": variables, "extensions": only_hash}, token=token)
    assert status == 200
    assert errors_of(body) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert backend_of(gw).stats.response_hits == hits

    registering = {"query": HEADER, "variables": variables, "extensions": only_hash}
    status, body = await gw.post(registering, token=token)
    assert status == 200, body
    assert "errors" not in body, body
    status, body = await gw.post({"variables": variables, "extensions": only_hash}, token=token)
    assert status == 200, body
    assert "errors" not in body, body
    assert backend_of(gw).stats.response_hits == hits + 2


async def test_a_hit_is_named_by_the_documents_operation(
    gw: GatewayHarness, sandbox: SandboxHarness, caplog: pytest.LogCaptureFixture
) -> None:
    token = await gw.token(TRAVELER)
    variables = {"id": pick_report(sandbox, "A_PEND")}
    before = await scrape(gw)
    with caplog.at_level(logging.INFO, logger="gateway.telemetry.middleware"):
        await warm(gw, token, variables)  # no operationName: the document names it
    after = await scrape(gw)

    def moved(**labels: str) -> float:
        return sample(after, OPERATIONS, **labels) - sample(before, OPERATIONS, **labels)

    assert moved(operation="ReportHeader", type="query", outcome="ok") == 2
    assert moved(operation="anonymous") == 0
    logged = [
        getattr(record, "graphql_operation", None)
        for record in caplog.records
        if record.name == "gateway.telemetry.middleware" and "/graphql" in record.getMessage()
    ]
    assert logged == ["ReportHeader", "ReportHeader"]


async def test_a_mutation_is_never_answered_from_the_cache(gw: GatewayHarness) -> None:
    token = await gw.token(TRAVELER)
    create = 'mutation { createReport(input: {name: "Again"}) { report { id } } }'
    ids = set()
    for _ in range(2):
        status, body = await gw.gql(create, token=token)
        assert status == 200, body
        assert "errors" not in body, body
        ids.add(body["data"]["createReport"]["report"]["id"])
    assert len(ids) == 2
