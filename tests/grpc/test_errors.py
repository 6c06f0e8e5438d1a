"""Each failure's gRPC status and ``ErrorInfo.reason``, from the one code table."""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from typing import Any

import grpc
import pytest
from google.rpc import code_pb2, error_details_pb2

from adapters import errors as gateway_errors
from gateway.error_codes import GRPC_STATUS, grpc_status_name
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from sandbox import seed
from tests.conftest import SandboxHarness
from tests.gateway.harness import (
    MANAGER,
    PROCESSOR,
    TRAVELER,
    TRAVELER2,
    action_calls,
    gateway_settings,
    pick_report,
)
from tests.grpc.harness import GrpcGateway, Rich, auth, rich, running_grpc_gateway

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


async def failure(call: Awaitable[Any]) -> Rich:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return rich(caught.value)


async def fault(sandbox: SandboxHarness, **rule: Any) -> None:
    status, body = await sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status in (200, 201), body


def subclasses(cls: type[gateway_errors.GatewayError]) -> Iterator[type[Any]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def test_every_error_code_has_a_status() -> None:
    """Every code of the hierarchy (GraphQL-only codes, like persisted queries', live
    elsewhere and never reach a gRPC caller)."""
    codes = {
        cls.code
        for cls in subclasses(gateway_errors.GatewayError)
        if cls.__module__ == gateway_errors.__name__
    }
    assert "WORKFLOW_STEP_MISMATCH" in codes
    assert codes <= set(GRPC_STATUS)
    for code, name in GRPC_STATUS.items():
        assert grpc.StatusCode[name].name == name, code
        assert code_pb2.Code.Value(name) == grpc.StatusCode[name].value[0]
    assert grpc_status_name("SOMETHING_NEW") == "INTERNAL"


def get_report(gw: GrpcGateway, report_id: str, token: str | None, **request: Any) -> Any:
    metadata = auth(token) if token is not None else ()
    return gw.stub.GetReport(
        service_pb2.GetReportRequest(report_id=report_id, **request), metadata=metadata
    )


@pytest.mark.parametrize(
    "metadata",
    [(), (("authorization", "Bearer not-a-jwt"),), (("authorization", "Basic dXNlcjpwdw=="),)],
    ids=["missing", "garbage", "wrong-scheme"],
)
async def test_unauthenticated(gw: GrpcGateway, metadata: tuple[tuple[str, str], ...]) -> None:
    report_id = pick_report(gw.sandbox, "A_PEND")
    status = await failure(
        gw.stub.GetReport(service_pb2.GetReportRequest(report_id=report_id), metadata=metadata)
    )
    assert (status.code, status.reason) == (grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED")
    assert status.domain == "concur-gateway"
    assert status.metadata["correlationId"]
    status = await failure(
        gw.stub.ApproveReport(
            service_pb2.ApproveReportRequest(report_id=report_id, expected_status="A_PEND"),
            metadata=metadata,
        )
    )
    assert status.code is grpc.StatusCode.UNAUTHENTICATED
    assert action_calls(await gw.upstream_calls()) == {}


async def test_an_expired_token_is_unauthenticated(gw: GrpcGateway) -> None:
    token = await gw.sandbox.user_token(TRAVELER)
    await gw.sandbox.admin("POST", "/_sandbox/clock", json={"advance_s": 3601})
    status = await failure(get_report(gw, pick_report(gw.sandbox, "A_PEND"), token))
    assert status.reason == "UNAUTHENTICATED"


async def test_forbidden_is_permission_denied(gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER2)
    status = await failure(get_report(gw, pick_report(gw.sandbox, "A_PEND"), token))
    assert (status.code, status.reason) == (grpc.StatusCode.PERMISSION_DENIED, "FORBIDDEN")


async def test_not_found(gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER)
    status = await failure(get_report(gw, "0000000000000000DEAD", token))
    assert (status.code, status.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    status = await failure(
        gw.stub.GetEntry(
            service_pb2.GetEntryRequest(
                report_id=pick_report(gw.sandbox, "A_PEND"), entry_id="NOPE"
            ),
            metadata=auth(token),
        )
    )
    assert status.reason == "NOT_FOUND"


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [({"report_id": ""}, "reportId"), ({"context": 99}, "context")],
    ids=["empty-id", "unknown-enum"],
)
async def test_invalid_argument(
    gw: GrpcGateway, request_fields: dict[str, Any], field: str
) -> None:
    token = await gw.token(TRAVELER)
    fields = {"report_id": pick_report(gw.sandbox, "A_PEND"), **request_fields}
    status = await failure(
        gw.stub.GetReport(service_pb2.GetReportRequest(**fields), metadata=auth(token))
    )
    assert (status.code, status.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "BAD_USER_INPUT")
    assert [v.field for v in status.detail(error_details_pb2.BadRequest).field_violations] == [
        field
    ]
    assert await gw.upstream_calls() == {}


async def test_the_processor_step_is_unsupported(gw: GrpcGateway) -> None:
    token = await gw.token(PROCESSOR)
    report_id = pick_report(gw.sandbox, "A_ACCO")
    status = await failure(
        gw.stub.ApproveReport(
            service_pb2.ApproveReportRequest(report_id=report_id, expected_status="A_ACCO"),
            metadata=auth(token),
        )
    )
    assert (status.code, status.reason) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "UNSUPPORTED_WORKFLOW_STEP",
    )
    assert action_calls(await gw.upstream_calls()) == {}


async def test_submitting_an_empty_report_is_a_conflict(gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER)
    empty = next(
        r.report_id
        for r in gw.sandbox.store.reports.values()
        if r.owner_id == seed.TRAVELER_ID and not r.entries
    )
    status = await failure(
        gw.stub.SubmitReport(
            service_pb2.SubmitReportRequest(report_id=empty, expected_status="A_NOTF"),
            metadata=auth(token),
        )
    )
    assert (status.code, status.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CONFLICT")
    assert status.detail(service_pb2.ActionRefusal).report.approval_status.code == "A_NOTF"


async def test_a_refused_action_is_workflow_action_failed(gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    await fault(gw.sandbox, method="PATCH", path="/approve$", kind="status", status=409, times=1)
    status = await failure(
        gw.stub.ApproveReport(
            service_pb2.ApproveReportRequest(report_id=report_id, expected_status="A_PEND"),
            metadata=auth(token),
        )
    )
    assert (status.code, status.reason) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "WORKFLOW_ACTION_FAILED",
    )


async def test_a_lost_answer_is_unknown(gw: GrpcGateway) -> None:
    """How the repeat settles it: ``tests/grpc/test_actions.py``."""
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    await fault(gw.sandbox, method="PATCH", path="/approve$", kind="drop", times=1)
    request = service_pb2.ApproveReportRequest(
        report_id=report_id, expected_status="A_PEND", idempotency_key="lost-1"
    )
    first = await failure(gw.stub.ApproveReport(request, metadata=auth(token)))
    assert (first.code, first.reason) == (grpc.StatusCode.UNKNOWN, "ACTION_OUTCOME_UNKNOWN")
    assert "re-read" in first.message
    assert sum(action_calls(await gw.upstream_calls()).values()) == 1


async def test_throttling_is_resource_exhausted(gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER)
    await fault(gw.sandbox, method="GET", path="/reports/", kind="rate_limit", retry_after=0)
    status = await failure(get_report(gw, pick_report(gw.sandbox, "A_PEND"), token))
    assert (status.code, status.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED")
    assert status.metadata["retryAfter"] == "0"
    assert status.detail(error_details_pb2.RetryInfo).retry_delay.ToNanoseconds() == 0


async def test_a_failing_upstream_is_unavailable(gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER)
    await fault(gw.sandbox, method="GET", path="/reports/", kind="status", status=503)
    status = await failure(get_report(gw, pick_report(gw.sandbox, "A_PEND"), token))
    assert (status.code, status.reason) == (grpc.StatusCode.UNAVAILABLE, "UPSTREAM_UNAVAILABLE")


async def test_hostile_xml_costs_its_part_with_its_reason(gw: GrpcGateway) -> None:
    """The details answer is hostile: the entries are left empty with a ``PartError`` naming
    the code; the header stands and the call is OK."""
    token = await gw.token(TRAVELER)
    report_id = pick_report(gw.sandbox, "A_PEND")
    await fault(gw.sandbox, method="GET", path="/reportfulldetails/", kind="xxe_xml")
    report = await gw.stub.GetReport(
        service_pb2.GetReportRequest(
            report_id=report_id, include=service_pb2.ReportInclude(entries=True)
        ),
        metadata=auth(token),
    )
    assert report.id == report_id
    assert report.name
    assert list(report.entries) == []
    assert [(e.part, e.code) for e in report.part_errors] == [("entries", "UPSTREAM_BAD_RESPONSE")]
    assert "root:" not in report.part_errors[0].message


async def test_an_upstream_timeout_is_deadline_exceeded(sandbox: SandboxHarness) -> None:
    settings = gateway_settings(sandbox.base_url, upstream={"deadline_s": 0.3}, grpc={"port": 0})
    async with running_grpc_gateway(sandbox, settings) as gw:
        token = await gw.token(TRAVELER)
        await fault(sandbox, method="GET", path="/reports/", kind="latency", latency_ms=1500)
        status = await failure(get_report(gw, pick_report(sandbox, "A_PEND"), token))
        assert (status.code, status.reason) == (
            grpc.StatusCode.DEADLINE_EXCEEDED,
            "UPSTREAM_TIMEOUT",
        )
        await sandbox.admin("DELETE", "/_sandbox/faults")


async def test_the_correlation_id_ties_the_call_to_concur(gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER)
    metadata = auth(
        token,
        **{
            "concur-correlationid": "grpc-call-7",
            "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01",
        },
    )
    call = gw.stub.GetReport(
        service_pb2.GetReportRequest(report_id="0000000000000000DEAD"), metadata=metadata
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert ("concur-correlationid", "grpc-call-7") in tuple(await call.initial_metadata())
    assert rich(caught.value).metadata["correlationId"] == "grpc-call-7"
    status, recent = await gw.sandbox.admin("GET", "/_sandbox/requests")
    assert status == 200
    upstream = [r for r in recent if r["correlation_id"] == "grpc-call-7"]
    assert upstream
    assert all(TRACE_ID in (r["traceparent"] or "") for r in upstream)


async def test_an_unsafe_correlation_id_is_replaced(gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER)
    call = gw.stub.GetReport(
        service_pb2.GetReportRequest(report_id=pick_report(gw.sandbox, "A_PEND")),
        metadata=auth(token, **{"x-correlation-id": "bad id; with spaces"}),
    )
    await call
    (value,) = [v for k, v in await call.initial_metadata() if k == "concur-correlationid"]
    assert value != "bad id; with spaces"
    assert len(str(value)) == 36


async def test_the_context_enum_defaults_to_traveler(gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    status = await failure(get_report(gw, report_id, token))  # the manager does not own it
    assert status.reason == "FORBIDDEN"
    report = await get_report(gw, report_id, token, context=pb.REPORT_CONTEXT_MANAGER)
    assert report.id == report_id
