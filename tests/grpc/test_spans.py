"""One SERVER span per call, in the app's own tracer provider, with upstream spans inside."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import grpc
import pytest
from aiohttp.test_utils import TestServer
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families

from gateway.app import create_app
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.server import GRPC_SERVER
from gateway.telemetry.providers import Telemetry
from tests.conftest import SandboxHarness
from tests.gateway.harness import TRAVELER, GatewayHarness, pick_report
from tests.grpc.harness import GrpcGateway, auth, grpc_settings

TRACE_ID = "5b8efff798038103d269b633813fc60c"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def traced(
    sandbox: SandboxHarness, exporter: InMemorySpanExporter
) -> AsyncIterator[GrpcGateway]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(grpc_settings(sandbox), Telemetry(tracer_provider=provider))
    async with (
        TestServer(app) as server,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        target = app[GRPC_SERVER].target
        async with grpc.aio.insecure_channel(target) as channel:
            http = GatewayHarness(server=server, session=session, sandbox=sandbox)
            yield GrpcGateway(http, channel, target)
    provider.shutdown()


def descendants(spans: list[ReadableSpan], root: ReadableSpan) -> list[ReadableSpan]:
    assert root.context is not None
    by_id = {s.context.span_id: s for s in spans if s.context is not None}
    found = []
    for span in spans:
        parent = span.parent
        while parent is not None:
            if parent.span_id == root.context.span_id:
                found.append(span)
                break
            above = by_id.get(parent.span_id)
            parent = above.parent if above is not None else None
    return found


async def test_upstream_spans_nest_under_the_call(
    traced: GrpcGateway, exporter: InMemorySpanExporter
) -> None:
    token = await traced.token(TRAVELER)
    exporter.clear()
    report_id = pick_report(traced.sandbox, "A_PEND")
    await traced.stub.GetReport(
        service_pb2.GetReportRequest(
            report_id=report_id, include=service_pb2.ReportInclude(entries=True)
        ),
        metadata=auth(token, traceparent=f"00-{TRACE_ID}-a3ce929d0e0e4736-01"),
    )
    spans = list(exporter.get_finished_spans())
    (call,) = [s for s in spans if s.name == "concur_gateway.v1.ReportService/GetReport"]
    assert call.kind is SpanKind.SERVER
    assert call.context is not None
    assert f"{call.context.trace_id:032x}" == TRACE_ID  # joined to the caller's trace
    attributes = dict(call.attributes or {})
    assert (attributes["rpc.system"], attributes["rpc.method"]) == ("grpc", "GetReport")
    assert attributes["rpc.grpc.status_code"] == 0
    upstream = [s for s in spans if s.kind is SpanKind.CLIENT]
    # The v4 header, the v1.1 lists that name the traveler's key (TOAPPROVE, then ACTIVE)
    # and the v1.1 full details.
    assert len(upstream) == 4
    assert all(s in descendants(spans, call) for s in upstream)


async def test_calls_are_counted_in_the_metrics(traced: GrpcGateway) -> None:
    token = await traced.token(TRAVELER)
    report_id = pick_report(traced.sandbox, "A_PEND")
    request = service_pb2.GetReportRequest(report_id=report_id)
    await traced.stub.GetReport(request, metadata=auth(token))
    with pytest.raises(grpc.aio.AioRpcError):
        await traced.stub.GetReport(request, metadata=auth("garbage"))
    async with traced.http.session.get(traced.http.server.make_url("/metrics")) as response:
        text = await response.text()
    counts = {
        (sample.labels["method"], sample.labels["code"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "gateway_grpc_request_duration_seconds_count"
    }
    assert counts[("GetReport", "OK")] == 1, counts
    assert counts[("GetReport", "UNAUTHENTICATED")] == 1, counts
