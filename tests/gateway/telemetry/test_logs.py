"""One JSON line per request and per upstream call, with trace and correlation ids; no
token and no comment in any line or span."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from opentelemetry.trace import SpanKind, format_trace_id

from adapters.correlation import CORRELATION_ID
from gateway.jsonlog import REDACTED, TurnFlushedHandler, configure_logging
from tests.support.gateway import MANAGER, GatewayHarness, pick_report
from tests.support.logs import logging_switches, restore_logging_switches
from tests.support.sandbox import SandboxHarness
from tests.support.telemetry import Spans

SEND_BACK = """mutation SendBack($i: SendBackReportInput!) {
  sendBackReport(input: $i) { report { id } userErrors { code } }
}"""
COMMENT = "Confidential: the hotel folio of Mrs Example is missing"


@pytest.fixture(params=["info"])
def log_lines(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_switches = logging_switches()
    stream = io.StringIO()
    configure_logging(request.param, stream)
    try:
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        restore_logging_switches(saved_switches)


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize("log_lines", ["debug"], indirect=True)
async def test_requests_and_upstream_calls_are_logged_without_secrets(
    gateway: GatewayHarness, sandbox: SandboxHarness, spans: Spans, log_lines: io.StringIO
) -> None:
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    log_lines.truncate(0)
    log_lines.seek(0)
    spans.clear()
    variables = {"i": {"reportId": report_id, "expectedStatus": "A_PEND", "comment": COMMENT}}
    status, body = await gateway.gql(
        SEND_BACK, variables, token=token, headers={"concur-correlationid": "cid-logs-1"}
    )
    assert status == 200, body
    assert body["data"]["sendBackReport"]["userErrors"] == [], body
    assert sandbox.store.reports[report_id].comment == COMMENT

    (operation,) = spans.named("mutation SendBack")
    trace_id = format_trace_id(operation.context.trace_id)
    records = parsed(log_lines)
    requests = [r for r in records if r["logger"] == "gateway.telemetry.middleware"]
    assert len(requests) == 1
    (request,) = requests
    assert request["http_method"] == "POST"
    assert request["http_path"] == "/graphql"
    assert request["http_status"] == 200
    assert request["graphql_operation"] == "SendBack"
    assert request["graphql_operation_type"] == "mutation"
    assert request["outcome"] == "ok"
    assert request["trace_id"] == trace_id
    assert request["correlation_id"] == "cid-logs-1"
    assert "duration_ms" in request
    calls = [s for s in spans.finished() if s.kind is SpanKind.CLIENT]
    assert request["upstream_calls"] == len(calls) > 0
    assert request["upstream_ms"] > 0

    upstream = [r for r in records if r["logger"] == "adapters.http"]
    assert len(upstream) == len([s for s in spans.finished() if s.kind is SpanKind.CLIENT])
    assert upstream
    for line in upstream:
        assert line["trace_id"] == trace_id
        assert line["correlation_id"] == "cid-logs-1"
        assert "{" in line["upstream_route"]

    everything = log_lines.getvalue()
    for secret in (token, COMMENT, "hotel folio"):
        assert secret not in everything
        for span in spans.finished():
            for value in (span.attributes or {}).values():
                assert secret not in str(value)


def test_secret_fields_are_redacted_whoever_logs_them(log_lines: io.StringIO) -> None:
    token = CORRELATION_ID.set("cid-redact")
    try:
        logging.getLogger("gateway.test").warning(
            "careless",
            extra={"access_token": "abc", "comment": "words", "Authorization": "Bearer x"},
        )
    finally:
        CORRELATION_ID.reset(token)
    (record,) = parsed(log_lines)
    assert record["access_token"] == REDACTED
    assert record["comment"] == REDACTED
    assert record["Authorization"] == REDACTED
    assert record["correlation_id"] == "cid-redact"
    assert "trace_id" not in record  # no span is current


async def test_at_info_a_request_is_one_line_that_counts_its_upstream_calls(
    gateway: GatewayHarness, sandbox: SandboxHarness, log_lines: io.StringIO
) -> None:
    token = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    log_lines.truncate(0)
    log_lines.seek(0)
    status, body = await gateway.gql(
        "query($id: ID!) { report(id: $id, context: MANAGER) { id name } }",
        {"id": report_id},
        token=token,
    )
    assert status == 200, body
    assert "errors" not in body, body
    records = parsed(log_lines)
    assert [r["logger"] for r in records if r["logger"] == "adapters.http"] == []
    (request,) = [r for r in records if r["logger"] == "gateway.telemetry.middleware"]
    assert request["upstream_calls"] >= 1


class CountingStream(io.StringIO):
    """A stream that counts how often it is flushed."""

    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


async def test_lines_of_one_loop_turn_are_flushed_together_at_its_end() -> None:
    stream = CountingStream()
    handler = TurnFlushedHandler(stream)
    logger = logging.getLogger("gateway.test.turns")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        for n in range(5):
            logger.info("line %d", n)
        assert stream.getvalue().count("\n") == 5, "every line is written at once"
        assert stream.flushes == 0
        await asyncio.sleep(0)  # the end of this turn
        assert stream.flushes == 1
        logger.warning("at once")
        assert stream.flushes == 2, "warnings are flushed as they come"
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def test_outside_a_loop_every_line_is_flushed() -> None:
    stream = CountingStream()
    handler = TurnFlushedHandler(stream)
    handler.handle(logging.LogRecord("x", logging.INFO, "", 0, "one", None, None))
    handler.handle(logging.LogRecord("x", logging.INFO, "", 0, "two", None, None))
    assert stream.flushes == 2
