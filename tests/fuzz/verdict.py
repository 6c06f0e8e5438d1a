"""What a caller may never get back, whatever it sends: the one rule every fuzz case checks.

Typed errors (``BAD_USER_INPUT``, ``NOT_FOUND``, ``FORBIDDEN``...) and 4xx statuses are fine:
the gateway named what was wrong. A 5xx, an ``INTERNAL`` error, or an answer that is not a
JSON GraphQL response (an object with ``data`` and/or ``errors``) means a caller broke it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

GRAPHQL_TYPES = ("application/json", "application/graphql-response+json")


@dataclass(frozen=True)
class Verdict:
    """One response judged: which of the three failures it shows (any number of them)."""

    server_error: bool = False
    internal: bool = False
    not_graphql: str | None = None
    """Why the body is not a JSON GraphQL response, when it is not."""

    @property
    def ok(self) -> bool:
        return not (self.server_error or self.internal or self.not_graphql)

    def describe(self) -> str:
        parts = []
        if self.server_error:
            parts.append("HTTP 5xx")
        if self.internal:
            parts.append("INTERNAL error")
        if self.not_graphql:
            parts.append(f"not a JSON GraphQL body ({self.not_graphql})")
        return ", ".join(parts) or "ok"


def _shape_problem(body: Any) -> str | None:
    if not isinstance(body, dict):
        return f"a JSON {type(body).__name__}, not an object"
    if "data" not in body and "errors" not in body:
        return "neither 'data' nor 'errors'"
    errors = body.get("errors")
    if errors is not None and not (
        isinstance(errors, list) and all(isinstance(e, dict) and "message" in e for e in errors)
    ):
        return "'errors' is not a list of errors with messages"
    return None


def _codes(body: Any) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get("errors"), list):
        return []
    return [
        (error.get("extensions") or {}).get("code")
        for error in body["errors"]
        if isinstance(error, dict) and isinstance(error.get("extensions") or {}, dict)
    ]


def judge(status: int, content_type: str, raw: bytes) -> Verdict:
    """Judge one HTTP answer of ``POST /graphql``."""
    server_error = status >= 500
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in GRAPHQL_TYPES:
        return Verdict(server_error=server_error, not_graphql=f"Content-Type {content_type!r}")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return Verdict(server_error=server_error, not_graphql=f"invalid JSON: {exc}")
    return Verdict(
        server_error=server_error,
        internal="INTERNAL" in _codes(body),
        not_graphql=_shape_problem(body),
    )


__all__ = ["Verdict", "judge"]
