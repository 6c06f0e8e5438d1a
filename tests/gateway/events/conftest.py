"""Fixtures and helpers for the ESS receiver, broker and subscription tests.

Everything is real: the sandbox signs and delivers events over HTTP to the gateway's
webhook, gateways run on ``TestServer``s, Redis is a real server, subscriptions go over a
real WebSocket. Tests wait with the sandbox's ``drain``, on queue reads with a bounded
timeout, or on the broker's subscriber count — never on a timer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from gateway.cache.settings import CacheSettings
from gateway.events.keys import EVENT_BROKER
from gateway.events.settings import EssSettings
from gateway.settings import SETTINGS as SETTINGS_KEY
from gateway.settings import Settings
from sandbox.config import SandboxConfig
from sandbox.embedded import running_sandbox
from tests.conftest import ADMIN_TOKEN, SandboxHarness
from tests.gateway.harness import GatewayHarness, gateway_settings, running_gateway

WAIT_S = 10.0
KEY_PATH = "/_sandbox/ess/public-key.pem"
ESS_ADMIN = "/_sandbox/ess"
SUBSCRIPTIONS = "/events/v4/subscriptions"

# Retries 10/20/40 ms apart, four attempts: a refused delivery is given up in well under a
# second, so ``drain`` returns quickly even when the gateway answers 401 or 503.
FAST_ESS = SandboxConfig(
    admin_token=ADMIN_TOKEN,
    ess_retry_initial_s=0.01,
    ess_retry_max_s=0.04,
    ess_max_attempts=4,
    ess_timeout_s=5.0,
)


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxHarness]:
    """The shared sandbox fixture with ESS retries short enough for tests."""
    async with (
        running_sandbox(FAST_ESS.model_copy()) as running,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        yield SandboxHarness(
            base_url=running.base_url,
            store=running.store,
            engine=running.engine,
            admin_token=ADMIN_TOKEN,
            session=session,
        )


def ess_gateway_settings(
    sandbox: SandboxHarness,
    *,
    redis_url: str | None = None,
    prefix: str | None = None,
    **ess: Any,
) -> Settings:
    """A gateway on the sandbox that trusts the sandbox's published ESS key (by URL, so a
    rotation is picked up on the first unknown signature), in process or on Redis."""
    ess.setdefault("public_keys", [sandbox.base_url + KEY_PATH])
    ess.setdefault("key_refetch_min_s", 0.0)
    groups: dict[str, Any] = {"ess": EssSettings(**ess)}
    if redis_url is not None:
        groups["redis_url"] = SecretStr(redis_url)
        groups["cache"] = CacheSettings(
            prefix=prefix or "concur-gateway-test:",
            redis_retry_s=0.05,
            redis_retry_max_s=0.2,
        )
    return gateway_settings(sandbox.base_url, **groups)


class EssControl:
    """The sandbox's ESS as the tests drive it: subscriptions (app token) and admin."""

    def __init__(self, sandbox: SandboxHarness) -> None:
        self.sandbox = sandbox

    async def subscribe(self, gateway: GatewayHarness, sub_id: str = "gateway") -> str:
        """Subscribe the gateway's webhook to every event type; the endpoint."""
        path = gateway.server.app[SETTINGS_KEY].ess.path
        endpoint = str(gateway.server.make_url(path))
        token = await self.sandbox.app_token()
        reply = await self.sandbox.call(
            "PUT",
            f"{SUBSCRIPTIONS}/webhook",
            token=token,
            json={
                "id": sub_id,
                "filter": ".*",
                "topic": "public.concur.expense.report",
                "webHookConfig": {"endpoint": endpoint},
            },
        )
        assert reply.status == 200, reply.text
        return endpoint

    async def admin(self, method: str, path: str, json: Any = None) -> Any:
        status, body = await self.sandbox.admin(method, f"{ESS_ADMIN}{path}", json=json)
        assert 200 <= status < 300, (status, body)
        return body

    async def drain(self) -> None:
        """Until nothing is queued or in flight (held deliveries excepted)."""
        body = await self.admin("POST", "/drain", {"timeout_ms": int(WAIT_S * 1000)})
        assert body["drained"], body

    async def inject(self, **injection: Any) -> None:
        await self.admin("POST", "/inject", injection)

    async def normal(self) -> None:
        await self.admin("DELETE", "/inject")

    async def flush(self) -> int:
        released: int = (await self.admin("POST", "/flush"))["released"]
        return released

    async def redeliver(self, event_id: str) -> None:
        await self.admin("POST", "/redeliver", {"eventId": event_id})

    async def emit(self, event_type: str, report_id: str) -> dict[str, Any]:
        envelope: dict[str, Any] = await self.admin(
            "POST", "/emit", {"eventType": event_type, "reportId": report_id}
        )
        return envelope

    async def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        query = f"?eventType={event_type}" if event_type else ""
        found: list[dict[str, Any]] = await self.admin("GET", f"/events{query}")
        return found

    async def log(self, event_id: str | None = None) -> list[dict[str, Any]]:
        query = f"?eventId={event_id}" if event_id else ""
        found: list[dict[str, Any]] = await self.admin("GET", f"/log{query}")
        return found

    async def rotate_key(self) -> None:
        await self.admin("POST", "/rotate-key")


