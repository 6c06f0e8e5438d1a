"""GraphQL WebSockets are bounded: in all, per caller, and anonymous ones do not linger."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from gateway.settings import WebSocketSettings
from tests.conftest import SandboxHarness
from tests.gateway.harness import (
    TRAVELER,
    TRAVELER2,
    GatewayHarness,
    gateway_settings,
    running_gateway,
)

PROTOCOL = ("graphql-transport-ws",)
WAIT_S = 10.0


@pytest.fixture(params=[0.5])
async def gw(
    request: pytest.FixtureRequest, sandbox: SandboxHarness
) -> AsyncIterator[GatewayHarness]:
    """Three connections, one per caller, ``init_timeout_s`` from the parameter."""
    websockets = WebSocketSettings(
        max_connections=3, max_per_principal=1, init_timeout_s=request.param
    )
    settings = gateway_settings(sandbox.base_url, websockets=websockets)
    async with running_gateway(sandbox, settings) as running:
        yield running


async def init(ws: aiohttp.ClientWebSocketResponse, token: str | None) -> aiohttp.WSMessage:
    """Send ``connection_init`` (with the token, if any) and read the answer."""
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    await ws.send_json({"type": "connection_init", "payload": payload})
    return await ws.receive(timeout=WAIT_S)


async def closed_with(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    """Read until the server closes; its close code."""
    while not ws.closed:
        message = await ws.receive(timeout=WAIT_S)
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            break
    return ws.close_code


@pytest.mark.parametrize("gw", [60.0], indirect=True)  # the silent third must stay open
async def test_connections_beyond_the_replicas_bound_are_refused(gw: GatewayHarness) -> None:
    tokens = [await gw.sandbox.user_token(login) for login in (TRAVELER, TRAVELER2)]
    async with (
        gw.session.ws_connect(gw.url, protocols=PROTOCOL) as first,
        gw.session.ws_connect(gw.url, protocols=PROTOCOL) as second,
        gw.session.ws_connect(gw.url, protocols=PROTOCOL) as third,
    ):
        for ws, token in zip((first, second), tokens, strict=True):
            assert (await init(ws, token)).json()["type"] == "connection_ack"
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await gw.session.ws_connect(gw.url, protocols=PROTOCOL)
        assert refused.value.status == 503
        del third
    # closed connections give their places back
    async with gw.session.ws_connect(gw.url, protocols=PROTOCOL) as again:
        assert (await init(again, tokens[0])).json()["type"] == "connection_ack"


async def test_one_caller_holds_at_most_its_share(gw: GatewayHarness) -> None:
    token = await gw.sandbox.user_token(TRAVELER)
    async with gw.session.ws_connect(gw.url, protocols=PROTOCOL) as first:
        assert (await init(first, token)).json()["type"] == "connection_ack"
        async with gw.session.ws_connect(
            gw.url, protocols=PROTOCOL, headers={"Authorization": f"Bearer {token}"}
        ) as second:
            await second.send_json({"type": "connection_init", "payload": {}})
            assert await closed_with(second) == 4429
    async with gw.session.ws_connect(gw.url, protocols=PROTOCOL) as later:
        assert (await init(later, token)).json()["type"] == "connection_ack"


async def test_an_anonymous_connection_is_closed_at_the_init_timeout(gw: GatewayHarness) -> None:
    async with gw.session.ws_connect(gw.url, protocols=PROTOCOL) as ws:
        assert (await init(ws, None)).json()["type"] == "connection_ack"
        assert await closed_with(ws) == 4401


async def test_a_silent_connection_is_closed_at_the_init_timeout(gw: GatewayHarness) -> None:
    async with gw.session.ws_connect(gw.url, protocols=PROTOCOL) as ws:
        assert await closed_with(ws) == 4408


async def test_an_authenticated_connection_outlives_the_init_timeout(gw: GatewayHarness) -> None:
    token = await gw.sandbox.user_token(TRAVELER)
    async with gw.session.ws_connect(gw.url, protocols=PROTOCOL, heartbeat=None) as ws:
        assert (await init(ws, token)).json()["type"] == "connection_ack"
        await ws.send_json({"type": "ping"})
        assert (await ws.receive(timeout=WAIT_S)).json()["type"] == "pong"
        anonymous = await gw.session.ws_connect(gw.url, protocols=PROTOCOL)
        await init(anonymous, None)
        assert await closed_with(anonymous) == 4401  # the timeout has passed for both
        await ws.send_json({"type": "ping"})
        assert (await ws.receive(timeout=WAIT_S)).json()["type"] == "pong"
