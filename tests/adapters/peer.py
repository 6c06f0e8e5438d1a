"""A tiny scriptable HTTP peer for transport tests (a real server on 127.0.0.1).

Tests script answers per ``(method, path)``: each call consumes the next handler and the
last one repeats. ``seen`` records every request as the server received it; ``arrived``
is set on the first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web
from multidict import CIMultiDictProxy

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: CIMultiDictProxy[str]
    body: bytes


class Peer:
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.base_url = ""
        self.release = asyncio.Event()
        self.arrived = asyncio.Event()
        self._scripts: dict[tuple[str, str], list[Handler]] = {}
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._dispatch)

    def script(self, method: str, path: str, *handlers: Handler) -> None:
        self._scripts[(method, path)] = list(handlers)

    def count(self, method: str, path: str) -> int:
        return sum(1 for s in self.seen if s.method == method and s.path == path)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append(Seen(request.method, request.path, request.headers, body))
        self.arrived.set()
        handlers = self._scripts.get((request.method, request.path))
        if not handlers:
            return web.Response(status=599, text="unscripted")
        handler = handlers.pop(0) if len(handlers) > 1 else handlers[0]
        return await handler(request)


def reply(
    status: int = 200,
    body: bytes | str = b"",
    *,
    headers: Mapping[str, str] | None = None,
    content_type: str = "application/json",
) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        data = body.encode() if isinstance(body, str) else body
        return web.Response(
            status=status, body=data, headers=dict(headers or {}), content_type=content_type
        )

    return handler


def drop() -> Handler:
    """Close the connection after reading the request, without any answer."""

    async def handler(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    return handler


def truncated(body: bytes, *, declared: int, status: int = 200) -> Handler:
    """Promise ``declared`` bytes, send ``body`` (fewer), then close: an answer cut short."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=status, headers={"Content-Length": str(declared)})
        response.content_type = "application/json"
        await response.prepare(request)
        await response.write(body)
        assert request.transport is not None
        request.transport.close()
        return response

    return handler


def hang(release: asyncio.Event) -> Handler:
    """Answer only once ``release`` is set (the client's deadline runs out first)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        await release.wait()
        return web.Response(status=200)

    return handler


def stream(chunk: bytes, count: int) -> Handler:
    """A chunked body without Content-Length, ``count`` chunks of ``chunk``."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=200)
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(count):
            await response.write(chunk)
        await response.write_eof()
        return response

    return handler
