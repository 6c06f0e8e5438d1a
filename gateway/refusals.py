"""Requests refused before Strawberry runs, each with its HTTP status and GraphQL code.

Every refusal is answered as a GraphQL response (``application/json``, ``errors[]`` with
``extensions.code`` and ``correlationId``), never as Strawberry's plain-text 400: a client
parses one kind of body whatever went wrong, and the request log names the refusal by its
code. ``BAD_REQUEST`` is a request that is not a GraphQL-over-HTTP request at all (its
status says which part: 400 body, 405 method, 413 size, 415 media type);
``BAD_USER_INPUT`` is variables beyond the bounds; ``GRAPHQL_VALIDATION_FAILED`` is a
document that does not say which of its operations to run; ``TOO_MANY_CONNECTIONS`` (503) a
WebSocket upgrade beyond ``websockets.max_connections``.
"""

from __future__ import annotations

from typing import ClassVar

from adapters.errors import GatewayError


class RequestRefused(GatewayError):
    """A request refused before execution; ``http_status`` is the answer's status."""

    http_status: ClassVar[int] = 400


class MalformedRequest(RequestRefused):
    """The body is not a GraphQL request: send a JSON object with a string ``query`` (or a
    persisted query's hash), an optional string ``operationName`` and object
    ``variables``/``extensions``."""

    code = "BAD_REQUEST"


class UnsupportedMediaType(MalformedRequest):
    """POST GraphQL requests with ``Content-Type: application/json``."""

    http_status = 415


class PayloadTooLarge(MalformedRequest):
    """The body is bigger than ``limits.max_body_bytes``: send a smaller document or use a
    persisted query."""

    http_status = 413


class MethodNotAllowed(MalformedRequest):
    """GraphQL is served over GET (queries) and POST; ``allow`` goes in the Allow header."""

    http_status = 405
    allow: ClassVar[str] = "GET, POST"


class MutationViaGet(MethodNotAllowed):
    """GET may only run queries (it must be safe): send mutations with POST."""

    allow = "POST"


class SubscriptionViaHttp(MalformedRequest):
    """Subscriptions run over a WebSocket (``graphql-transport-ws``) at the same URL."""


class VariablesOutOfBounds(RequestRefused):
    """Variables nested deeper or holding more values than ``limits`` allow: flatten them."""

    code = "BAD_USER_INPUT"


class OperationNotChosen(RequestRefused):
    """The document has no operation by that name, none at all, or several and no
    ``operationName``: name the operation to run."""

    code = "GRAPHQL_VALIDATION_FAILED"


class TooManyConnections(RequestRefused):
    """This replica holds ``websockets.max_connections`` WebSockets: retry later (another
    replica may have room)."""

    code = "TOO_MANY_CONNECTIONS"
    http_status = 503


__all__ = [
    "MalformedRequest",
    "MethodNotAllowed",
    "MutationViaGet",
    "OperationNotChosen",
    "PayloadTooLarge",
    "RequestRefused",
    "SubscriptionViaHttp",
    "TooManyConnections",
    "UnsupportedMediaType",
    "VariablesOutOfBounds",
]
