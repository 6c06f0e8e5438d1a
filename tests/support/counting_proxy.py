"""A real HTTP peer between the gateway and the sandbox that counts requests in flight.

It forwards every request unchanged and remembers the most that were in flight at once
(``peak``): how a test observes a concurrency bound without touching the gateway's code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

HOP_BY_HOP = frozenset({"host", "content-length", "transfer-encoding", "connection"})


class CountingProxy:
    def __init__(self, upstream: str, session: aiohttp.ClientSession) -> None:
        self.upstream = upstream
        self.session = session
        self.in_flight = 0
        self.peak = 0

    async def forward(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
            async with self.session.request(
                request.method,
                f"{self.upstream}{request.rel_url}",
                headers=headers,
                data=await request.read(),
                allow_redirects=False,
            ) as reply:
                body = await reply.read()
                kept = {k: v for k, v in reply.headers.items() if k.lower() not in HOP_BY_HOP}
                kept.pop("Content-Encoding", None)
                return web.Response(status=reply.status, headers=kept, body=body)
        finally:
            self.in_flight -= 1

    def reset(self) -> None:
        self.peak = self.in_flight


@asynccontextmanager
async def counting_proxy(upstream: str) -> AsyncIterator[tuple[str, CountingProxy]]:
    """``(base_url, proxy)``: point the gateway at ``base_url`` instead of ``upstream``."""
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        proxy = CountingProxy(upstream, session)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", proxy.forward)
        async with TestServer(app) as server:
            yield str(server.make_url("")).rstrip("/"), proxy
