"""A real webhook receiver for ESS tests: records every request, misbehaves on request.

Each endpoint is a path under one aiohttp server on an ephemeral port. Tests script the
first answers of an endpoint (a status, or dropping the connection), can hold requests at
a gate to play a slow endpoint, and wait on arrivals instead of sleeping.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from multidict import CIMultiDictProxy

DROP = -1  # scripted "answer": close the connection without a response
WAIT_S = 10.0  # upper bound of any wait, so a broken delivery fails instead of hanging


@dataclass(frozen=True)
class Received:
    """One request as it arrived, and what the receiver answered (``DROP`` for none)."""

    name: str
    headers: CIMultiDictProxy[str]
    body: bytes
    answered: int

    @property
    def envelope(self) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(self.body)
        return parsed

    @property
    def accepted(self) -> bool:
        return 200 <= self.answered < 300


@dataclass
class _Endpoint:
    script: deque[int] = field(default_factory=deque)
    gate: asyncio.Event | None = None


class Receiver:
    def __init__(self) -> None:
        self.base_url = ""
        self.requests: list[Received] = []
        self.arrivals: list[str] = []  # endpoint names, counted before any gate
        self._endpoints: dict[str, _Endpoint] = {}
        self._arrived = asyncio.Condition()

    def url(self, name: str) -> str:
        return f"{self.base_url}/hooks/{name}"

    def script(self, name: str, *answers: int) -> None:
        """Answer the next requests of ``name`` with these statuses (or ``DROP``), then 200."""
        self._endpoint(name).script.extend(answers)

    def hold(self, name: str) -> asyncio.Event:
        """Park requests to ``name`` until the returned event is set."""
        gate = asyncio.Event()
        self._endpoint(name).gate = gate
        return gate

    def release_all(self) -> None:
        """Open every gate, so held handlers finish before the server stops."""
        for endpoint in self._endpoints.values():
            if endpoint.gate is not None:
                endpoint.gate.set()

    def at(self, name: str) -> list[Received]:
        return [r for r in self.requests if r.name == name]

    def accepted(self, name: str) -> list[Received]:
        return [r for r in self.at(name) if r.accepted]

    async def wait_for(self, name: str, count: int, *, accepted: bool = True) -> list[Received]:
        """The first ``count`` (accepted) requests of ``name``, once they have arrived."""

        def seen() -> list[Received]:
            return self.accepted(name) if accepted else self.at(name)

        await self._wait(lambda: len(seen()) >= count)
        return seen()[:count]

    async def wait_for_arrivals(self, name: str, count: int) -> None:
        """Until ``count`` requests of ``name`` have arrived, answered or still held."""
        await self._wait(lambda: self.arrivals.count(name) >= count)

    async def _wait(self, predicate: Callable[[], bool]) -> None:
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(predicate), WAIT_S)

    async def _notify(self) -> None:
        async with self._arrived:
            self._arrived.notify_all()

    def _endpoint(self, name: str) -> _Endpoint:
        return self._endpoints.setdefault(name, _Endpoint())

    async def handle(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        endpoint = self._endpoint(name)
        body = await request.read()
        self.arrivals.append(name)
        await self._notify()
        if endpoint.gate is not None:
            await endpoint.gate.wait()
        answer = endpoint.script.popleft() if endpoint.script else 200
        self.requests.append(Received(name, request.headers, body, answer))
        await self._notify()
        if answer == DROP:
            assert request.transport is not None
            request.transport.close()
        return web.Response(status=200 if answer == DROP else answer)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hooks/{name}", self.handle)
        return app


__all__ = ["DROP", "Received", "Receiver"]
