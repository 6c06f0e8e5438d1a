"""One span per GraphQL operation, and per-resolver spans only when asked for.

``OperationSpans`` implements ``on_operation`` and nothing else: an extension that
overrides ``resolve`` becomes middleware on every field and makes each one awaitable, so
cost would grow with the size of the result. Its span is made *current* for the whole
operation, so the upstream spans the resolvers cause (DataLoader batches included: their
tasks inherit the context) nest under it rather than floating beside it.

The span names the operation (``query ReportsToApprove``) and carries its type, name, a
SHA-256 of the document, the correlation id and the error codes; never the document text,
variables or tokens (an inline argument may be a comment or an id). It also records the
operation metrics and tells the request log line what ran.

An answer served whole from the response cache runs no operation; ``record_cached_answer``
gives it the same span (marked ``gateway.response_cache=hit``), metrics and log facts.

``ResolverSpans`` (``CONCUR_GATEWAY_TELEMETRY__RESOLVER_SPANS=true``) is Strawberry's
``OpenTelemetryExtension`` nested under our operation span, with resolver arguments and
the document text left out.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web
from graphql import ExecutionResult as GraphQLExecutionResult
from opentelemetry import context, trace
from opentelemetry.trace import Span, SpanKind, StatusCode, format_trace_id
from strawberry.extensions import LifecycleStep, SchemaExtension
from strawberry.extensions.tracing import OpenTelemetryExtension
from strawberry.types.execution import ExecutionResult

from adapters.correlation import CORRELATION_ID
from gateway.telemetry.instruments import INSTRUMENTS, Instruments
from gateway.telemetry.middleware import REQUEST_FACTS

if TYPE_CHECKING:
    from graphql import GraphQLResolveInfo

OK: Final = "ok"
ERROR: Final = "error"
INTERNAL: Final = "INTERNAL"
UNKNOWN_TYPE: Final = "unknown"
SPAN_NAME: Final = "graphql.operation"
QUERY: Final = "query"
HIT: Final = "hit"


def document_hash(document: str) -> str:
    """A stable id for a document that reveals nothing of it (SHA-256, hex)."""
    return hashlib.sha256(document.encode()).hexdigest()


def error_codes(result: object) -> list[str]:
    """The ``extensions.code`` of each error in an operation's result."""
    if not isinstance(result, GraphQLExecutionResult | ExecutionResult) or not result.errors:
        return []
    return [str((error.extensions or {}).get("code") or ERROR) for error in result.errors]


class OperationSpans(SchemaExtension):
    """See the module docstring; pass ``partial(OperationSpans, app=app)``."""

    def __init__(self, *, app: web.Application) -> None:
        self._app = app

    def on_operation(self) -> Iterator[None]:
        instruments = self._app.get(INSTRUMENTS)
        if instruments is None:
            yield
            return
        started = time.perf_counter()
        query = self.execution_context.query
        attributes = {"concur.correlation_id": CORRELATION_ID.get() or ""}
        if query is not None:
            attributes["graphql.document.hash"] = document_hash(query)
        span = instruments.tracer.start_span(SPAN_NAME, kind=SpanKind.SERVER, attributes=attributes)
        token = context.attach(trace.set_span_in_context(span))
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            context.detach(token)
            self._finish(instruments, span, time.perf_counter() - started, failed=failed)

    def _operation_type(self) -> str:
        if self.execution_context.graphql_document is None:
            return UNKNOWN_TYPE
        try:
            return self.execution_context.operation_type.value
        except RuntimeError:  # the named operation is not in the document
            return UNKNOWN_TYPE

    def _finish(
        self, instruments: Instruments, span: Span, duration_s: float, *, failed: bool
    ) -> None:
        name = self.execution_context.operation_name
        operation_type = self._operation_type()
        codes = error_codes(self.execution_context.result)
        outcome = INTERNAL if failed else (codes[0] if codes else OK)
        if span.is_recording():  # unsampled spans skip the attribute work
            span.update_name(f"{operation_type} {name}" if name else operation_type)
            attributes: dict[str, str | list[str]] = {"graphql.operation.type": operation_type}
            if name:
                attributes["graphql.operation.name"] = name
            if codes:
                attributes["graphql.error.codes"] = codes
            if outcome != OK:
                attributes["error.type"] = outcome
                span.set_status(StatusCode.ERROR, outcome)
            span.set_attributes(attributes)
        facts = REQUEST_FACTS.get()
        if facts is not None:
            facts.operation = name
            facts.operation_type = operation_type
            facts.outcome = outcome
            facts.trace_id = format_trace_id(span.get_span_context().trace_id)
        span.end()
        instruments.metrics.record_operation(name, operation_type, outcome, duration_s)


def record_cached_answer(
    request: web.Request, *, operation_name: str | None, document_hash: str
) -> None:
    """A query answered from the response cache: its operation span (from the request's
    start until now), its operation metrics (outcome ``ok``) and its log line's facts."""
    instruments = request.app.get(INSTRUMENTS)
    facts = REQUEST_FACTS.get()
    if instruments is None or facts is None:
        return
    name = operation_name or None
    attributes = {
        "graphql.operation.type": QUERY,
        "graphql.document.hash": document_hash,
        "concur.correlation_id": CORRELATION_ID.get() or "",
        "gateway.response_cache": HIT,
    }
    if name:
        attributes["graphql.operation.name"] = name
    span = instruments.tracer.start_span(
        f"{QUERY} {name}" if name else QUERY,
        kind=SpanKind.SERVER,
        attributes=attributes,
        start_time=facts.started_ns,
    )
    facts.operation, facts.operation_type, facts.outcome = name, QUERY, OK
    facts.trace_id = format_trace_id(span.get_span_context().trace_id)
    span.end()
    duration_s = (time.time_ns() - facts.started_ns) / 1e9
    instruments.metrics.record_operation(name, QUERY, OK, duration_s)


def _no_arguments(arguments: dict[str, Any], info: GraphQLResolveInfo[Any]) -> dict[str, Any]:
    """Resolver arguments are ids, comments and amounts: none belongs in a span."""
    del arguments, info
    return {}


class ResolverSpans(OpenTelemetryExtension):
    """Strawberry's per-resolver spans under ``OperationSpans`` (which must come first)."""

    def __init__(self, *, app: web.Application) -> None:
        instruments = app.get(INSTRUMENTS)
        provider = (
            instruments.providers.tracer_provider
            if instruments is not None
            else trace.NoOpTracerProvider()
        )
        super().__init__(arg_filter=_no_arguments, tracer_provider=provider)

    def on_operation(self) -> Generator[None, None, None]:
        # Our operation span is current; Strawberry's own would copy the document text.
        self._span_holder[LifecycleStep.OPERATION] = trace.get_current_span()
        yield


__all__ = [
    "OperationSpans",
    "ResolverSpans",
    "document_hash",
    "error_codes",
    "record_cached_answer",
]
