"""Client spans for upstream calls, and the W3C trace context Concur receives with them.

One span per attempt: a retried read shows as several spans, the later ones with
``http.request.resend_count``, so a trace tells a slow Concur from a flaky one. Spans are
named by the route template (``GET /expensereports/v4/users/{userId}/...``), never by the
concrete URL, which carries user and report ids; no token, body or query string is recorded.
The attempt's own span context goes out as ``traceparent``, so whatever Concur (or the
sandbox) logs joins the caller's trace. Only W3C trace context is sent: a client's baggage
is not ours to forward to Concur.
"""

from __future__ import annotations

from typing import Final

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from adapters.upstream import OK_OUTCOME, UpstreamCallEvent, UpstreamRequest

INSTRUMENTATION: Final = "concur_gateway.adapters"


class UpstreamTracer:
    """Starts one CLIENT span per upstream attempt and injects its context into the headers."""

    def __init__(self, tracer_provider: trace.TracerProvider | None = None) -> None:
        self._tracer = trace.get_tracer(INSTRUMENTATION, tracer_provider=tracer_provider)
        self._propagator = TraceContextTextMapPropagator()

    def start(self, request: UpstreamRequest, attempt: int, headers: dict[str, str]) -> Span:
        """A span for this attempt (a child of the current span); ``headers`` gain its
        ``traceparent``."""
        attributes: dict[str, str | int] = {
            "http.request.method": request.method,
            "url.template": request.route,
            "concur.protocol": request.family.value,
            "concur.operation": request.operation.value,
        }
        if request.url.host is not None:
            attributes["server.address"] = request.url.host
        if request.url.port is not None:
            attributes["server.port"] = request.url.port
        if attempt > 1:
            attributes["http.request.resend_count"] = attempt - 1
        span = self._tracer.start_span(
            f"{request.method} {request.route}", kind=SpanKind.CLIENT, attributes=attributes
        )
        self._propagator.inject(headers, context=trace.set_span_in_context(span))
        return span


def end_upstream_span(span: Span, event: UpstreamCallEvent) -> None:
    """Record how the attempt ended (status, Concur's correlation id, error code) and end it."""
    if span.is_recording():
        attributes: dict[str, str | int] = {
            "concur.correlation_id": event.upstream_correlation_id or event.correlation_id
        }
        if event.status is not None:
            attributes["http.response.status_code"] = event.status
        if event.outcome != OK_OUTCOME:
            attributes["error.type"] = event.outcome
            span.set_status(StatusCode.ERROR, event.outcome)
        span.set_attributes(attributes)
    span.end()


__all__ = ["INSTRUMENTATION", "UpstreamTracer", "end_upstream_span"]
