"""Upstream URLs from route templates.

A template such as ``/expensereports/v4/users/{userId}/reports/{reportId}`` is both what we
log (never the concrete URL: it carries user ids) and how the URL is built. Ids are checked
before anything is sent so a crafted id cannot change the path (``..``, ``/``, ``?``); they are
percent-encoded as path segments, so opaque v1.1 keys with ``$`` or ``%`` survive intact.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

from yarl import URL

from adapters.errors import BadUserInput

_PLACEHOLDER = re.compile(r"^\{(?P<name>\w+)\}$")
_FORBIDDEN = re.compile(r"[/\\?#\s\x00-\x1f\x7f]")
_MAX_ID_LENGTH: Final = 256


def path_id(value: str, field: str) -> str:
    """``value`` if it is usable as one path segment; ``BadUserInput`` naming ``field`` if not."""
    if (
        not value
        or len(value) > _MAX_ID_LENGTH
        or value in {".", ".."}
        or _FORBIDDEN.search(value) is not None
    ):
        raise BadUserInput(
            f"The {field} is not a valid Concur identifier: check the value you sent.",
            field=field,
        )
    return value


def build_url(base: URL, template: str, **ids: str) -> URL:
    """``base`` joined with ``template`` whose ``{name}`` segments are filled from ``ids``."""
    url = base
    for segment in template.strip("/").split("/"):
        match = _PLACEHOLDER.match(segment)
        if match is None:
            url = url / segment
        else:
            name = match["name"]
            url = url / path_id(ids[name], name)
    return url


def segment_after(url: str, name: str) -> str | None:
    """The raw (undecoded) path segment after the last ``/{name}/`` (case-insensitive).

    Concur hands out opaque keys (``$``, ``%`` and all) only inside URLs
    (``Report-Details-Url``, ``Report-Entry-Details-Url``, a 201 ``uri``); this lifts them out.
    """
    segments = [segment for segment in urlsplit(url.strip()).path.split("/") if segment]
    lowered = name.lower()
    for index in range(len(segments) - 2, -1, -1):
        if segments[index].lower() == lowered:
            return segments[index + 1]
    return None


__all__ = ["build_url", "path_id", "segment_after"]
