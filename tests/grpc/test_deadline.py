"""A caller's deadline reaches the upstream calls: a slow Concur cannot outlive the call."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest
from google.rpc import status_pb2

from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from tests.gateway.harness import TRAVELER, pick_report
from tests.grpc.harness import DETAILS_KEY, GrpcGateway, auth, rich

EVERYTHING = service_pb2.ReportInclude(
    entries=True, cost_objects=True, workflow=True, available_actions=True
)
SETTLE_S = 10.0
"""An upper bound for the sandbox's delayed answers to finish; a leak never does."""


LISTENERS = ("AioServer._request_registered_call", "AioServer._request_call")
"""The gRPC server's own tasks waiting for the next call: always one, renewed per call."""


def is_listener(task: asyncio.Task[Any]) -> bool:
    return any(name in repr(task) for name in LISTENERS)


async def known(gw: GrpcGateway, token: str, report_id: str, context: int) -> None:
    """Read *another* report of the same list in full first: the lists that named its key
    named this report's too (so no list call is left to make), and the pools hold the
    connections the slow call will use; this report itself is not in the read cache."""
    stored = gw.sandbox.store.reports[report_id]
    other = next(
        r.report_id
        for r in gw.sandbox.store.reports.values()
        if r.report_id != report_id
        and r.owner_id == stored.owner_id
        and r.workflow.approval_status == stored.workflow.approval_status
    )
    request = service_pb2.GetReportRequest(report_id=other, context=context, include=EVERYTHING)
    assert (await gw.stub.GetReport(request, metadata=auth(token), timeout=10)).id == other


async def settled(baseline: set[asyncio.Task[Any]]) -> None:
    """Wait until every task started since ``baseline`` is done (waiting on the tasks)."""
    me = asyncio.current_task()
    while True:
        started = {
            t
            for t in asyncio.all_tasks() - baseline
            if t is not me and not t.done() and not is_listener(t)
        }
        if not started:
            return
        _, pending = await asyncio.wait(started, timeout=SETTLE_S)
        assert not pending, [repr(t) for t in pending]


@pytest.mark.parametrize("include", [service_pb2.ReportInclude(), EVERYTHING])
async def test_a_short_deadline_ends_the_call_and_every_upstream_call(
    gw: GrpcGateway, include: service_pb2.ReportInclude
) -> None:
    token = await gw.token(TRAVELER)
    report_id = pick_report(gw.sandbox, "A_PEND")
    request = service_pb2.GetReportRequest(report_id=report_id, include=include)
    await known(gw, token, report_id, pb.REPORT_CONTEXT_TRAVELER)
    for path in ("/reports/", "/reportfulldetails/", "/costObjectsForApprover"):
        status, body = await gw.sandbox.admin(
            "POST",
            "/_sandbox/faults",
            json={"method": "GET", "path": path, "kind": "latency", "latency_ms": 1500},
        )
        assert status in (200, 201), body
    baseline = asyncio.all_tasks()

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await gw.stub.GetReport(request, metadata=auth(token), timeout=0.3)

    assert caught.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    trailers = dict(caught.value.trailing_metadata() or ())
    if DETAILS_KEY in trailers:  # the gateway answered before the caller's timer fired
        assert rich(caught.value).reason == "UPSTREAM_TIMEOUT"
        assert status_pb2.Status.FromString(trailers[DETAILS_KEY]).code == 4
    await settled(baseline)
    await gw.sandbox.admin("DELETE", "/_sandbox/faults")
    report = await gw.stub.GetReport(request, metadata=auth(token), timeout=10)
    assert report.id == report_id  # the gateway is fine afterwards


async def test_an_action_with_a_short_deadline_is_not_sent_late(gw: GrpcGateway) -> None:
    """The guard's read runs out of time, so nothing is sent (rather than sent after the
    caller has given up)."""
    token = await gw.token("manager@example.com")
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    await known(gw, token, report_id, pb.REPORT_CONTEXT_MANAGER)
    status, body = await gw.sandbox.admin(
        "POST",
        "/_sandbox/faults",
        json={
            "method": "GET",
            "path": "/reportfulldetails/",
            "kind": "latency",
            "latency_ms": 1500,
        },
    )
    assert status in (200, 201), body
    baseline = asyncio.all_tasks()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await gw.stub.ApproveReport(
            service_pb2.ApproveReportRequest(report_id=report_id, expected_status="A_PEND"),
            metadata=auth(token),
            timeout=0.3,
        )
    assert caught.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    await settled(baseline)
    assert gw.sandbox.store.reports[report_id].workflow.approval_status == "A_PEND"
