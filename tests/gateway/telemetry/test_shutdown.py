"""Graceful shutdown: SIGTERM lets in-flight requests finish, within a bound; WebSockets are
closed with "going away" and their subscriptions end."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from gateway.app import create_app
from gateway.events.keys import EVENT_BROKER
from tests.support.gateway import MANAGER, gateway_settings
from tests.support.sandbox import SandboxHarness
from tests.support.telemetry import eventually, sample, scrape, traced_gateway

SCRIPT = Path(sys.executable).parent / "concur-gateway"
ADMIN = "shutdown-admin"
START_TIMEOUT_S = 30
EXIT_TIMEOUT_S = 20
IN_FLIGHT = 4
TO_APPROVE_PATH = "/reportsToApprove$"
PENDING = "{ reportsToApprove { id } }"


@dataclass
class Served:
    process: asyncio.subprocess.Process
    graphql_url: str
    sandbox_url: str
    token: str
    session: aiohttp.ClientSession

    async def admin(self, method: str, path: str, json: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {ADMIN}"}
        async with self.session.request(
            method, f"{self.sandbox_url}{path}", json=json, headers=headers
        ) as response:
            assert response.status < 300, await response.text()
            return await response.json() if response.content_type == "application/json" else None

    async def query(self) -> tuple[int, Any]:
        async with self.session.post(
            self.graphql_url,
            json={"query": PENDING},
            headers={"Authorization": f"Bearer {self.token}"},
        ) as response:
            return response.status, await response.json()

    async def held(self, count: int) -> None:
        """Until the sandbox holds ``count`` requests in its latency fault (polls the
        condition; the fault's counter is the event)."""
        while True:
            faults = await self.admin("GET", "/_sandbox/faults")
            if sum(fault["applied"] for fault in faults) >= count:
                return
            await asyncio.sleep(0.02)

    async def refuses_connections(self) -> None:
        """Until the gateway's port refuses new connections."""
        host, port = re.match(r"http://([^:/]+):(\d+)", self.graphql_url).groups()  # type: ignore[union-attr]
        while True:
            try:
                _, writer = await asyncio.open_connection(host, int(port))
            except OSError:
                return
            writer.close()
            await writer.wait_closed()
            await asyncio.sleep(0.02)


@asynccontextmanager
async def served(**env: str) -> AsyncIterator[Served]:
    """``concur-gateway serve`` (embedded sandbox) in a subprocess on a free port."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CONCUR_", "OTEL_"))}
    environment |= {
        "CONCUR_GATEWAY_LOG_LEVEL": "WARNING",
        "CONCUR_GATEWAY_SANDBOX__ADMIN_TOKEN": ADMIN,
        "CONCUR_GATEWAY_CACHE__LIST_TTL_S": "0",  # every reportsToApprove reaches Concur
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=environment,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        async with asyncio.timeout(START_TIMEOUT_S):
            while not lines or not lines[-1].startswith("curl "):
                line = (await process.stdout.readline()).decode()
                assert line, f"serve exited early: {lines}"
                lines.append(line.rstrip("\n"))
        text = "\n".join(lines)
        graphql = re.search(r"GraphiQL: (http://\S+)", text)
        sandbox = re.search(r"Sandbox: (http://\S+)", text)
        assert graphql is not None, text
        assert sandbox is not None, text
        token = lines[lines.index(f"Token for {MANAGER}:") + 1]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            yield Served(process, graphql.group(1), sandbox.group(1), token, session)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_sigterm_lets_in_flight_requests_finish() -> None:
    async with served() as gw:
        status, body = await gw.query()  # warm: keys and tokens cached
        assert status == 200, body
        fault = {"method": "GET", "path": TO_APPROVE_PATH, "kind": "latency", "latency_ms": 2000}
        await gw.admin("POST", "/_sandbox/faults", fault)
        requests = [asyncio.create_task(gw.query()) for _ in range(IN_FLIGHT)]
        await gw.held(IN_FLIGHT)
        gw.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(gw.refuses_connections(), EXIT_TIMEOUT_S)
        assert not any(request.done() for request in requests), "answered before shutdown"
        answers = await asyncio.gather(*requests)
        assert [status for status, _ in answers] == [200] * IN_FLIGHT
        assert all("errors" not in body for _, body in answers), answers
        assert await asyncio.wait_for(gw.process.wait(), EXIT_TIMEOUT_S) == 0


async def test_shutdown_does_not_wait_past_its_bound() -> None:
    async with served(CONCUR_GATEWAY_SERVER__SHUTDOWN_TIMEOUT_S="0.2") as gw:
        status, body = await gw.query()
        assert status == 200, body
        fault = {"method": "GET", "path": TO_APPROVE_PATH, "kind": "latency", "latency_ms": 600_000}
        await gw.admin("POST", "/_sandbox/faults", fault)
        request = asyncio.create_task(gw.query())
        await gw.held(1)
        gw.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(gw.process.wait(), EXIT_TIMEOUT_S) == 0
        with suppress(aiohttp.ClientError):
            await request  # cut off: the bound passed long before the upstream would answer


async def test_shutdown_closes_websockets_and_ends_their_subscriptions(
    sandbox: SandboxHarness,
) -> None:
    settings = gateway_settings(sandbox.base_url)
    app = create_app(settings)
    server = TestServer(app)
    await server.start_server()
    try:
        token = await sandbox.user_token(MANAGER)
        async with sandbox.session.ws_connect(
            server.make_url("/graphql"),
            protocols=("graphql-transport-ws",),
            headers={"Authorization": f"Bearer {token}"},
        ) as ws:
            await ws.send_json({"type": "connection_init"})
            assert (await ws.receive_json())["type"] == "connection_ack"
            await ws.send_json(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": "subscription { reportEvents { reportId } }"},
                }
            )
            broker = app[EVENT_BROKER]
            await eventually(lambda: broker.subscriber_count == 1)
            closing = asyncio.create_task(server.close())  # the runner's graceful shutdown
            message = await ws.receive()
            while message.type not in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                message = await ws.receive()
            assert ws.close_code == aiohttp.WSCloseCode.GOING_AWAY
            await closing
        assert broker.subscriber_count == 0
    finally:
        await server.close()


async def test_active_subscriptions_are_metered(sandbox: SandboxHarness) -> None:
    settings = gateway_settings(sandbox.base_url)
    async with traced_gateway(sandbox, settings, None) as gw:
        token = await gw.token(MANAGER)
        async with gw.session.ws_connect(
            gw.server.make_url("/graphql"),
            protocols=("graphql-transport-ws",),
            headers={"Authorization": f"Bearer {token}"},
        ) as ws:
            await ws.send_json({"type": "connection_init"})
            assert (await ws.receive_json())["type"] == "connection_ack"
            query = "subscription { reportEvents { reportId } }"
            await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})

            async def active(count: int) -> bool:
                return sample(await scrape(gw), "gateway_subscriptions_active") == count

            await eventually(lambda: active(1))
            await ws.send_json({"id": "1", "type": "complete"})
            await eventually(lambda: active(0))
