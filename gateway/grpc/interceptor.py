"""What every ReportService call gets, whatever the method: the gRPC twin of the HTTP
middlewares, the view's deadline and the GraphQL error mapper.

Per call, before the servicer runs:

- the caller's W3C trace context (``traceparent`` metadata) becomes the parent of a SERVER
  span named ``concur_gateway.v1.ReportService/<Method>``; upstream spans nest under it;
- the correlation id (``concur-correlationid`` or ``x-correlation-id`` metadata, else a new
  one) goes into ``CORRELATION_ID`` for the adapters and logs, and back to the caller in
  the response headers (unary calls) or with the stream's first headers;
- ``DEADLINE`` becomes the call's own deadline (``time_remaining()``, less a small margin
  to answer in), cut to the upstream deadline setting for unary calls as HTTP requests
  are; a stream has no single deadline but the caller's, if any.

Then, for a unary call, its price in upstream calls is charged to its caller's share of the
budget (``charge``); a call the share cannot cover is ``RESOURCE_EXHAUSTED`` with
``RetryInfo`` before it reaches the servicer, let alone Concur.

After it: a ``GatewayError`` (or a refused action) becomes a rich status through the one code
table; anything else is logged and masked as ``INTERNAL``; one log line records the method,
status, duration and trace id. Health and reflection pass through untouched.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

import grpc
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, format_trace_id
from opentelemetry.trace import StatusCode as SpanStatus

from adapters.correlation import CORRELATION_ID
from adapters.deadline import DEADLINE, loop_time
from adapters.errors import GatewayError, UpstreamError
from gateway.error_codes import INTERNAL_CODE
from gateway.grpc import errors
from gateway.grpc.metadata import correlation_metadata, inbound_id, text_metadata

if TYPE_CHECKING:
    from gateway.telemetry.metrics import GatewayMetrics

logger = logging.getLogger(__name__)

SERVICE: Final = "concur_gateway.v1.ReportService"
SERVER_FAULTS: Final = frozenset(
    {
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DATA_LOSS,
    }
)
"""Statuses that mark the call's span as failed (OpenTelemetry's rule for gRPC servers);
the others are the caller's business, recorded as attributes only."""

TracerSource = Callable[[], trace.Tracer]
MetricsSource = Callable[[], "GatewayMetrics | None"]
Charge = Callable[[str, Any], Awaitable[None]]
"""Prices a call by its method and charges its caller (``gateway.grpc.charge.RpcCharge``);
raises ``RateLimited`` when the caller's share cannot cover it."""
"""The app's metrics when telemetry is on (looked up per call: they exist once started)."""
ServicerContext = grpc.aio.ServicerContext[Any, Any]
UnaryBehaviour = Callable[[Any, ServicerContext], Awaitable[Any]]
StreamBehaviour = Callable[[Any, ServicerContext], AsyncIterator[Any]]

DEADLINE_MARGIN: Final = 0.1
"""The share of a call's remaining time kept back to answer in (see ``margin``)."""
DEADLINE_MARGIN_MAX_S: Final = 0.05


def margin(remaining: float) -> float:
    """Time kept back from a call's deadline: 10% of what remains, at most 50 ms."""
    return min(remaining * DEADLINE_MARGIN, DEADLINE_MARGIN_MAX_S)


@dataclass(slots=True)
class Call:
    """One call in progress: its span, and how it ended (for the span and the log line)."""

    method: str
    span: trace.Span
    code: grpc.StatusCode = grpc.StatusCode.UNKNOWN

    def ended(self, code: grpc.StatusCode) -> None:
        self.code = code
        self.span.set_attribute("rpc.grpc.status_code", code.value[0])


