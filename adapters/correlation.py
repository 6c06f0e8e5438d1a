"""The correlation id of the request being served.

Concur returns a ``concur-correlationid`` on every response and support asks for it; we send
ours on every upstream call so one id ties a client's request to every Concur call it caused.
A server middleware sets ``CORRELATION_ID`` from the inbound id (or a new one); tasks spawned
while serving inherit it through the context.
"""

from __future__ import annotations

import random
from contextvars import ContextVar
from typing import Final

CORRELATION_HEADER: Final = "concur-correlationid"
_UUID_CLEAR: Final = ~(0xF000 << 64 | 0xC000 << 48)  # the version and variant bits
_UUID_V4: Final = 4 << 76 | 0x8000 << 48  # version 4, RFC 4122 variant (as ``uuid`` sets them)

CORRELATION_ID: ContextVar[str | None] = ContextVar("concur_correlation_id", default=None)


def new_correlation_id() -> str:
    """A fresh id in the UUID (version 4) form Concur itself uses.

    An id names a request, it guards nothing: it comes from the process's ordinary PRNG,
    not ``uuid4``'s system entropy, which cost a system call on every request.
    """
    bits = random.getrandbits(128) & _UUID_CLEAR | _UUID_V4
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def current_correlation_id() -> str:
    """The request's id, or a fresh one for calls made outside any request (startup, ESS)."""
    return CORRELATION_ID.get() or new_correlation_id()


__all__ = [
    "CORRELATION_HEADER",
    "CORRELATION_ID",
    "current_correlation_id",
    "new_correlation_id",
]
