"""Liveness: the process serves HTTP (it does not call Concur, so a Concur outage does not
get healthy replicas restarted)."""

from __future__ import annotations

from aiohttp import web


async def healthz(request: web.Request) -> web.Response:
    del request
    return web.json_response({"status": "ok"})


__all__ = ["healthz"]
