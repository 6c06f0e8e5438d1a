"""The interceptor on a bare ``grpc.aio`` server: spans, deadlines, masking, pass-through."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from adapters.correlation import CORRELATION_ID
from adapters.deadline import DEADLINE, loop_time
from adapters.errors import NotFound
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from gateway.grpc.interceptor import SERVICE, CallInterceptor
from tests.support.grpc import rich

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
Behaviour = Callable[[service_pb2.GetReportRequest, Any], Any]


@dataclass
class Bare:
    channel: grpc.aio.Channel
    spans: InMemorySpanExporter
    seen: dict[str, Any]

    def call(self, method: str = "GetReport") -> grpc.aio.UnaryUnaryMultiCallable[Any, Any]:
        return self.channel.unary_unary(
            f"/{SERVICE}/{method}",
            request_serializer=service_pb2.GetReportRequest.SerializeToString,
            response_deserializer=pb.Report.FromString,
        )


@pytest.fixture
async def bare(request: pytest.FixtureRequest) -> AsyncIterator[Bare]:
    behaviour: Behaviour = request.param
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    seen: dict[str, Any] = {}

    async def handler(request: service_pb2.GetReportRequest, context: Any) -> pb.Report:
        seen["deadline"] = DEADLINE.get()
        seen["now"] = loop_time()
        seen["correlation_id"] = CORRELATION_ID.get()
        return await behaviour(request, context)  # type: ignore[no-any-return]

    handlers = {
        "GetReport": grpc.unary_unary_rpc_method_handler(
            handler,
            request_deserializer=service_pb2.GetReportRequest.FromString,
            response_serializer=pb.Report.SerializeToString,
        )
    }
    server = grpc.aio.server(
        interceptors=[CallInterceptor(tracer=lambda: provider.get_tracer("test"), deadline_s=15.0)]
    )
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(SERVICE, handlers)])
    server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler("other.Service", handlers)]
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield Bare(channel, spans, seen)
    finally:
        await server.stop(None)


async def answers(request: service_pb2.GetReportRequest, context: Any) -> pb.Report:
    del context
    return pb.Report(id=request.report_id)


async def explodes(request: service_pb2.GetReportRequest, context: Any) -> pb.Report:
    raise RuntimeError(f"secret detail {request.report_id}")


async def not_found(request: service_pb2.GetReportRequest, context: Any) -> pb.Report:
    raise NotFound("No such report.")


@pytest.mark.parametrize("bare", [answers], indirect=True)
async def test_a_span_per_call_joined_to_the_callers_trace(bare: Bare) -> None:
    metadata = (("traceparent", f"00-{TRACE_ID}-b7ad6b7169203331-01"),)
    report = await bare.call()(service_pb2.GetReportRequest(report_id="R1"), metadata=metadata)
    assert report.id == "R1"
    (span,) = bare.spans.get_finished_spans()
    assert span.name == "concur_gateway.v1.ReportService/GetReport"
    assert span.kind is SpanKind.SERVER
    assert span.context is not None
    assert f"{span.context.trace_id:032x}" == TRACE_ID
    assert span.parent is not None
    assert f"{span.parent.span_id:016x}" == "b7ad6b7169203331"
    attributes = dict(span.attributes or {})
    assert attributes["rpc.system"] == "grpc"
    assert attributes["rpc.service"] == SERVICE
    assert attributes["rpc.method"] == "GetReport"
    assert attributes["rpc.grpc.status_code"] == 0
    assert attributes["concur.correlation_id"] == bare.seen["correlation_id"]


@pytest.mark.parametrize("bare", [not_found], indirect=True)
async def test_one_log_line_per_call(bare: Bare, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gateway.grpc.interceptor")
    with pytest.raises(grpc.aio.AioRpcError):
        await bare.call()(service_pb2.GetReportRequest(report_id="R1"))
    (line,) = [r for r in caplog.records if r.getMessage().endswith("-> NOT_FOUND")]
    assert line.getMessage() == "concur_gateway.v1.ReportService/GetReport -> NOT_FOUND"
    assert line.__dict__["grpc_status"] == "NOT_FOUND"
    assert line.__dict__["duration_ms"] >= 0


@pytest.mark.parametrize("bare", [answers], indirect=True)
async def test_the_calls_deadline_bounds_its_upstream_calls(bare: Bare) -> None:
    await bare.call()(service_pb2.GetReportRequest(report_id="R1"), timeout=2.0)
    left = bare.seen["deadline"] - bare.seen["now"]
    assert 0 < left <= 2.0
    await bare.call()(service_pb2.GetReportRequest(report_id="R1"))  # no deadline: the setting
    left = bare.seen["deadline"] - bare.seen["now"]
    assert 2.0 < left <= 15.0
    assert DEADLINE.get() is None  # nothing leaks out of the call


@pytest.mark.parametrize("bare", [explodes], indirect=True)
async def test_an_unexpected_error_is_masked_as_internal(bare: Bare) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await bare.call()(service_pb2.GetReportRequest(report_id="R9"))
    status = rich(caught.value)
    assert (status.code, status.reason) == (grpc.StatusCode.INTERNAL, "INTERNAL")
    assert status.message == "Unexpected error."
    assert "secret" not in str(caught.value.debug_error_string())
    (span,) = bare.spans.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert dict(span.attributes or {})["rpc.grpc.status_code"] == grpc.StatusCode.INTERNAL.value[0]


@pytest.mark.parametrize("bare", [not_found], indirect=True)
async def test_a_callers_mistake_does_not_fail_the_span(bare: Bare) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await bare.call()(service_pb2.GetReportRequest(report_id="R9"))
    assert rich(caught.value).reason == "NOT_FOUND"
    (span,) = bare.spans.get_finished_spans()
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes or {})["concur.error_code"] == "NOT_FOUND"


@pytest.mark.parametrize("bare", [explodes], indirect=True)
async def test_other_services_pass_through(bare: Bare) -> None:
    call = bare.channel.unary_unary(
        "/other.Service/GetReport",
        request_serializer=service_pb2.GetReportRequest.SerializeToString,
        response_deserializer=pb.Report.FromString,
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(service_pb2.GetReportRequest(report_id="R9"))
    assert caught.value.code() is grpc.StatusCode.UNKNOWN  # grpc's own answer, no mapping
    assert bare.spans.get_finished_spans() == ()
