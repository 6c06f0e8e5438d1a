"""Graceful shutdown: in-flight work finishes, within a bound, and resources close in order.

On SIGTERM ``concur-gateway serve`` stops waiting and runs aiohttp's runner cleanup:

1. the listening sockets close (no new connections) and idle keep-alive ones are closed;
2. ``on_shutdown``: the app is marked draining (``/readyz`` answers 503) and open
   WebSockets are closed with 1001 "going away", which ends their subscriptions; a
   WebSocket has no end of its own, so without this step it would hold shutdown to its
   bound;
3. in-flight HTTP requests run to completion, for at most ``server.shutdown_timeout_s``,
   after which they are cancelled;
4. the ``cleanup_ctx`` resources close in reverse order of start: the gRPC server, the
   operations, the event services, the APQ registry, the response and read caches, the
   Concur client's sessions, the cache backend, the embedded sandbox, and last telemetry,
   flushing spans.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Final
from weakref import WeakSet

from aiohttp import WSCloseCode, web

logger = logging.getLogger(__name__)

GOING_AWAY: Final = b"server shutting down"


@dataclass(slots=True)
class Lifecycle:
    """Per-app shutdown state: whether the app is draining, and its open WebSockets."""

    close_timeout_s: float
    draining: bool = False
    websockets: WeakSet[web.WebSocketResponse] = field(default_factory=WeakSet)


LIFECYCLE = web.AppKey("lifecycle", Lifecycle)


def track_websocket(app: web.Application, ws: web.WebSocketResponse) -> None:
    """Remember an open WebSocket so shutdown can close it (forgotten when collected)."""
    lifecycle = app.get(LIFECYCLE)
    if lifecycle is not None:
        lifecycle.websockets.add(ws)


async def begin_shutdown(app: web.Application) -> None:
    """``on_shutdown``: mark draining, then close every open WebSocket (bounded)."""
    lifecycle = app[LIFECYCLE]
    lifecycle.draining = True
    sockets = [ws for ws in lifecycle.websockets if not ws.closed]
    if not sockets:
        return
    logger.info("closing websockets", extra={"websockets": len(sockets)})
    closing = [ws.close(code=WSCloseCode.GOING_AWAY, message=GOING_AWAY) for ws in sockets]
    try:
        async with asyncio.timeout(lifecycle.close_timeout_s):
            results = await asyncio.gather(*closing, return_exceptions=True)
    except TimeoutError:
        logger.warning("websockets did not close in time", extra={"websockets": len(sockets)})
        return
    for result in results:
        if isinstance(result, Exception):
            logger.warning("websocket close failed", extra={"error": repr(result)})


def install_lifecycle(app: web.Application, *, close_timeout_s: float) -> None:
    app[LIFECYCLE] = Lifecycle(close_timeout_s=close_timeout_s)
    app.on_shutdown.append(begin_shutdown)


__all__ = ["LIFECYCLE", "Lifecycle", "begin_shutdown", "install_lifecycle", "track_websocket"]
