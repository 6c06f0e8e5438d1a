"""v4 ``ErrorMessage`` bodies and the one place that maps failures to them.

Every v4 handler is wrapped by ``v4_errors``: authentication failures, workflow refusals
from the engine and request errors all leave as Concur's ``ErrorMessage`` JSON with the
``"409 - Conflict"`` style ``httpStatus`` string.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import orjson
from aiohttp import web

from sandbox.auth import AuthError
from sandbox.keys import STORE
from sandbox.workflow_terms import WorkflowRefused

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class V4Error(Exception):
    """A request the v4 face refuses; ``validation_errors`` name the offending fields."""

    def __init__(
        self,
        status: int,
        message: str,
        validation_errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.validation_errors = validation_errors or None


def validation_error(field: str, message: str) -> dict[str, str]:
    return {"id": field, "message": message, "source": field}


def http_status_text(status: int) -> str:
    """Concur's ``httpStatus`` form: code, spaced dash, reason phrase."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return f"{status} - {phrase}"


def iso_millis(request: web.Request) -> str:
    now = request.app[STORE].clock()
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def error_body(
    request: web.Request,
    status: int,
    message: str,
    validation_errors: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "timestamp": iso_millis(request),
        "httpStatus": http_status_text(status),
        "errorMessage": message,
        "errorId": str(uuid.uuid4()).upper(),
        "path": request.path,
        "validationErrors": validation_errors or None,
        "customResponseData": None,
    }


def error_response(
    request: web.Request,
    status: int,
    message: str,
    validation_errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    return web.Response(
        status=status,
        body=orjson.dumps(error_body(request, status, message, validation_errors)),
        content_type="application/json",
        headers=headers,
    )


def v4_errors(handler: Handler) -> Handler:
    """Render AuthError, engine refusals and V4Error as ``ErrorMessage`` responses."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except AuthError as exc:
            return error_response(request, exc.status, exc.message)
        except WorkflowRefused as exc:
            validation = None
            if exc.status == 400 and "comment" in exc.message.lower():
                validation = [validation_error("comment", exc.message)]
            return error_response(request, exc.status, exc.message, validation)
        except V4Error as exc:
            return error_response(request, exc.status, exc.message, exc.validation_errors)

    return wrapped


__all__ = [
    "Handler",
    "V4Error",
    "error_body",
    "error_response",
    "http_status_text",
    "iso_millis",
    "v4_errors",
    "validation_error",
]
