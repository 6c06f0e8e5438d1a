"""The sandbox harness every test talks through, the demo company, and a real redis-server.

Everything is real: the sandbox runs on 127.0.0.1 and Redis is a process of its own; the
fixtures of ``tests/conftest.py`` hand these out."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy

from sandbox import seed
from sandbox.engine import Engine
from sandbox.records import SandboxReport
from sandbox.state import Store

ADMIN_TOKEN = "test-admin"


TEST_VARIABLES = "CONCUR_GATEWAY_TEST_"


"""The suite's own switches (never the application's): ``CONCUR_GATEWAY_TEST_REDIS_URL``,
``CONCUR_GATEWAY_TEST_DATABASE_URL``, ``CONCUR_GATEWAY_TEST_BROWSER=0``."""


TEST_REDIS_VARIABLE = "CONCUR_GATEWAY_TEST_REDIS_URL"


"""The only variable that points the suite at an existing Redis (else it starts its own)."""


@dataclass(frozen=True)
class Demo:
    """The demo company's fixed identifiers (see ``sandbox.seed``)."""

    company_id: str = seed.COMPANY_ID
    company_auth_token: str = seed.COMPANY_AUTH_TOKEN
    client_id: str = seed.CLIENT_ID
    client_secret: str = seed.CLIENT_SECRET
    app_id: str = seed.APP_ID
    password: str = seed.DEMO_PASSWORD
    traveler: str = seed.TRAVELER_ID
    traveler2: str = seed.TRAVELER2_ID
    manager: str = seed.MANAGER_ID
    coapprover: str = seed.COAPPROVER_ID
    processor: str = seed.PROCESSOR_ID
    admin: str = seed.ADMIN_ID
    company_admin: str = seed.COMPANY_ADMIN_ID
    admin_login: str = seed.ADMIN_LOGIN
    company_admin_login: str = seed.COMPANY_ADMIN_LOGIN


DEMO = Demo()


@dataclass(frozen=True)
class Reply:
    """A response read in full: status, headers and raw body."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        """JSON with numbers as Decimal, so amounts are compared exactly."""
        return jsonlib.loads(self.body, parse_float=Decimal)


class SandboxHarness:
    """A running sandbox plus helpers that talk to it over real HTTP."""

    def __init__(
        self,
        *,
        base_url: str,
        store: Store,
        engine: Engine,
        admin_token: str,
        session: aiohttp.ClientSession,
    ) -> None:
        self.base_url = base_url
        self.store = store
        self.engine = engine
        self.admin_token = admin_token
        self.session = session

    async def token_response(self, **form: str) -> tuple[int, dict[str, Any]]:
        """POST the form to the token endpoint; (status, JSON body)."""
        async with self.session.post(f"{self.base_url}/oauth2/v0/token", data=form) as resp:
            return resp.status, await resp.json()

    async def _access_token(self, **form: str) -> str:
        status, body = await self.token_response(
            client_id=DEMO.client_id, client_secret=DEMO.client_secret, **form
        )
        assert status == 200, body
        token = body["access_token"]
        assert isinstance(token, str)
        return token

    async def user_token(self, login: str, password: str = DEMO.password) -> str:
        """A user access token from the password grant."""
        return await self._access_token(grant_type="password", username=login, password=password)

    async def company_token(self) -> str:
        """A company access token (password grant, ``credtype=authtoken``)."""
        return await self._access_token(
            grant_type="password",
            username=DEMO.company_id,
            password=DEMO.company_auth_token,
            credtype="authtoken",
        )

    async def app_token(self) -> str:
        """An app access token (client_credentials)."""
        return await self._access_token(grant_type="client_credentials")

    async def admin(self, method: str, path: str, json: Any = None) -> tuple[int, Any]:
        """Call an admin route (``/_sandbox/...``) with the admin token; (status, JSON or None)."""
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        async with self.session.request(
            method, f"{self.base_url}{path}", json=json, headers=headers
        ) as resp:
            body = await resp.json() if resp.content_type == "application/json" else None
            return resp.status, body

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        scheme: str = "Bearer",
        json: Any = None,
        data: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Any request to the sandbox; ``token`` goes in ``Authorization: <scheme> <token>``."""
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"{scheme} {token}"
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        async with self.session.request(
            method, f"{self.base_url}{path}", json=json, data=data, headers=sent
        ) as resp:
            return Reply(resp.status, resp.headers, await resp.read())

    def report_named(self, name: str) -> SandboxReport:
        """The seeded report with this name (see ``sandbox.seed.PLANS``)."""
        return next(r for r in self.store.reports.values() if r.name == name)

    async def stats(self) -> dict[str, Any]:
        """``GET /_sandbox/stats``: ``{"total": n, "requests": {"GET /route": n}}``."""
        status, body = await self.admin("GET", "/_sandbox/stats")
        assert status == 200, body
        assert isinstance(body, dict)
        return body

    async def reset_stats(self) -> None:
        status, body = await self.admin("DELETE", "/_sandbox/stats")
        assert status == 204, body


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _redis_answers(url: str) -> bool:
    """A blocking PING with a short timeout (sync fixtures only)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        return False
    finally:
        client.close()


def _redis_server_argv(port: int, workdir: str) -> list[str]:
    """A throwaway server: loopback only, nothing written to disk."""
    return [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        workdir,
    ]


class RedisServer:
    """A private ``redis-server`` a test may stop and start again (same port, empty data)."""

    def __init__(self, port: int, workdir: str) -> None:
        self.port = port
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{port}/0"
        self._proc: Any = None
        self._drain: Any = None

    @property
    def running(self) -> bool:
        return self._proc is not None

    async def start(self) -> None:
        """Start the server and return once it accepts connections (its own log says so)."""
        import asyncio

        if self._proc is not None:
            return
        proc = await asyncio.create_subprocess_exec(
            *_redis_server_argv(self.port, self.workdir),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        ready = asyncio.Event()

        async def drain() -> None:  # keeps the pipe from filling; notices readiness
            assert proc.stdout is not None
            async for line in proc.stdout:
                if b"Ready to accept connections" in line:
                    ready.set()

        self._proc = proc
        self._drain = asyncio.create_task(drain())
        waiter = asyncio.create_task(ready.wait())
        exited = asyncio.create_task(proc.wait())
        try:
            await asyncio.wait({waiter, exited}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            exited.cancel()
        if not ready.is_set():
            await self.stop()
            raise RuntimeError(f"redis-server did not start on port {self.port}")

    async def stop(self) -> None:
        """Stop the server (SIGTERM) and wait for it to exit; clients now get refusals."""
        proc, drain = self._proc, self._drain
        self._proc = self._drain = None
        if proc is None:
            return
        if proc.returncode is None:
            proc.terminate()
        await proc.wait()
        await drain


__all__ = [
    "ADMIN_TOKEN",
    "DEMO",
    "TEST_REDIS_VARIABLE",
    "TEST_VARIABLES",
    "Demo",
    "RedisServer",
    "Reply",
    "SandboxHarness",
]
