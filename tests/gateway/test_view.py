"""The HTTP surface: auth, correlation ids, GET, GraphiQL, subscriptions protocols, health."""

from __future__ import annotations

import json
import uuid

import aiohttp
import pytest

from sandbox import seed
from tests.support.gateway import (
    MANAGER,
    TRAVELER,
    GatewayHarness,
    errors_of,
    gateway_settings,
    running_gateway,
)
from tests.support.sandbox import SandboxHarness


@pytest.mark.parametrize(
    "authorization", ["Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer", "OAuth abc"]
)
async def test_a_bad_token_is_unauthenticated_before_anything_runs(
    gateway: GatewayHarness, authorization: str
) -> None:
    await gateway.token(TRAVELER)
    status, body = await gateway.gql(
        "{ me { id } }", headers={"Authorization": authorization, "concur-correlationid": "c-9"}
    )
    assert status == 401
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "correlationId": "c-9"}
    secret = authorization.partition(" ")[2]
    if secret:
        assert secret not in json.dumps(body)
    assert await gateway.upstream_calls() == {}


async def test_a_tampered_token_is_unauthenticated(gateway: GatewayHarness) -> None:
    traveler = await gateway.token(TRAVELER)
    manager = await gateway.token(MANAGER)
    forged = traveler.rsplit(".", 1)[0] + "." + manager.rsplit(".", 1)[1]
    status, body = await gateway.gql("{ me { id } }", token=forged)
    assert status == 401
    assert errors_of(body) == ["UNAUTHENTICATED"]


async def test_correlation_ids_are_echoed_and_sent_upstream(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gateway.token(TRAVELER)
    async with gateway.session.post(
        gateway.url,
        json={"query": "{ reports(view: PENDING) { id } }"},
        headers={"Authorization": f"Bearer {token}", "concur-correlationid": "trace-42"},
    ) as response:
        assert response.status == 200
        assert response.headers["concur-correlationid"] == "trace-42"
    status, recent = await sandbox.admin("GET", "/_sandbox/requests")
    assert status == 200
    assert recent
    assert {r["correlation_id"] for r in recent} == {"trace-42"}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-correlation-id": "alt-1"}, "alt-1"),
        ({"concur-correlationid": "bad id\twith spaces"}, None),
        ({}, None),
    ],
)
async def test_correlation_id_sources(
    gateway: GatewayHarness, headers: dict[str, str], expected: str | None
) -> None:
    async with gateway.session.post(
        gateway.url, json={"query": "{ __typename }"}, headers=headers
    ) as response:
        echoed = response.headers["concur-correlationid"]
    if expected is None:
        uuid.UUID(echoed)  # a fresh one
    else:
        assert echoed == expected


async def test_queries_over_get(gateway: GatewayHarness) -> None:
    token = await gateway.token(TRAVELER)
    async with gateway.session.get(
        gateway.url,
        params={"query": "{ me { id } }"},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    ) as response:
        assert response.status == 200
        assert await response.json() == {
            "data": {"me": {"id": seed.TRAVELER_ID}},
            "extensions": {"cost": {"estimated": 0, "actual": 0, "cached": 0}},
        }


async def test_mutations_over_get_are_refused(gateway: GatewayHarness) -> None:
    token = await gateway.token(TRAVELER)
    query = 'mutation { submitReport(input: {reportId: "R", expectedStatus: "A_NOTF"}) { userErrors { code } } }'  # noqa: E501
    async with gateway.session.get(
        gateway.url,
        params={"query": query},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    ) as response:
        assert response.status in (400, 405)
    assert await gateway.upstream_calls() == {}


@pytest.mark.parametrize("enabled", [True, False])
async def test_graphiql_follows_the_setting(sandbox: SandboxHarness, enabled: bool) -> None:
    settings = gateway_settings(sandbox.base_url, server={"graphiql": enabled})
    async with (
        running_gateway(sandbox, settings) as gateway,
        gateway.session.get(gateway.url, headers={"Accept": "text/html"}) as response,
    ):
        if enabled:
            assert response.status == 200
            assert "graphiql" in (await response.text()).lower()
        else:
            assert response.status == 404


async def test_batched_requests_are_refused(gateway: GatewayHarness) -> None:
    status, _ = await gateway.post([{"query": "{ __typename }"}, {"query": "{ __typename }"}])
    assert status == 400


async def test_only_the_graphql_transport_ws_protocol_is_spoken(gateway: GatewayHarness) -> None:
    async with gateway.session.ws_connect(gateway.url, protocols=("graphql-ws",)) as ws:
        message = await ws.receive()
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert ws.close_code == 4406
    async with gateway.session.ws_connect(gateway.url, protocols=("graphql-transport-ws",)) as ws:
        assert ws.protocol == "graphql-transport-ws"
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json())["type"] == "connection_ack"


async def test_health(gateway: GatewayHarness) -> None:
    async with gateway.session.get(gateway.server.make_url("/healthz")) as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok"}


async def test_a_bad_token_refuses_the_websocket_upgrade(gateway: GatewayHarness) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
        await gateway.session.ws_connect(
            gateway.url,
            protocols=("graphql-transport-ws",),
            headers={"Authorization": "Bearer forged"},
        )
    assert caught.value.status == 401
