"""Cross-cutting request handling: the correlation id, and errors in each family's own shape.

Concur returns ``concur-correlationid`` on every response, its own UUID unless the client
sent one. Responses the routes never see (unknown paths, wrong methods, crashes) still
leave in the body format of the family the path belongs to, so clients parse them as
they would a real Concur error.
"""

from __future__ import annotations

import logging
import uuid
from typing import Literal

import orjson
from aiohttp import web
from lxml import etree

from sandbox.keys import STORE
from sandbox.text_rules import xml_safe
from sandbox.v4.errors import Handler, error_response

CORRELATION_HEADER = "concur-correlationid"
CORRELATION_ID = web.RequestKey("sandbox_correlation_id", str)
Family = Literal["xml", "v4", "oauth", "ess", "admin"]
XML_PREFIX = "/api/"
_log = logging.getLogger(__name__)


def route_family(path: str) -> Family:
    """Which Concur API a path belongs to, deciding its error body format."""
    lowered = path.lower()
    if lowered.startswith(XML_PREFIX):
        return "xml"
    if lowered.startswith("/oauth2/"):
        return "oauth"
    if lowered.startswith("/events/"):
        return "ess"
    if lowered.startswith("/_sandbox"):
        return "admin"
    return "v4"


def legacy_error_body(request: web.Request, message: str) -> bytes:
    """The legacy XML web services' ``<Error>`` (no namespace, upper-case GUID)."""
    now = request.app[STORE].clock()
    root = etree.Element("Error")
    etree.SubElement(root, "Message").text = xml_safe(message)
    etree.SubElement(root, "Server-Time").text = now.strftime("%Y-%m-%dT%H:%M:%S")
    etree.SubElement(root, "Id").text = str(uuid.uuid4()).upper()
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def family_error(
    request: web.Request,
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """An error response in the body format of the request path's family."""
    family = route_family(request.path)
    if family == "xml":
        return web.Response(
            status=status,
            body=legacy_error_body(request, message),
            content_type="application/xml",
            charset="utf-8",
            headers=headers,
        )
    if family == "oauth":
        body = {
            "code": 0,
            "error": "server_error" if status >= 500 else "invalid_request",
            "error_description": message,
            "geolocation": request.app[STORE].base_url,
        }
        return web.Response(
            status=status,
            body=orjson.dumps(body),
            content_type="application/json",
            headers=headers,
        )
    if family == "admin":
        return web.Response(
            status=status,
            body=orjson.dumps({"error": message}),
            content_type="application/json",
            headers=headers,
        )
    return error_response(request, status, message, headers=headers)


@web.middleware
async def correlation_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Outermost: stamps the correlation id on every answer, errors and crashes included."""
    correlation_id = request.headers.get(CORRELATION_HEADER) or str(uuid.uuid4())
    request[CORRELATION_ID] = correlation_id
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        unmatched = request.match_info.http_exception is not None
        if exc.status < 400 or not (unmatched or route_family(request.path) == "admin"):
            exc.headers[CORRELATION_HEADER] = correlation_id  # a route's own answer: keep it
            raise
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        response = family_error(request, exc.status, exc.reason, headers)
    except Exception:
        _log.exception(
            "sandbox request failed",
            extra={"path": request.path, "correlation_id": correlation_id},
        )
        response = family_error(request, 500, "An internal error occurred.")
    if not response.prepared:
        response.headers[CORRELATION_HEADER] = correlation_id
    return response


__all__ = [
    "CORRELATION_HEADER",
    "CORRELATION_ID",
    "Family",
    "correlation_middleware",
    "family_error",
    "legacy_error_body",
    "route_family",
]
