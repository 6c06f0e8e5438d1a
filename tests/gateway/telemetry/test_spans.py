"""Traces end to end: operation span → upstream spans → the traceparent Concur received."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode, format_span_id, format_trace_id

from gateway.app import create_app
from gateway.settings import TelemetrySettings
from gateway.telemetry.operation import record_cached_answer
from gateway.telemetry.providers import Telemetry
from tests.support.gateway import MANAGER, GatewayHarness, gateway_settings, pick_report
from tests.support.sandbox import SandboxHarness
from tests.support.telemetry import Spans, traced_gateway

REPORT = """query ReportView($id: ID!) {
  report(id: $id, context: MANAGER) {
    id name total { value } entries { id vendor } costObjects { name }
  }
}"""
V4_REPORT_PATH = "^/expensereports/v4/users/[^/]+/context/[^/]+/reports/[^/]+$"


def attribute_values(spans: Iterable[ReadableSpan]) -> list[str]:
    values: list[str] = []
    for span in spans:
        values.append(span.name)
        for value in (span.attributes or {}).values():
            values.append(str(value))
        for event in span.events:
            values.extend(str(v) for v in (event.attributes or {}).values())
    return values


def the_operation(spans: Spans, name: str) -> ReadableSpan:
    (operation,) = spans.named(name)
    return operation


def upstream(spans: Spans) -> list[ReadableSpan]:
    return [span for span in spans.finished() if span.kind is SpanKind.CLIENT]


async def sandbox_requests(sandbox: SandboxHarness) -> list[dict[str, Any]]:
    status, body = await sandbox.admin("GET", "/_sandbox/requests")
    assert status == 200, body
    assert isinstance(body, list)
    return body


async def test_the_operation_span_parents_every_upstream_call_and_concur_sees_it(
    gateway: GatewayHarness, sandbox: SandboxHarness, spans: Spans
) -> None:
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND")
    spans.clear()
    status, body = await gateway.gql(REPORT, {"id": report_id}, token=token)
    assert status == 200, body
    assert "errors" not in body, body

    operation = the_operation(spans, "query ReportView")
    attributes = operation.attributes or {}
    assert operation.kind is SpanKind.SERVER
    assert attributes["graphql.operation.name"] == "ReportView"
    assert attributes["graphql.operation.type"] == "query"
    assert attributes["graphql.document.hash"] == hashlib.sha256(REPORT.encode()).hexdigest()
    assert attributes["concur.correlation_id"]
    assert operation.status.status_code is StatusCode.UNSET

    calls = upstream(spans)
    assert calls, "no upstream spans"
    trace_id = operation.context.trace_id
    for call in calls:
        call_attributes = call.attributes or {}
        assert call.parent is not None
        assert call.parent.span_id == operation.context.span_id
        assert call.context.trace_id == trace_id
        template = str(call_attributes["url.template"])
        assert "{" in template
        assert report_id not in template
        assert call.name == f"{call_attributes['http.request.method']!s} {template}"
        assert call_attributes["http.response.status_code"] == 200
        assert "http.request.resend_count" not in call_attributes
    assert {(c.attributes or {})["concur.protocol"] for c in calls} == {"v4", "XML"}

    # nothing the caller sent (ids, token, document text) is in any span
    values = attribute_values(spans.finished())
    for secret in (report_id, token, "ReportView($id"):
        assert not any(secret in value for value in values), secret

    received = [r for r in await sandbox_requests(sandbox) if r["traceparent"]]
    assert len(received) == len(calls)
    sent_span_ids = {format_span_id(c.context.span_id) for c in calls}
    for record in received:
        version, record_trace, parent_span, _flags = record["traceparent"].split("-")
        assert version == "00"
        assert record_trace == format_trace_id(trace_id)
        assert parent_span in sent_span_ids


async def test_a_client_traceparent_becomes_the_parent(
    gateway: GatewayHarness, sandbox: SandboxHarness, spans: Spans
) -> None:
    token = await gateway.token(MANAGER)
    spans.clear()
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    parent_id = "00f067aa0ba902b7"
    status, body = await gateway.gql(
        "query Pending { reportsToApprove { id } }",
        token=token,
        headers={"traceparent": f"00-{trace_id}-{parent_id}-01"},
    )
    assert status == 200, body
    operation = the_operation(spans, "query Pending")
    assert format_trace_id(operation.context.trace_id) == trace_id
    assert operation.parent is not None
    assert operation.parent.is_remote
    assert format_span_id(operation.parent.span_id) == parent_id
    received = [r for r in await sandbox_requests(sandbox) if r["traceparent"]]
    assert received
    assert all(r["traceparent"].split("-")[1] == trace_id for r in received)


async def test_a_retried_read_is_one_span_per_attempt(
    gateway: GatewayHarness, sandbox: SandboxHarness, spans: Spans
) -> None:
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND")
    fault = {"method": "GET", "path": V4_REPORT_PATH, "kind": "status", "status": 500, "times": 1}
    status, created = await sandbox.admin("POST", "/_sandbox/faults", fault)
    assert status == 201, created
    spans.clear()
    status, body = await gateway.gql(
        "query Header($id: ID!) { report(id: $id, context: MANAGER) { id name } }",
        {"id": report_id},
        token=token,
    )
    assert status == 200, body
    assert "errors" not in body, body
    operation = the_operation(spans, "query Header")
    attempts = [
        s
        for s in upstream(spans)
        if "/reports/{reportId}" in str((s.attributes or {})["url.template"])
    ]
    attempts.sort(key=lambda s: s.start_time or 0)
    assert [(s.attributes or {})["http.response.status_code"] for s in attempts] == [500, 200]
    first, second = attempts
    assert first.status.status_code is StatusCode.ERROR
    assert (first.attributes or {})["error.type"] == "UPSTREAM_UNAVAILABLE"
    assert "http.request.resend_count" not in (first.attributes or {})
    assert (second.attributes or {})["http.request.resend_count"] == 1
    assert all(
        s.parent is not None and s.parent.span_id == operation.context.span_id for s in attempts
    )


async def test_errors_are_recorded_on_the_operation_span(
    gateway: GatewayHarness, spans: Spans
) -> None:
    token = await gateway.token(MANAGER)
    spans.clear()
    status, body = await gateway.gql(
        'query Missing { report(id: "NO-SUCH-REPORT", context: MANAGER) { id } }', token=token
    )
    assert status == 200, body
    codes = [e["extensions"]["code"] for e in body["errors"]]
    operation = the_operation(spans, "query Missing")
    attributes = operation.attributes or {}
    assert operation.status.status_code is StatusCode.ERROR
    assert list(attributes["graphql.error.codes"]) == codes  # type: ignore[arg-type]
    assert attributes["error.type"] == codes[0]
    assert not any("NO-SUCH-REPORT" in v for v in attribute_values(spans.finished()))


async def test_an_anonymous_document_is_named_by_its_type(
    gateway: GatewayHarness, spans: Spans
) -> None:
    token = await gateway.token(MANAGER)
    spans.clear()
    status, _ = await gateway.gql("{ me { kind } }", token=token)
    assert status == 200
    (operation,) = spans.named("query")
    assert "graphql.operation.name" not in (operation.attributes or {})


async def test_a_syntax_error_still_gets_a_span(gateway: GatewayHarness, spans: Spans) -> None:
    spans.clear()
    status, body = await gateway.gql("query Broken { me { id ")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED", (status, body)
    (operation,) = [s for s in spans.finished() if s.kind is SpanKind.SERVER]
    assert (operation.attributes or {})["error.type"] == "GRAPHQL_PARSE_FAILED"


async def test_resolver_spans_only_when_asked_and_without_arguments(
    sandbox: SandboxHarness, spans: Spans
) -> None:
    settings = gateway_settings(sandbox.base_url, telemetry=TelemetrySettings(resolver_spans=True))
    async with traced_gateway(sandbox, settings, Telemetry(tracer_provider=spans.provider)) as gw:
        token = await gw.token(MANAGER)
        report_id = pick_report(sandbox, "A_PEND")
        spans.clear()
        status, body = await gw.gql(REPORT, {"id": report_id}, token=token)
        assert status == 200, body
    operation = the_operation(spans, "query ReportView")
    (resolver,) = spans.named("GraphQL Resolving: report")
    assert resolver.parent is not None
    assert resolver.parent.span_id == operation.context.span_id
    assert not any(key.startswith("graphql.param") for key in (resolver.attributes or {}))
    assert not any(report_id in v for v in attribute_values(spans.finished()))
    assert all(
        s.parent is not None and s.parent.span_id != operation.context.span_id
        for s in upstream(spans)
    ), "upstream calls nest under their resolver"


async def test_no_resolver_spans_by_default(gateway: GatewayHarness, spans: Spans) -> None:
    token = await gateway.token(MANAGER)
    spans.clear()
    await gateway.gql("{ me { id } reportsToApprove { id name } }", token=token)
    assert not [s for s in spans.finished() if s.name.startswith("GraphQL Resolving")]


async def test_other_routes_get_a_server_span_with_the_correlation_id(
    gateway: GatewayHarness, spans: Spans
) -> None:
    spans.clear()
    async with gateway.session.post(
        gateway.server.make_url("/no-such-route"),
        data=b"{}",
        headers={"concur-correlationid": "delivery-42"},
    ) as response:
        assert response.status == 404
    (span,) = [s for s in spans.finished() if s.kind is SpanKind.SERVER]
    attributes = span.attributes or {}
    assert attributes["concur.correlation_id"] == "delivery-42"
    assert attributes["http.response.status_code"] == 404
    assert attributes["http.request.method"] == "POST"


async def test_probes_and_scrapes_are_not_traced(gateway: GatewayHarness, spans: Spans) -> None:
    spans.clear()
    for path in ("/healthz", "/readyz", "/metrics"):
        async with gateway.session.get(gateway.server.make_url(path)) as response:
            assert response.status == 200, path
    assert not [s for s in spans.finished() if s.kind is SpanKind.SERVER]


async def test_telemetry_off_means_no_spans_and_no_metrics(
    sandbox: SandboxHarness, spans: Spans
) -> None:
    settings = gateway_settings(sandbox.base_url, telemetry=TelemetrySettings(enabled=False))
    async with traced_gateway(sandbox, settings, Telemetry(tracer_provider=spans.provider)) as gw:
        token = await gw.token(MANAGER)
        status, _ = await gw.gql("{ reportsToApprove { id } }", token=token)
        assert status == 200
        async with gw.session.get(gw.server.make_url("/metrics")) as response:
            assert response.status == 404
    assert spans.finished() == []
    received = await sandbox_requests(sandbox)
    assert received
    assert all(r["traceparent"] is None for r in received)


async def test_cache_hits_and_misses_are_events_on_the_operation_span(
    gateway: GatewayHarness, sandbox: SandboxHarness, spans: Spans
) -> None:
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND")
    spans.clear()
    for name, fields in (("First", "id name"), ("Second", "id total { value }")):
        query = f"query {name}($id: ID!) {{ report(id: $id, context: MANAGER) {{ {fields} }} }}"
        status, body = await gateway.gql(query, {"id": report_id}, token=token)
        assert status == 200, body
    first, second = (the_operation(spans, f"query {name}") for name in ("First", "Second"))
    assert {event.name for event in first.events} == {"cache.miss"}
    assert {event.name for event in second.events} == {"cache.hit"}
    assert not [s for s in spans.children_of(second) if s.kind is SpanKind.CLIENT]
    assert all((e.attributes or {}).get("cache.resource") for e in [*first.events, *second.events])


async def test_an_answer_from_the_response_cache_gets_its_operation_span(
    sandbox: SandboxHarness, spans: Spans
) -> None:
    settings = gateway_settings(sandbox.base_url)
    app = create_app(settings, Telemetry(tracer_provider=spans.provider))

    async def cached(request: web.Request) -> web.Response:
        record_cached_answer(request, operation_name="Kept", document_hash="d1gest")
        return web.json_response({"data": {}})

    app.router.add_post("/cached-answer", cached)
    server = TestServer(app)
    async with server, aiohttp.ClientSession() as session:
        async with session.post(
            server.make_url("/cached-answer"), headers={"concur-correlationid": "cid-kept"}
        ) as response:
            assert response.status == 200
        async with session.get(server.make_url("/metrics")) as response:
            metrics = await response.text()
    (span,) = [s for s in spans.finished() if s.name == "query Kept"]
    attributes = span.attributes or {}
    assert attributes["gateway.response_cache"] == "hit"
    assert attributes["graphql.document.hash"] == "d1gest"
    assert attributes["graphql.operation.name"] == "Kept"
    assert attributes["concur.correlation_id"] == "cid-kept"
    assert (span.end_time or 0) >= (span.start_time or 0)
    counted = 'operation="Kept",outcome="ok",type="query"} 1.0'
    assert f"gateway_graphql_request_duration_seconds_count{{{counted}" in metrics


async def test_without_an_exporter_trace_context_still_reaches_concur(
    sandbox: SandboxHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OTEL_TRACES_EXPORTER", "OTEL_TRACES_SAMPLER"):
        monkeypatch.delenv(name, raising=False)
    uncached = gateway_settings(sandbox.base_url, cache={"list_ttl_s": 0})  # each list: Concur
    async with traced_gateway(sandbox, uncached, None) as gw:
        token = await gw.token(MANAGER)
        status, _ = await gw.gql("{ reportsToApprove { id } }", token=token)
        assert status == 200
        own = [r["traceparent"].split("-") for r in await sandbox_requests(sandbox)]
        assert own
        assert len({trace_id for _, trace_id, _, _ in own}) == 1  # one trace per operation
        assert all(int(flags, 16) & 1 == 0 for *_, flags in own)  # not sampled: unrecorded
        await sandbox.reset_stats()
        caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        status, _ = await gw.gql(
            "{ reportsToApprove { name } }", token=token, headers={"traceparent": caller}
        )
        assert status == 200
        received = {r["traceparent"] for r in await sandbox_requests(sandbox)}
    assert received
    for traceparent in received:
        _, trace_id, _, flags = traceparent.split("-")
        assert trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
        assert int(flags, 16) & 1 == 1  # the caller's sampling decision, passed on
