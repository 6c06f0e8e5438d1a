"""Legacy ``<Error>`` bodies of the v1.1/v2.0 XML APIs.

``<Error><Message>…</Message><Server-Time>…</Server-Time><Id>GUID</Id></Error>``, without a
namespace (the JSON form wraps the same fields in ``{"Error": {...}}``). The message may nest
elements, so its whole text is taken. Reading an error body is best effort: an unreadable one
leaves the status code to speak for itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from adapters.errors import UpstreamBadResponse
from adapters.v11.xmlsafe import parse_xml


@dataclass(frozen=True, slots=True)
class LegacyError:
    message: str | None
    error_id: str | None


def _from_json(body: bytes) -> LegacyError | None:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    error = document.get("Error") if isinstance(document, dict) else None
    if not isinstance(error, dict):
        return None
    message, error_id = error.get("Message"), error.get("Id")
    return LegacyError(
        message=message if isinstance(message, str) else None,
        error_id=error_id if isinstance(error_id, str) else None,
    )


def parse_legacy_error(body: bytes) -> LegacyError | None:
    """The message and id of a legacy error body, or None if it is not one."""
    if body.lstrip().startswith(b"{"):
        return _from_json(body)
    try:
        root = parse_xml(body)
    except UpstreamBadResponse:
        return None
    if root.tag != "Error":
        return None
    message_element = root.find("Message")
    message = None
    if message_element is not None:
        parts = [part for part in message_element.itertext() if isinstance(part, str)]
        message = " ".join(" ".join(parts).split()) or None
    error_id = (root.findtext("Id") or "").strip() or None
    return LegacyError(message=message, error_id=error_id)


__all__ = ["LegacyError", "parse_legacy_error"]
