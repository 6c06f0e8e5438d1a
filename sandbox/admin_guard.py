"""The guard and body reader shared by every sandbox-only admin route.

Admin routes exist only when an admin token is configured; each answers 401 unless the
request carries ``Authorization: Bearer <admin token>``.
"""

from __future__ import annotations

import functools
import secrets
from typing import Any

import orjson
from aiohttp import web

from sandbox.keys import CONFIG
from sandbox.v4.errors import Handler


def admin_only(handler: Handler) -> Handler:
    """Wrap a handler so it runs only for the configured admin token."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        expected = request.app[CONFIG].admin_token or ""
        scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
        if (
            not expected
            or scheme.lower() != "bearer"
            or not secrets.compare_digest(token.strip().encode(), expected.encode())
        ):
            return web.Response(
                status=401,
                body=orjson.dumps({"error": "A valid admin Bearer token is required."}),
                content_type="application/json",
            )
        return await handler(request)

    return wrapped


async def json_object(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object; an empty body counts as ``{}``."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise web.HTTPBadRequest(reason="The request body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(reason="The request body must be a JSON object.")
    return body


__all__ = ["admin_only", "json_object"]
