"""One GraphQL-over-HTTP request, read and checked once, before anything else sees it.

The view reads the request here (GET query string or POST JSON body), the APQ registry fills
in a persisted document, the response reuse keys on it and Strawberry runs it: nobody parses
the body twice. Whatever is not a GraphQL request is refused with a ``RequestRefused`` —
a body that is ``null``, a number, a string or an array, JSON that is not JSON, a body
whose ``Content-Encoding`` lies, fields of the wrong type — so the client gets a GraphQL
error instead of Strawberry's plain text or a 500. Variables are bounded in depth and in
number of values (``limits``): they are walked by graphql-core's coercion recursively, and
an answer's cache key encodes them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Final

import orjson
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from strawberry.http import GraphQLRequestData

from gateway.refusals import (
    MalformedRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    VariablesOutOfBounds,
)

JSON_TYPES: Final = frozenset({"application/json", "application/graphql-response+json"})


@dataclasses.dataclass(frozen=True, slots=True)
class RequestBounds:
    """From ``limits``: the body's size, the variables' depth and number of values."""

    max_body_bytes: int
    max_variable_depth: int
    max_variable_values: int


@dataclasses.dataclass(frozen=True, slots=True)
class GraphQLRequest:
    """The four members of a GraphQL-over-HTTP request, each of its documented type."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None

    def with_query(self, query: str | None) -> GraphQLRequest:
        return dataclasses.replace(self, query=query)

    def strawberry_data(self) -> GraphQLRequestData:
        return GraphQLRequestData(
            query=self.query,
            variables=self.variables,
            operation_name=self.operation_name,
            extensions=self.extensions,
            protocol="http",
        )


GRAPHQL_REQUEST = web.RequestKey("graphql_request", GraphQLRequest)
"""The request as read by ``read_graphql_request`` (set by the view before Strawberry)."""


async def read_graphql_request(request: web.Request, bounds: RequestBounds) -> GraphQLRequest:
    """The GraphQL request of a GET or POST, or a ``RequestRefused``."""
    if request.method == "GET":
        params = request.query
        fields: Mapping[str, object] = {
            "query": params.get("query"),
            "operationName": params.get("operationName"),
            "variables": _json_param(params.get("variables"), "variables"),
            "extensions": _json_param(params.get("extensions"), "extensions"),
        }
    else:
        fields = await _json_body(request, bounds)
    return _checked(fields, bounds)


async def _json_body(request: web.Request, bounds: RequestBounds) -> Mapping[str, object]:
    if request.content_type not in JSON_TYPES:
        raise UnsupportedMediaType(
            f"Unsupported content type {request.content_type!r}: POST GraphQL requests as "
            "application/json."
        )
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise PayloadTooLarge(
            f"The request body is larger than {bounds.max_body_bytes} bytes."
        ) from exc
    except (HttpProcessingError, web.RequestPayloadError) as exc:
        raise MalformedRequest(
            "The request body could not be decoded as its Content-Encoding says."
        ) from exc
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedRequest(f"The request body is not valid JSON: {exc.msg}.") from exc
    if isinstance(data, list):
        raise MalformedRequest("Batched requests are not supported: send one operation.")
    if not isinstance(data, dict):
        raise MalformedRequest("The request body must be a JSON object (a GraphQL request).")
    return data


def _json_param(value: str | None, name: str) -> object:
    if value is None or value == "":
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise MalformedRequest(f"The `{name}` parameter is not valid JSON.") from exc


def _checked(fields: Mapping[str, object], bounds: RequestBounds) -> GraphQLRequest:
    query = fields.get("query")
    name = fields.get("operationName")
    variables = fields.get("variables")
    extensions = fields.get("extensions")
    if not isinstance(query, str | None):
        raise MalformedRequest("`query` must be a string.", field="query")
    if not isinstance(name, str | None):
        raise MalformedRequest("`operationName` must be a string.", field="operationName")
    if not isinstance(variables, dict | None):
        raise MalformedRequest("`variables` must be an object.", field="variables")
    if not isinstance(extensions, dict | None):
        raise MalformedRequest("`extensions` must be an object.", field="extensions")
    if variables:
        check_variable_bounds(variables, bounds)
    return GraphQLRequest(query or None, name or None, variables, extensions)


def check_variable_bounds(variables: dict[str, Any], bounds: RequestBounds) -> None:
    """Refuse variables nested deeper than ``max_depth`` or holding more than ``max_values``
    values (walked with a stack: the check itself must not recurse)."""
    stack: list[tuple[object, int]] = [(variables, 1)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > bounds.max_variable_values:
            raise VariablesOutOfBounds(
                f"Variables hold more than {bounds.max_variable_values} values.", field="variables"
            )
        if depth > bounds.max_variable_depth:
            raise VariablesOutOfBounds(
                f"Variables are nested deeper than {bounds.max_variable_depth} levels.",
                field="variables",
            )
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


__all__ = [
    "GRAPHQL_REQUEST",
    "GraphQLRequest",
    "RequestBounds",
    "check_variable_bounds",
    "read_graphql_request",
]
