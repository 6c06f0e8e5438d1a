"""``POST /graphiql/demo-reset``: GraphiQL's "Reset demo data" on the embedded sandbox.

Once the demo's pending reports have been approved, the guarded examples are refused; this
re-seeds the sandbox (its admin-only ``/_sandbox/reset``, over HTTP like any client) and then
forgets every cached read of its reports, since the same ids now stand for other states.
Served only with the embedded sandbox, and only to the page itself: the request must carry
``X-Requested-With: graphiql``, which a cross-site form cannot send.
"""

from __future__ import annotations

import logging
from typing import Final

import aiohttp
import orjson
from aiohttp import web

from gateway.cache.read_cache import READ_CACHE
from gateway.embedded import SANDBOX
from gateway.graphiql.session import DEMO_HTTP, RESET_PATH
from resolvers.operations.invalidation import after_sandbox_reset

logger = logging.getLogger(__name__)

REQUESTED_WITH: Final = "graphiql"


def _json(body: object, status: int = 200) -> web.Response:
    return web.Response(
        body=orjson.dumps(body),
        status=status,
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


async def demo_reset(request: web.Request) -> web.Response:
    """Re-seed the sandbox and forget what the gateway cached of it: ``{reset, reports}``."""
    app = request.app
    running = app.get(SANDBOX)
    if running is None or not running.admin_token:
        return _json({"error": "Only the embedded sandbox's demo can be reset."}, 404)
    if request.headers.get("X-Requested-With") != REQUESTED_WITH:
        return _json({"error": "Reset the demo from the GraphiQL page."}, 403)
    before = list(running.store.reports)
    try:
        async with app[DEMO_HTTP].post(
            f"{running.base_url}/_sandbox/reset",
            headers={"Authorization": f"Bearer {running.admin_token}"},
        ) as response:
            response.raise_for_status()
    except (aiohttp.ClientError, TimeoutError) as exc:
        logger.warning("demo reset failed", extra={"error": repr(exc)})
        return _json({"error": "The sandbox could not be reset."}, 503)
    reports = [*before, *running.store.reports]
    await after_sandbox_reset(app[READ_CACHE], reports)
    logger.info("demo data reset", extra={"reports": len(set(reports))})
    return _json({"reset": True, "reports": len(running.store.reports)})


__all__ = ["RESET_PATH", "demo_reset"]
