"""``GET /metrics`` after real traffic: the counters move, labels stay bounded."""

from __future__ import annotations

from opentelemetry.trace import SpanKind

from adapters.v4.reports import REPORT_ROUTE, TO_APPROVE_ROUTE
from gateway.telemetry.metrics import ANONYMOUS, OTHER, OperationNames
from gateway.telemetry.providers import Telemetry
from tests.support.gateway import MANAGER, GatewayHarness, gateway_settings, pick_report
from tests.support.sandbox import SandboxHarness
from tests.support.telemetry import Spans, sample, scrape, traced_gateway

V4_REPORT_PATH = "^/expensereports/v4/users/[^/]+/context/[^/]+/reports/[^/]+$"
PENDING = "query Pending { reportsToApprove { id name } }"
OPERATIONS = "gateway_graphql_request_duration_seconds_count"
"""Operations are counted by their latency histogram."""
UPSTREAM = "gateway_upstream_request_duration_seconds_count"
HEADER = "query Header($id: ID!) { report(id: $id, context: MANAGER) { id name } }"


async def test_operations_and_upstream_calls_are_counted(gateway: GatewayHarness) -> None:
    token = await gateway.token(MANAGER)
    before = await scrape(gateway)
    for _ in range(2):
        status, body = await gateway.gql(PENDING, token=token)
        assert status == 200, body
    status, body = await gateway.gql(
        'query Gone { report(id: "NOPE", context: MANAGER) { id } }', token=token
    )
    assert status == 200
    code = body["errors"][0]["extensions"]["code"]
    after = await scrape(gateway)

    def moved(name: str, **labels: object) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert moved(OPERATIONS, operation="Pending", type="query", outcome="ok") == 2
    assert moved(OPERATIONS, operation="Gone", type="query", outcome=code) == 1
    # the repeated queue is served from the cache (list generations): one upstream call
    assert moved(UPSTREAM, route=TO_APPROVE_ROUTE, method="GET", status="200", protocol="v4") == 1
    assert moved(UPSTREAM, route=REPORT_ROUTE, status="404") >= 1
    assert moved("gateway_http_request_duration_seconds_count", route="/graphql", status="200") == 3
    assert sample(after, "gateway_upstream_circuit_breaker_state", state="closed") >= 1
    assert sample(after, "gateway_upstream_circuit_breaker_state", state="open") == 0
    assert ("gateway_cache_misses_total", frozenset()) in after
    assert ("gateway_subscriptions_active", frozenset()) in after


async def test_retries_are_counted_after_a_server_error(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND")
    fault = {"method": "GET", "path": V4_REPORT_PATH, "kind": "status", "status": 500, "times": 1}
    status, created = await sandbox.admin("POST", "/_sandbox/faults", fault)
    assert status == 201, created
    before = await scrape(gateway)
    status, body = await gateway.gql(HEADER, {"id": report_id}, token=token)
    assert status == 200, body
    assert "errors" not in body, body
    after = await scrape(gateway)

    def moved(name: str, **labels: object) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert moved("gateway_upstream_retries_total", route=REPORT_ROUTE, method="GET") == 1
    failed = {"route": REPORT_ROUTE, "status": "500", "outcome": "UPSTREAM_UNAVAILABLE"}
    assert moved(UPSTREAM, **failed) == 1
    assert moved(UPSTREAM, route=REPORT_ROUTE, status="200") == 1
    assert moved(OPERATIONS, operation="Header", outcome="ok") == 1


async def test_two_apps_in_one_process_keep_their_own_metrics(
    gateway: GatewayHarness, sandbox: SandboxHarness, spans: Spans
) -> None:
    settings = gateway_settings(sandbox.base_url)
    async with traced_gateway(
        sandbox, settings, Telemetry(tracer_provider=spans.provider)
    ) as other:
        token = await other.token(MANAGER)
        before = sample(await scrape(gateway), OPERATIONS)
        status, _ = await other.gql(PENDING, token=token)
        assert status == 200
        assert sample(await scrape(other), OPERATIONS, operation="Pending") == 1
        assert sample(await scrape(gateway), OPERATIONS) == before


async def test_ess_deliveries_are_counted_and_traced_by_correlation_id(
    sandbox: SandboxHarness, spans: Spans
) -> None:
    key_url = f"{sandbox.base_url}/_sandbox/ess/public-key.pem"
    settings = gateway_settings(sandbox.base_url, ess={"public_keys": [key_url]})
    async with traced_gateway(sandbox, settings, Telemetry(tracer_provider=spans.provider)) as gw:
        app_token = await sandbox.app_token()
        endpoint = str(gw.server.make_url(settings.ess.path))
        subscription = {
            "id": "telemetry-test",
            "filter": ".*",
            "topic": "public.concur.expense.report",
            "webHookConfig": {"endpoint": endpoint},
        }
        reply = await sandbox.call(
            "PUT", "/events/v4/subscriptions/webhook", token=app_token, json=subscription
        )
        assert reply.status == 200, reply.text
        report_id = pick_report(sandbox, "A_PEND")
        spans.clear()
        status, body = await sandbox.admin(
            "POST", "/_sandbox/ess/emit", {"eventType": "reportUpdated", "reportId": report_id}
        )
        assert status < 300, body
        status, drained = await sandbox.admin("POST", "/_sandbox/ess/drain", {})
        assert status == 200, drained
        assert drained["drained"], drained
        status, envelopes = await sandbox.admin("GET", "/_sandbox/ess/events")
        assert status == 200
        correlation_id = envelopes[-1]["correlationId"]
        metrics = await scrape(gw)
    labels = {"event_type": "reportUpdated", "outcome": "applied"}
    assert sample(metrics, "gateway_ess_events_total", **labels) == 1
    (span,) = [
        s
        for s in spans.finished()
        if s.kind is SpanKind.SERVER and s.name == f"POST {settings.ess.path}"
    ]
    attributes = span.attributes or {}
    assert attributes["concur.correlation_id"] == correlation_id
    assert attributes["http.response.status_code"] in (200, 202, 204)


def test_operation_names_are_bounded() -> None:
    names = OperationNames(limit=2)
    assert names.label(None) == ANONYMOUS
    assert names.label("First") == "First"
    assert names.label("Second") == "Second"
    assert names.label("Third") == OTHER
    assert names.label("First") == "First"
    assert OperationNames(limit=5).label("x" * 65) == OTHER
