"""The correlation id of the request being served.

Concur returns a ``concur-correlationid`` on every response and support asks for it; we send
ours on every upstream call so one id ties a client's request to every Concur call it caused.
A server middleware sets ``CORRELATION_ID`` from the inbound id (or a new one); tasks spawned
while serving inherit it through the context.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from typing import Final

CORRELATION_HEADER: Final = "concur-correlationid"

CORRELATION_ID: ContextVar[str | None] = ContextVar("concur_correlation_id", default=None)


def new_correlation_id() -> str:
    """A fresh id in the UUID form Concur itself uses."""
    return str(uuid.uuid4())


def current_correlation_id() -> str:
    """The request's id, or a fresh one for calls made outside any request (startup, ESS)."""
    return CORRELATION_ID.get() or new_correlation_id()


__all__ = [
    "CORRELATION_HEADER",
    "CORRELATION_ID",
    "current_correlation_id",
    "new_correlation_id",
]
