"""A sandbox (its own process) and a gateway (this process) on 127.0.0.1, for the benchmarks.

The sandbox runs apart so its own CPU work (rendering XML, say) is not billed to the
gateway. Benchmarks print ratios against a baseline measured in the same run (these
machines are noisy); nothing here asserts a time.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from adapters.config import UpstreamSettings
from gateway.app import create_app
from gateway.settings import Settings
from gateway.settings.budget import BudgetSettings
from gateway.settings.cache import CacheSettings
from sandbox import seed

ADMIN = "bench-admin"


@dataclass
class Stack:
    sandbox_url: str
    gateway_url: str
    session: aiohttp.ClientSession
    app: web.Application | None = None
    """The gateway's app, to read its state (cache stats, say)."""

    async def token(self, login: str) -> str:
        form = {
            "grant_type": "password",
            "username": login,
            "password": seed.DEMO_PASSWORD,
            "client_id": seed.CLIENT_ID,
            "client_secret": seed.CLIENT_SECRET,
        }
        async with self.session.post(f"{self.sandbox_url}/oauth2/v0/token", data=form) as r:
            body: dict[str, Any] = await r.json()
            return str(body["access_token"])

    async def admin(self, method: str, path: str, json: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {ADMIN}"}
        async with self.session.request(
            method, f"{self.sandbox_url}{path}", json=json, headers=headers
        ) as r:
            return await r.json() if r.content_type == "application/json" else None

    async def upstream_calls(self) -> dict[str, int]:
        """Calls the sandbox served since the last reset, token endpoints excluded."""
        stats = await self.admin("GET", "/_sandbox/stats")
        return {k: v for k, v in stats["requests"].items() if "/oauth2/" not in k}

    async def gql(self, query: str, token: str, variables: dict[str, Any] | None = None) -> Any:
        payload = {"query": query, "variables": variables or {}}
        headers = {"Authorization": f"Bearer {token}"}
        async with self.session.post(
            f"{self.gateway_url}/graphql", json=payload, headers=headers
        ) as r:
            body = await r.json()
        if body.get("errors"):
            raise RuntimeError(f"query failed: {body['errors']}")
        return body["data"]

    async def timed_gql(self, query: str, token: str) -> float:
        start = time.perf_counter()
        await self.gql(query, token)
        return time.perf_counter() - start


@asynccontextmanager
async def sandbox_server(
    *, scale: int = 0, cores: str | None = None
) -> AsyncIterator[tuple[str, int]]:
    """``python -m sandbox`` on a free port; yields its base URL and pid, stops it with
    SIGTERM. ``cores`` pins it (``taskset -c``), so it does not take the CPU of what is
    measured."""
    pin = ["taskset", "-c", cores] if cores is not None else []
    proc = await asyncio.create_subprocess_exec(
        *pin,
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        "--scale",
        str(scale),
        "--admin-token",
        ADMIN,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        found = re.search(r"http://[0-9.]+:[0-9]+", line.decode())
        if found is None:
            raise RuntimeError(f"the sandbox did not start: {line!r}")
        yield found.group(0), proc.pid
    finally:
        proc.terminate()
        await proc.wait()


@asynccontextmanager
async def sandbox_process(*, scale: int = 0) -> AsyncIterator[str]:
    """``sandbox_server``'s base URL alone."""
    async with sandbox_server(scale=scale) as (url, _):
        yield url


ROOMY_BUDGET = BudgetSettings(calls_per_window=1_000_000_000, caller_share=1.0)
"""Benchmarks measure the gateway, not Concur's rate limit: a budget left at its default
(1,200 calls a minute) would refuse most of a run, so it is made roomy; the budget's own
cost is still paid on every request (``bench/budget.py`` measures it)."""


def uncached(sandbox_url: str) -> Settings:
    """Gateway settings with no caches: every read goes to Concur (upstream-call and
    latency benchmarks measure the fan-out itself, not the caches in front of it)."""
    return Settings(
        upstream=UpstreamSettings(base_url=sandbox_url), cache=CacheSettings(enabled=False)
    )


@asynccontextmanager
async def stack(
    *, scale: int = 0, settings: Callable[[str], Settings] | None = None
) -> AsyncIterator[Stack]:
    """The sandbox (seeded, ``scale`` extra reports) and a gateway pointed at it;
    ``settings(sandbox_url)`` builds the gateway's settings when the defaults will not do."""
    async with sandbox_process(scale=scale) as sandbox_url:
        if settings is None:
            built = Settings(upstream=UpstreamSettings(base_url=sandbox_url))
        else:
            built = settings(sandbox_url)
        if built.budget == BudgetSettings():
            built = built.model_copy(update={"budget": ROOMY_BUDGET})
        app = create_app(built)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with aiohttp.ClientSession() as session:
                yield Stack(sandbox_url, f"http://127.0.0.1:{port}", session, app)
        finally:
            await runner.cleanup()


@dataclass(frozen=True)
class Load:
    """What the load client measured: throughput, failures, latency percentiles."""

    requests: int
    rps: float
    failures: int
    p50_ms: float
    p99_ms: float


async def load(
    url: str,
    body: bytes,
    headers: dict[str, str] | None = None,
    *,
    requests: int = 3000,
    concurrency: int = 16,
) -> Load:
    """POST ``body`` to ``url`` ``requests`` times from ``concurrency`` keep-alive connections.

    The client runs in its own process (this file, ``load`` mode), so its CPU is not billed
    to a server running in this one; the same client measures every server of a run.
    """
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "load",
        url,
        str(requests),
        str(concurrency),
        json.dumps(headers or {}),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate(body)
    result = json.loads(out.decode().strip().splitlines()[-1])
    return Load(**result)


async def _load_client(
    url: str, requests: int, concurrency: int, headers: dict[str, str], body: bytes
) -> Load:
    latencies: list[float] = []
    failures = 0
    remaining = requests
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> None:
            nonlocal failures
            start = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                answer = await response.read()
                if response.status != 200 or b'"errors":' in answer:
                    failures += 1  # a refusal is quick: counted, never measured as an answer
            latencies.append(time.perf_counter() - start)

        for _ in range(min(200, requests)):  # warm up: connections, caches
            await one()
        latencies.clear()
        failures = 0

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await one()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return Load(
        requests=requests,
        rps=requests / elapsed,
        failures=failures,
        p50_ms=1000 * latencies[len(latencies) // 2],
        p99_ms=1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    )


def _load_main(argv: list[str]) -> None:
    url, requests, concurrency, headers = argv[0], int(argv[1]), int(argv[2]), argv[3]
    body = sys.stdin.buffer.read()
    result = asyncio.run(_load_client(url, requests, concurrency, json.loads(headers), body))
    print(json.dumps(result.__dict__))


if __name__ == "__main__" and sys.argv[1:2] == ["load"]:
    _load_main(sys.argv[2:])


__all__ = [
    "ADMIN",
    "Load",
    "Stack",
    "load",
    "sandbox_process",
    "sandbox_server",
    "stack",
    "uncached",
]