class CallInterceptor(grpc.aio.ServerInterceptor):
    """Wraps each ReportService method; see the module docstring."""

    def __init__(
        self,
        *,
        tracer: TracerSource,
        deadline_s: float,
        metrics: MetricsSource = lambda: None,
        service: str = SERVICE,
        charge: Charge | None = None,
    ) -> None:
        self._tracer = tracer
        self._charge = charge
        self._metrics = metrics
        self._deadline_s = deadline_s
        self._prefix = f"/{service}/"
        self._service = service

    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any] | None]
        ],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = await continuation(handler_call_details)
        if handler is None or not handler_call_details.method.startswith(self._prefix):
            return handler
        method = handler_call_details.method.removeprefix(self._prefix)
        if handler.unary_unary is not None:
            unary = cast("UnaryBehaviour", handler.unary_unary)
            return grpc.unary_unary_rpc_method_handler(
                self._unary(method, unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            stream = cast("StreamBehaviour", handler.unary_stream)
            return grpc.unary_stream_rpc_method_handler(
                self._stream(method, stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler

    def _unary(self, method: str, behaviour: UnaryBehaviour) -> UnaryBehaviour:
        async def unary(request: Any, context: ServicerContext) -> Any:
            with self._scope(method, context, streaming=False) as call:
                await context.send_initial_metadata(correlation_metadata())
                try:
                    if self._charge is not None:
                        await self._charge(method, context.invocation_metadata())
                    response = await behaviour(request, context)
                except grpc.aio.AbortError:
                    raise
                except BaseException as exc:
                    await self._fail(exc, context, call)
                    raise
                call.ended(grpc.StatusCode.OK)
                return response

        return unary

    def _stream(self, method: str, behaviour: StreamBehaviour) -> StreamBehaviour:
        async def stream(request: Any, context: ServicerContext) -> AsyncIterator[Any]:
            with self._scope(method, context, streaming=True) as call:
                try:
                    async for message in behaviour(request, context):
                        yield message
                except GeneratorExit:
                    call.ended(grpc.StatusCode.CANCELLED)  # the caller left
                    raise
                except grpc.aio.AbortError:
                    raise
                except BaseException as exc:
                    await self._fail(exc, context, call)
                    raise
                call.ended(grpc.StatusCode.OK)

        return stream

    @contextmanager
    def _scope(self, method: str, context: ServicerContext, *, streaming: bool) -> Iterator[Call]:
        """The call's correlation id, deadline and span; one log line when it ends."""
        metadata = context.invocation_metadata()
        correlation_token = CORRELATION_ID.set(inbound_id(metadata))
        deadline_token = DEADLINE.set(self._deadline(context, streaming=streaming))
        parent = propagate.extract(text_metadata(metadata))
        started = time.perf_counter()
        call: Call | None = None
        try:
            with self._tracer().start_as_current_span(
                f"{self._service}/{method}",
                context=parent,
                kind=SpanKind.SERVER,
                attributes={
                    "rpc.system": "grpc",
                    "rpc.service": self._service,
                    "rpc.method": method,
                    "concur.correlation_id": CORRELATION_ID.get() or "",
                },
                record_exception=False,
                set_status_on_exception=False,
            ) as span:
                call = Call(method, span)
                yield call
        finally:
            if call is not None:
                duration = time.perf_counter() - started
                self._log(call, duration)
                recorder = self._metrics()
                if recorder is not None:
                    recorder.record_rpc(call.method, call.code.name, duration)
            DEADLINE.reset(deadline_token)
            CORRELATION_ID.reset(correlation_token)

    def _log(self, call: Call, duration_s: float) -> None:
        """One line per call, as the HTTP middleware writes one per request."""
        context = call.span.get_span_context()
        logger.info(
            "%s/%s -> %s",
            self._service,
            call.method,
            call.code.name,
            extra={
                "rpc_method": call.method,
                "grpc_status": call.code.name,
                "duration_ms": round(duration_s * 1000, 1),
                "trace_id": format_trace_id(context.trace_id) if context.is_valid else None,
            },
        )

    def _deadline(self, context: ServicerContext, *, streaming: bool) -> float | None:
        """The absolute loop time by which this call's upstream calls must be done.

        A little before the caller's own deadline (``margin``), so the gateway stops its
        upstream work and answers ``DEADLINE_EXCEEDED`` with its reason and correlation id,
        rather than being cut off by the caller's timer at the same instant.
        """
        remaining: float | None = context.time_remaining()
        limit = math.inf if remaining is None else max(0.0, remaining - margin(remaining))
        if not streaming:
            limit = min(limit, self._deadline_s)
        return None if math.isinf(limit) else loop_time() + limit

    async def _fail(self, exc: BaseException, context: ServicerContext, call: Call) -> None:
        """Answer ``exc`` with a status (``abort`` raises); let cancellation through."""
        if isinstance(exc, asyncio.CancelledError):
            remaining: float | None = context.time_remaining()
            expired = remaining is not None and remaining <= 0
            call.ended(grpc.StatusCode.DEADLINE_EXCEEDED if expired else grpc.StatusCode.CANCELLED)
            return
        if not isinstance(exc, Exception):
            return  # the process is going down
        correlation_id = CORRELATION_ID.get()
        if isinstance(exc, errors.Refused):
            reason = exc.outcome.problems[0].code if exc.outcome.problems else INTERNAL_CODE
            status = errors.refusal_status(exc.outcome, correlation_id)
        elif isinstance(exc, GatewayError):
            reason = exc.code
            level = logging.WARNING if isinstance(exc, UpstreamError) else logging.INFO
            logger.log(level, "call failed", extra={"code": reason, "rpc_method": call.method})
            status = errors.error_status(exc, correlation_id)
        else:
            reason = INTERNAL_CODE
            logger.error("unexpected error", exc_info=exc, extra={"rpc_method": call.method})
            status = errors.internal_status(correlation_id)
        code = errors.status_code(reason)
        call.ended(code)
        call.span.set_attribute("concur.error_code", reason)
        if code in SERVER_FAULTS:
            call.span.set_status(SpanStatus.ERROR, reason)
        await errors.abort(context, status)


__all__ = [
    "DEADLINE_MARGIN",
    "DEADLINE_MARGIN_MAX_S",
    "SERVER_FAULTS",
    "SERVICE",
    "Call",
    "CallInterceptor",
    "Charge",
    "TracerSource",
    "margin",
]
