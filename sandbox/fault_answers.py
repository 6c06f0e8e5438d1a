"""Broken answers the fault middleware sends: cut short, not JSON, or JSON nested too deep.

Each imitates a way a real upstream answer goes wrong on the wire, so a client's parser and
connection handling meet it before production does. ``truncate`` declares the full
``Content-Length``, sends half the body and closes the connection: the client sees a
premature end of payload, not a clean error.
"""

from __future__ import annotations

from typing import Final

import orjson
from aiohttp import web

from sandbox.middleware import route_family

NESTED_JSON_DEPTH: Final = 100_000
MALFORMED_JSON: Final = b'{"id": "4681D8C33A284E91A46E", "name": "Client Meeting", "total": 12.5'
NESTED_JSON: Final = b"[" * NESTED_JSON_DEPTH + b"]" * NESTED_JSON_DEPTH
# A real-looking answer to cut short when the route did not run (fault before the handler).
_CANNED_XML: Final = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<ReportDetails xmlns="http://www.concursolutions.com/api/expense/expensereport/2012/07">'
    b"<ReportID>4681D8C33A284E91A46E</ReportID><ReportName>Client Meeting</ReportName>"
    b"<ReportTotal>50.00000000</ReportTotal><ApprovalStatusCode>A_PEND</ApprovalStatusCode>"
    b"</ReportDetails>"
)
_CANNED_JSON: Final = orjson.dumps(
    {
        "reportId": "4681D8C33A284E91A46E",
        "name": "Client Meeting",
        "approvalStatus": {"code": "A_PEND", "name": "Submitted & Pending Approval"},
        "reportTotal": {"value": 50.0, "currencyCode": "USD"},
    }
)


def json_answer(body: bytes) -> web.Response:
    return web.Response(status=200, body=body, content_type="application/json")


def canned_answer(request: web.Request) -> tuple[bytes, str]:
    """A body and content type that look like the path's family's real answer."""
    if route_family(request.path) == "xml":
        return _CANNED_XML, "application/xml; charset=utf-8"
    return _CANNED_JSON, "application/json"


async def truncated(
    request: web.Request, body: bytes, content_type: str, status: int = 200
) -> web.StreamResponse:
    """Declare ``len(body)``, send the first half, close the connection."""
    response = web.StreamResponse(status=status, headers={"Content-Type": content_type})
    response.content_length = len(body)
    await response.prepare(request)
    await response.write(body[: max(len(body) // 2, 1)])
    if request.transport is not None:
        request.transport.close()  # asyncio flushes what was written, then closes
    return response


def dropped(request: web.Request) -> web.Response:
    """Close the connection without answering."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)  # never written: the connection is gone


def real_body(response: web.StreamResponse) -> tuple[bytes, str] | None:
    """The body and content type of a route's own answer, when it is a plain Response."""
    if isinstance(response, web.Response) and isinstance(response.body, bytes) and response.body:
        return response.body, response.headers.get("Content-Type", "application/octet-stream")
    return None


__all__ = [
    "MALFORMED_JSON",
    "NESTED_JSON",
    "NESTED_JSON_DEPTH",
    "canned_answer",
    "dropped",
    "json_answer",
    "real_body",
    "truncated",
]
