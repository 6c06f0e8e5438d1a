"""The request middleware: the caller's trace context, server spans, one log line per request.

A W3C ``traceparent`` from the caller becomes the parent of everything the request causes,
so the gateway's spans (and, through the adapters, Concur's) join the caller's trace.

GraphQL requests get no span here: the operation extension makes one per operation (a
WebSocket carries many), so a span here would only add cost. Every other route — the ESS
receiver above all — gets a SERVER span named by its route template and tagged with the
request's ``concur-correlationid``, which is how an ESS delivery is found next to the
operations it invalidated. Probes and scrapes (``quiet`` paths) are neither traced nor
logged: they arrive every few seconds from every replica and say nothing.

The log line carries method, path (never the query string: a GET query carries variables),
route, status, duration, the GraphQL operation's name and outcome (filled in by the
operation extension through ``REQUEST_FACTS``), how many calls to Concur it made and how
long they took, and the trace id; headers are never logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from opentelemetry import context, trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind, StatusCode, format_trace_id

from adapters.correlation import CORRELATION_ID
from adapters.upstream import UpstreamCallEvent, UpstreamCallHook
from gateway.telemetry.instruments import INSTRUMENTS, Instruments

logger = logging.getLogger(__name__)

TRACEPARENT: Final = "traceparent"
UNMATCHED: Final = "(unmatched)"


@dataclass(slots=True)
class RequestFacts:
    """What the layers below learn about one request, for its log line."""

    started_ns: int = 0
    operation: str | None = None
    operation_type: str | None = None
    outcome: str | None = None
    trace_id: str | None = None
    upstream_calls: int = 0
    upstream_s: float = 0.0


REQUEST_FACTS: ContextVar[RequestFacts | None] = ContextVar("request_facts", default=None)


def noting_upstream_calls(inner: UpstreamCallHook | None) -> UpstreamCallHook:
    """``inner``, after counting the attempt and its time into the request's log line (a
    call Concur answered 2xx has no line of its own at INFO)."""

    def hook(event: UpstreamCallEvent) -> None:
        facts = REQUEST_FACTS.get()
        if facts is not None:
            facts.upstream_calls += 1
            facts.upstream_s += event.duration_s
        if inner is not None:
            inner(event)

    return hook


def route_template(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED


def _log_request(
    request: web.Request, route: str, status: int, duration_s: float, facts: RequestFacts
) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return  # spare building the fields
    logger.info(
        "%s %s -> %s",
        request.method,
        request.path,
        status,
        extra={
            "http_method": request.method,
            "http_path": request.path,
            "http_route": route,
            "http_status": status,
            "duration_ms": round(duration_s * 1000, 1),
            "graphql_operation": facts.operation,
            "graphql_operation_type": facts.operation_type,
            "outcome": facts.outcome,
            "upstream_calls": facts.upstream_calls,
            "upstream_ms": round(facts.upstream_s * 1000, 1),
            "trace_id": facts.trace_id,
        },
    )


def _server_span(
    instruments: Instruments, request: web.Request, route: str, parent: Context | None
) -> trace.Span:
    return instruments.tracer.start_span(
        f"{request.method} {route}",
        context=parent,
        kind=SpanKind.SERVER,
        attributes={
            "http.request.method": request.method,
            "http.route": route,
            "concur.correlation_id": CORRELATION_ID.get() or "",
        },
    )


def _end_server_span(span: trace.Span, status: int) -> None:
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(StatusCode.ERROR)
    span.end()


def request_middleware(*, graphql_path: str, quiet: Collection[str]) -> Middleware:
    """The middleware for an app serving GraphQL at ``graphql_path``."""
    quiet_paths = frozenset(quiet)

    @web.middleware
    async def telemetry_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in quiet_paths:
            return await handler(request)
        started = time.perf_counter()
        instruments = request.app.get(INSTRUMENTS)
        facts = RequestFacts(started_ns=time.time_ns())
        facts_token = REQUEST_FACTS.set(facts)
        route = route_template(request)
        span: trace.Span | None = None
        context_token: Token[Context] | None = None
        if instruments is not None:
            parent: Context | None = None  # only a caller's context or our span is attached
            if TRACEPARENT in request.headers:
                parent = instruments.propagator.extract(request.headers)
                remote = trace.get_current_span(parent).get_span_context()
                if remote.is_valid:
                    facts.trace_id = format_trace_id(remote.trace_id)
            if request.path != graphql_path:
                span = _server_span(instruments, request, route, parent)
                parent = trace.set_span_in_context(span, parent)
                facts.trace_id = format_trace_id(span.get_span_context().trace_id)
            if parent is not None:
                context_token = context.attach(parent)
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            duration_s = time.perf_counter() - started
            if context_token is not None:
                context.detach(context_token)
            if span is not None:
                _end_server_span(span, status)
            if instruments is not None:
                instruments.metrics.record_http(request.method, route, status, duration_s)
            REQUEST_FACTS.reset(facts_token)
            _log_request(request, route, status, duration_s, facts)

    return telemetry_middleware


__all__ = [
    "REQUEST_FACTS",
    "RequestFacts",
    "noting_upstream_calls",
    "request_middleware",
    "route_template",
]
