"""Request bodies of the v4 face: JSON objects checked field by field.

Unknown fields and wrong types are refused with ``validationErrors`` naming each field
(``id`` and ``source`` are the field name), so a client's typo never passes silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

import orjson
from aiohttp import web

from sandbox.v4.errors import V4Error, validation_error

Check = Callable[[Any], str | None]  # a message when the value is invalid


async def json_object(request: web.Request, *, allow_empty: bool = False) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        if allow_empty:
            return {}
        raise V4Error(400, "A JSON request body is required.")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise V4Error(400, f"Malformed JSON request body: {exc}") from exc
    if not isinstance(body, dict):
        raise V4Error(400, "The request body must be a JSON object.")
    return body


def text(max_length: int | None = None) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return "must be a string"
        if max_length is not None and len(value) > max_length:
            return f"must be at most {max_length} characters"
        return None

    return check


def sequence_text(value: Any) -> str | None:
    """``expectedStepSequence`` is documented as a string; a bare integer is tolerated."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return "must be a string"
    return None


def one_of(*allowed: str) -> Check:
    def check(value: Any) -> str | None:
        if value not in allowed:
            return f"must be one of {', '.join(allowed)}"
        return None

    return check


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def date_value(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a date (YYYY-MM-DD)"
    try:
        date.fromisoformat(value)
    except ValueError:
        return "must be a date (YYYY-MM-DD)"
    return None if len(value) == 10 else "must be a date (YYYY-MM-DD)"


def any_object(value: Any) -> str | None:
    return None if isinstance(value, dict) else "must be an object"


def custom_data(value: Any) -> str | None:
    """``[{"id": "custom1"|"orgUnit1".., "value": str ≤ 48, "isValid"?: bool}]``."""
    if not isinstance(value, list):
        return "must be an array of CustomData"
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            return "each item needs a string id"
        extra = set(item) - {"id", "value", "isValid", "listItemUrl"}
        if extra:
            return f"unrecognized CustomData field(s): {', '.join(sorted(extra))}"
        field_id = item["id"]
        if not field_id.startswith(("custom", "orgUnit")):
            return f"unknown custom field id {field_id!r}"
        item_value = item.get("value")
        if item_value is not None and (not isinstance(item_value, str) or len(item_value) > 48):
            return f"{field_id}: value must be a string of at most 48 characters"
    return None


def check_fields(
    body: Mapping[str, Any],
    spec: Mapping[str, Check],
    *,
    required: Iterable[str] = (),
    not_null: Iterable[str] = (),
) -> None:
    """Raise one 400 listing every unknown, missing or invalid field."""
    errors: list[dict[str, str]] = []
    for key in body:
        if key not in spec:
            errors.append(validation_error(key, f"Unrecognized field '{key}'."))
    for key in required:
        if body.get(key) is None:
            errors.append(validation_error(key, f"'{key}' is required."))
    for key in not_null:
        if key in body and body[key] is None:
            errors.append(validation_error(key, f"'{key}' cannot be removed."))
    for key, value in body.items():
        if key in spec and value is not None:
            problem = spec[key](value)
            if problem:
                errors.append(validation_error(key, f"'{key}' {problem}."))
    if errors:
        raise V4Error(400, "The request has validation errors.", errors)


__all__ = [
    "Check",
    "any_object",
    "boolean",
    "check_fields",
    "custom_data",
    "date_value",
    "json_object",
    "one_of",
    "sequence_text",
    "text",
]
