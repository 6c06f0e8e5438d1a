"""Reading and writing call metadata: the gRPC twin of HTTP headers.

Keys are lower case on the wire; ``-bin`` keys carry bytes and are never read as text. The
correlation id follows the HTTP rule (``gateway.correlation``): the caller's id when it is a
plain token, else a new one, and it is sent back to the caller.
"""

from __future__ import annotations

from collections.abc import Iterable

from adapters.correlation import CORRELATION_HEADER, CORRELATION_ID, new_correlation_id
from gateway.correlation import ALTERNATE_HEADER, SAFE_ID

Metadata = Iterable[tuple[str, str | bytes]]


def metadata_value(metadata: Metadata | None, key: str) -> str | None:
    """The first text value of ``key``."""
    for name, value in metadata or ():
        if name.lower() == key and isinstance(value, str):
            return value
    return None


def text_metadata(metadata: Metadata | None) -> dict[str, str]:
    """The text entries, as a carrier for trace-context propagation."""
    return {k: v for k, v in metadata or () if isinstance(v, str)}


def inbound_id(metadata: Metadata | None) -> str:
    """The caller's correlation id when it is a plain token, else a new one."""
    for key in (CORRELATION_HEADER, ALTERNATE_HEADER):
        value = metadata_value(metadata, key)
        if value is not None and SAFE_ID.fullmatch(value):
            return value
    return new_correlation_id()


def correlation_metadata() -> tuple[tuple[str, str], ...]:
    """The metadata naming this call's correlation id, for the caller."""
    return ((CORRELATION_HEADER, CORRELATION_ID.get() or ""),)


__all__ = ["Metadata", "correlation_metadata", "inbound_id", "metadata_value", "text_metadata"]
