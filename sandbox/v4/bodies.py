"""Request bodies of the v4 face: JSON objects checked field by field.

Unknown fields and wrong types are refused with ``validationErrors`` naming each field
(``id`` and ``source`` are the field name), so a client's typo never passes silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, Final

import orjson
from aiohttp import web

from sandbox.text_rules import control_character_problem
from sandbox.v4.errors import V4Error, validation_error

Check = Callable[[Any], str | None]  # a message when the value is invalid
MAX_CUSTOM_VALUE: Final = 48
_CUSTOM_ID: Final = re.compile(r"custom([1-9]|1\d|20)|orgUnit[1-6]")


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
    """A string without control characters, at most ``max_length`` characters long."""

    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return "must be a string"
        if max_length is not None and len(value) > max_length:
            return f"must be at most {max_length} characters"
        return control_character_problem(value)

    return check


def sequence_text(value: Any) -> str | None:
    """``expectedStepSequence`` is documented as a string; a bare integer is tolerated."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return "must be a string"
    return control_character_problem(value) if isinstance(value, str) else None


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
    """``[{"id": "custom1".."custom20"|"orgUnit1".."orgUnit6", "value": str ≤ 48,
    "isValid"?: bool}]`` (v4 CustomData: "Maximum length: 48 characters")."""
    if not isinstance(value, list):
        return "must be an array of CustomData"
    for item in value:
        problem = _custom_item(item)
        if problem:
            return problem
    return None


def _custom_item(item: Any) -> str | None:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        return "each item needs a string id"
    extra = set(item) - {"id", "value", "isValid", "listItemUrl"}
    if extra:
        return f"unrecognized CustomData field(s): {', '.join(sorted(extra))}"
    field_id = item["id"]
    if not _CUSTOM_ID.fullmatch(field_id):
        return f"unknown custom field id {field_id!r}"
    item_value = item.get("value")
    if item_value is None:
        return None
    if not isinstance(item_value, str) or len(item_value) > MAX_CUSTOM_VALUE:
        return f"{field_id}: value must be a string of at most {MAX_CUSTOM_VALUE} characters"
    problem = control_character_problem(item_value)
    return f"{field_id}: value {problem}" if problem else None


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
    "MAX_CUSTOM_VALUE",
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
