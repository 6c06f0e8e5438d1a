"""v4 ``ErrorMessage`` bodies → message and validation issues.

Every v4 error carries ``errorMessage`` and, for a refused body, ``validationErrors``
(``{id, message, source}``). The one documented 429 body uses a different shape
(``{"error": {"id", "message"}}``), so that is read too. Reading an error body is best
effort: an unreadable one leaves the status code to speak for itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import TypeAdapter

from adapters.errors import UpstreamBadResponse, ValidationIssue
from adapters.messages import upstream_text
from adapters.v4.wire import WireErrorMessage, decode_json

_ERROR = TypeAdapter(WireErrorMessage)


@dataclass(frozen=True, slots=True)
class V4Error:
    message: str | None
    error_id: str | None = None
    issues: list[ValidationIssue] = field(default_factory=list)


def parse_v4_error(body: bytes) -> V4Error | None:
    """The caller-safe message and issues of an ``ErrorMessage``, or None if unreadable."""
    try:
        document = decode_json(body)
    except UpstreamBadResponse:
        return None
    if not isinstance(document, dict):
        return None
    nested = document.get("error")
    if isinstance(nested, dict) and "errorMessage" not in document:
        message = nested.get("message")
        return V4Error(message=upstream_text(message) if isinstance(message, str) else None)
    try:
        error = _ERROR.validate_python(document)
    except ValueError:
        return None
    issues = [
        ValidationIssue(
            id=item.id,
            message=upstream_text(item.message) or "invalid value",
            source=item.source,
        )
        for item in error.validation_errors or []
    ]
    return V4Error(
        message=upstream_text(error.error_message), error_id=error.error_id, issues=issues
    )


__all__ = ["V4Error", "parse_v4_error"]