@pytest.fixture
def ess(sandbox: SandboxHarness) -> EssControl:
    return EssControl(sandbox)


@asynccontextmanager
async def subscribed_gateway(
    sandbox: SandboxHarness, ess: EssControl, settings: Settings, sub_id: str = "gateway"
) -> AsyncIterator[GatewayHarness]:
    """A running gateway whose webhook the sandbox delivers to."""
    async with running_gateway(sandbox, settings) as gateway:
        await ess.subscribe(gateway, sub_id)
        yield gateway


@pytest.fixture
async def gateway(sandbox: SandboxHarness, ess: EssControl) -> AsyncIterator[GatewayHarness]:
    """An in-process gateway subscribed to the sandbox's ESS."""
    async with subscribed_gateway(sandbox, ess, ess_gateway_settings(sandbox)) as running:
        yield running


async def post_delivery(
    gateway: GatewayHarness, body: bytes, headers: Mapping[str, str] | None = None
) -> tuple[int, Any]:
    """POST a delivery to the gateway's webhook as ESS would (raw body, given headers)."""
    path = gateway.server.app[SETTINGS_KEY].ess.path
    sent = {"Content-Type": "application/json", **(headers or {})}
    async with gateway.session.post(gateway.server.make_url(path), data=body, headers=sent) as r:
        payload = await r.json() if r.content_type == "application/json" else await r.text()
        return r.status, payload


class GraphQLWs:
    """A graphql-transport-ws client over a real WebSocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def subscribe(
        self, op_id: str, query: str, variables: Mapping[str, Any] | None = None
    ) -> None:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = dict(variables)
        await self.ws.send_json({"id": op_id, "type": "subscribe", "payload": payload})

    async def receive(self, wait_s: float = WAIT_S) -> dict[str, Any]:
        """The next protocol message (pings answered), within ``wait_s``."""
        while True:
            message = await self.ws.receive(timeout=wait_s)
            if message.type is not aiohttp.WSMsgType.TEXT:
                return {"type": "closed", "code": self.ws.close_code}
            parsed: dict[str, Any] = message.json()
            if parsed.get("type") == "ping":
                await self.ws.send_json({"type": "pong"})
                continue
            return parsed

    async def next_event(self, op_id: str, wait_s: float = WAIT_S) -> dict[str, Any]:
        """The data of the next ``next`` message of ``op_id`` (no errors allowed)."""
        message = await self.receive(wait_s)
        assert message.get("type") == "next", message
        assert message.get("id") == op_id, message
        assert "errors" not in message["payload"], message
        data: dict[str, Any] = message["payload"]["data"]["reportEvents"]
        return data


@asynccontextmanager
async def graphql_ws(
    gateway: GatewayHarness, token: str | None, *, in_init: bool = True
) -> AsyncIterator[GraphQLWs]:
    """A connected, acknowledged graphql-transport-ws client; the token goes in the
    ``connection_init`` payload (or the upgrade request's header)."""
    headers = {} if in_init or token is None else {"Authorization": f"Bearer {token}"}
    async with gateway.session.ws_connect(
        gateway.url, protocols=("graphql-transport-ws",), headers=headers
    ) as ws:
        client = GraphQLWs(ws)
        payload = {"Authorization": f"Bearer {token}"} if in_init and token else {}
        await ws.send_json({"type": "connection_init", "payload": payload})
        ack = await client.receive()
        assert ack["type"] == "connection_ack", ack
        yield client


async def wait_for_subscribers(gateway: GatewayHarness, count: int) -> None:
    broker = gateway.server.app[EVENT_BROKER]
    await asyncio.wait_for(broker.wait_for_subscribers(count), WAIT_S)


class Capture:
    """A second webhook that only records what the sandbox sends it: genuine signed
    deliveries a test can replay or tamper with."""

    def __init__(self) -> None:
        self.deliveries: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()

    async def handle(self, request: web.Request) -> web.Response:
        self.deliveries.put_nowait((await request.read(), dict(request.headers)))
        return web.Response(status=200)

    async def next(self) -> tuple[bytes, dict[str, str]]:
        return await asyncio.wait_for(self.deliveries.get(), WAIT_S)


@pytest.fixture
async def capture(sandbox: SandboxHarness) -> AsyncIterator[Capture]:
    """A recording webhook subscribed to the sandbox's ESS as ``capture``."""
    recorder = Capture()
    app = web.Application()
    app.router.add_post("/hook", recorder.handle)
    async with TestServer(app) as server:
        token = await sandbox.app_token()
        reply = await sandbox.call(
            "PUT",
            f"{SUBSCRIPTIONS}/webhook",
            token=token,
            json={
                "id": "capture",
                "filter": ".*",
                "topic": "public.concur.expense.report",
                "webHookConfig": {"endpoint": str(server.make_url("/hook"))},
            },
        )
        assert reply.status == 200, reply.text
        yield recorder
