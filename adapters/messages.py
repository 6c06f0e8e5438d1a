"""Upstream text made fit for callers.

Concur's error messages are useful (which field, which state) but may quote request URLs,
user ids or tokens, none of which a client of the gateway should see. They are passed on
only through ``upstream_text``, which removes those and bounds the length.
"""

from __future__ import annotations

import re
from typing import Final

_MAX_LENGTH: Final = 300
_SCRUB: Final = (
    re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE),  # URLs
    re.compile(r"(?<![\w.~+/-])/[\w.~$%-]+(?:/[\w.~$%{}-]+)+"),  # request paths
    re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*"),  # JWTs
    re.compile(r"\b(?:bearer|oauth)\s+\S+", re.IGNORECASE),  # credentials
    re.compile(
        r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE
    ),  # user and company ids
    re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),  # login ids
)


def upstream_text(message: str | None) -> str | None:
    """``message`` without URLs, paths, tokens, UUIDs or login ids; None when nothing is left."""
    if not message:
        return None
    text = message
    for pattern in _SCRUB:
        text = pattern.sub("…", text)
    text = " ".join(text.split())
    if len(text) > _MAX_LENGTH:
        text = text[: _MAX_LENGTH - 1].rstrip() + "…"
    return text or None


__all__ = ["upstream_text"]
