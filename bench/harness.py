"""A sandbox (its own process) and a gateway (this process) on 127.0.0.1, for the benchmarks.

The sandbox runs apart so its own CPU work (rendering XML, say) is not billed to the
gateway. Benchmarks print ratios against a baseline measured in the same run (these
machines are noisy); nothing here asserts a time.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from adapters.config import UpstreamSettings
from gateway.app import create_app
from gateway.settings import Settings
from sandbox import seed

ADMIN = "bench-admin"


@dataclass
class Stack:
    sandbox_url: str
    gateway_url: str
    session: aiohttp.ClientSession

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
async def sandbox_process(*, scale: int = 0) -> AsyncIterator[str]:
    """``python -m sandbox`` on a free port; yields its base URL, stops it with SIGTERM."""
    proc = await asyncio.create_subprocess_exec(
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
        yield found.group(0)
    finally:
        proc.terminate()
        await proc.wait()


@asynccontextmanager
async def stack(*, scale: int = 0) -> AsyncIterator[Stack]:
    """The sandbox (seeded, ``scale`` extra reports) and a gateway pointed at it."""
    async with sandbox_process(scale=scale) as sandbox_url:
        settings = Settings(upstream=UpstreamSettings(base_url=sandbox_url))
        runner = web.AppRunner(create_app(settings), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with aiohttp.ClientSession() as session:
                yield Stack(sandbox_url, f"http://127.0.0.1:{port}", session)
        finally:
            await runner.cleanup()


__all__ = ["ADMIN", "Stack", "stack"]
