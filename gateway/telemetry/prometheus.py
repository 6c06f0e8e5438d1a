"""``GET /metrics``: the app's own registry in the Prometheus text format.

Collection runs the observable callbacks (cache, breaker, ESS counters) and renders a few
kilobytes; it is cheap and synchronous, so it runs on the loop.
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway.telemetry.instruments import INSTRUMENTS


async def metrics_endpoint(request: web.Request) -> web.Response:
    instruments = request.app.get(INSTRUMENTS)
    if instruments is None:
        raise web.HTTPServiceUnavailable(reason="Telemetry is not running.")
    body = generate_latest(instruments.providers.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


__all__ = ["metrics_endpoint"]
