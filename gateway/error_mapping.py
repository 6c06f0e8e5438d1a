"""GraphQL errors as clients see them: a stable ``extensions.code``, a correlation id, and a
message that is safe to show.

Modelled on Strawberry's ``MaskErrors``: after the operation, ``result.errors`` is rewritten.
A ``GatewayError`` keeps its own message (written to be shown: no upstream URL, user id or
token); anything else is logged with its traceback and masked as ``Unexpected error.``.
Errors raised before execution get the codes GraphQL clients know: a syntax error is
``GRAPHQL_PARSE_FAILED``, a document the schema refuses is ``GRAPHQL_VALIDATION_FAILED``,
and variables that do not fit their types are ``BAD_USER_INPUT``.

With introspection off, no message may reveal the schema either: graphql-core's "Did you
mean …?" suggestions (unknown fields, arguments, types, enum values, input fields, from
validation and from variable coercion alike) are cut from every message
(``hide_suggestions``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from enum import Enum

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult, StreamExecutionResult

from adapters.correlation import CORRELATION_ID
from adapters.errors import GatewayError, RateLimited, UpstreamError

logger = logging.getLogger(__name__)

MASKED_MESSAGE = "Unexpected error."
SUGGESTION = re.compile(r" Did you mean [^?]*\?")
"""graphql-core's ``did_you_mean``: " Did you mean 'a', 'b', or 'c'?" (names hold no '?')."""


class Phase(Enum):
    PARSE = "parse"
    VALIDATE = "validate"
    EXECUTE = "execute"


def _with_code(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def without_suggestions(error: GraphQLError) -> GraphQLError:
    """The error with graphql-core's suggestions cut from its message."""
    message = SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return _with_code(error, message, dict(error.extensions or {}))


def map_error(error: GraphQLError, phase: Phase, *, hide_suggestions: bool = False) -> GraphQLError:
    """One error, rewritten with a code (idempotent: mapped errors pass through)."""
    mapped = _map_error(error, phase)
    return without_suggestions(mapped) if hide_suggestions else mapped


def _map_error(error: GraphQLError, phase: Phase) -> GraphQLError:
    if error.extensions and "code" in error.extensions:
        return error
    correlation_id = CORRELATION_ID.get()
    original = error.original_error
    if isinstance(original, GatewayError):
        extensions: dict[str, object] = {
            "code": original.code,
            "correlationId": original.correlation_id or correlation_id,
        }
        if isinstance(original, RateLimited) and original.retry_after is not None:
            extensions["retryAfter"] = original.retry_after
        if original.field is not None:
            extensions["field"] = original.field
        level = logging.WARNING if isinstance(original, UpstreamError) else logging.INFO
        logger.log(level, "request failed", extra={"code": original.code, "phase": phase.value})
        return _with_code(error, original.message, extensions)
    if original is None or isinstance(original, GraphQLError):
        code = _request_error_code(error, phase)
        if code is not None:
            return _with_code(error, error.message, {"code": code, "correlationId": correlation_id})
    logger.error(
        "unexpected error",
        exc_info=(type(original), original, original.__traceback__) if original else None,
        extra={"graphql_message": error.message if original is None else None},
    )
    return _with_code(error, MASKED_MESSAGE, {"code": "INTERNAL", "correlationId": correlation_id})


def _request_error_code(error: GraphQLError, phase: Phase) -> str | None:
    """The code of an error in the request itself, or None when it is the server's fault."""
    if isinstance(error, GraphQLSyntaxError) or phase is Phase.PARSE:
        return "GRAPHQL_PARSE_FAILED"
    if phase is Phase.VALIDATE:
        return "GRAPHQL_VALIDATION_FAILED"
    if error.path is None:  # raised before any field ran: variables that do not fit
        return "BAD_USER_INPUT"
    return None


def map_errors(
    errors: list[GraphQLError], phase: Phase, *, hide_suggestions: bool = False
) -> list[GraphQLError]:
    return [map_error(error, phase, hide_suggestions=hide_suggestions) for error in errors]


class MapErrors(SchemaExtension):
    """Rewrites ``result.errors`` after the operation (pass the class or a factory, never
    an instance); ``hide_suggestions`` when introspection is off."""

    def __init__(self, *, hide_suggestions: bool = False) -> None:
        self._validation_failed = False
        self._hide_suggestions = hide_suggestions

    def on_validate(self) -> Iterator[None]:
        yield
        self._validation_failed = bool(self.execution_context.pre_execution_errors)

    def _phase(self) -> Phase:
        if self.execution_context.graphql_document is None:
            return Phase.PARSE
        if self._validation_failed:
            return Phase.VALIDATE
        return Phase.EXECUTE

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, GraphQLExecutionResult | ExecutionResult) and result.errors:
            result.errors = map_errors(
                result.errors, self._phase(), hide_suggestions=self._hide_suggestions
            )

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        """Subscriptions send results one by one, past ``on_operation``: map each of them."""
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = map_errors(  # type: ignore[union-attr]
                errors, self._phase(), hide_suggestions=self._hide_suggestions
            )
        yield


__all__ = [
    "MASKED_MESSAGE",
    "MapErrors",
    "Phase",
    "map_error",
    "map_errors",
    "without_suggestions",
]
