"""The ESS webhook route (``POST {ess.path}``)."""

from __future__ import annotations

from aiohttp import web

from gateway.events.keys import ESS_RECEIVER


async def ess_webhook(request: web.Request) -> web.Response:
    """One ESS delivery (see ``gateway.events.receiver``)."""
    return await request.app[ESS_RECEIVER].handle(request)


def add_ess_routes(app: web.Application, path: str) -> None:
    app.router.add_post(path, ess_webhook)


__all__ = ["add_ess_routes", "ess_webhook"]
