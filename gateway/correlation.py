"""Correlation ids: one id ties a client's request to every Concur call it caused.

The middleware takes the caller's id (``concur-correlationid``, else ``x-correlation-id``)
or makes one, puts it in ``CORRELATION_ID`` for the adapters to send upstream and for the
log filter to stamp on records, and echoes it on the response.
"""

from __future__ import annotations

import logging
import re
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler

from adapters.correlation import CORRELATION_HEADER, CORRELATION_ID, new_correlation_id

ALTERNATE_HEADER: Final = "x-correlation-id"
SAFE_ID: Final = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
"""An inbound id is echoed in headers and logs, so only plain tokens are taken as given."""


def inbound_id(request: web.BaseRequest) -> str:
    for header in (CORRELATION_HEADER, ALTERNATE_HEADER):
        value = request.headers.get(header)
        if value is not None and SAFE_ID.fullmatch(value):
            return value
    return new_correlation_id()


@web.middleware
async def correlation_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    correlation_id = inbound_id(request)
    token = CORRELATION_ID.set(correlation_id)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers[CORRELATION_HEADER] = correlation_id
        raise
    finally:
        CORRELATION_ID.reset(token)
    if not response.prepared:
        response.headers[CORRELATION_HEADER] = correlation_id
    return response


class CorrelationIdFilter(logging.Filter):
    """Stamps the current correlation id on every record as ``correlation_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = CORRELATION_ID.get()
        return True


__all__ = ["ALTERNATE_HEADER", "CorrelationIdFilter", "correlation_middleware", "inbound_id"]
