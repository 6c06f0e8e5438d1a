"""BulkAct over gRPC: each item's result streamed as it completes, same rules as GraphQL."""

from __future__ import annotations

import grpc
import pytest

from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from sandbox import seed
from tests.support.gateway import MANAGER, TRAVELER, action_calls
from tests.support.grpc import GrpcGateway, auth


async def test_bulk_act_streams_every_item_once(gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    pending = [
        r.report_id
        for r in gw.sandbox.store.reports.values()
        if r.workflow.approval_status == "A_PEND" and not r.cost_objects
    ][:2]
    request = service_pb2.BulkActRequest(
        approvals=[
            service_pb2.ApproveReportRequest(report_id=pending[0], expected_status="A_PEND"),
            service_pb2.ApproveReportRequest(report_id=pending[1], expected_status="A_RESU"),
        ],
        send_backs=[],
        batch_key="grpc-batch",
    )
    results = [r async for r in gw.stub.BulkAct(request, metadata=auth(token))]
    by_index = {r.index: r for r in results}
    assert sorted(by_index) == [0, 1]
    assert by_index[0].report_id == pending[0]
    assert by_index[0].outcome == pb.ACTION_OUTCOME_APPLIED
    assert by_index[1].outcome == pb.ACTION_OUTCOME_REFUSED
    assert [e.code for e in by_index[1].user_errors] == ["WORKFLOW_STEP_MISMATCH"]
    assert sum(action_calls(await gw.upstream_calls()).values()) == 1

    await gw.sandbox.reset_stats()
    again = [r async for r in gw.stub.BulkAct(request, metadata=auth(token))]
    assert {r.index: r.outcome for r in again}[0] == pb.ACTION_OUTCOME_APPLIED
    assert action_calls(await gw.upstream_calls()) == {}


async def test_bulk_act_refuses_a_report_named_twice_before_sending(gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    item = service_pb2.ApproveReportRequest(report_id="R1", expected_status="A_PEND")
    call = gw.stub.BulkAct(service_pb2.BulkActRequest(approvals=[item, item]), metadata=auth(token))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        [r async for r in call]
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert await gw.upstream_calls() == {}


async def test_audit_trail_of_a_report_and_of_everything_for_an_administrator(
    gw: GrpcGateway,
) -> None:
    manager = await gw.token(MANAGER)
    report_id = next(
        r.report_id
        for r in gw.sandbox.store.reports.values()
        if r.workflow.approval_status == "A_PEND" and not r.cost_objects
    )
    await gw.stub.ApproveReport(
        service_pb2.ApproveReportRequest(report_id=report_id, expected_status="A_PEND"),
        metadata=auth(manager),
    )
    traveler = await gw.token(TRAVELER)
    own = await gw.stub.GetReportAuditTrail(
        service_pb2.GetReportAuditTrailRequest(report_id=report_id), metadata=auth(traveler)
    )
    assert [(r.kind, r.outcome) for r in own.records] == [
        (pb.AUDIT_RECORD_KIND_INTENT, pb.ACTION_OUTCOME_UNSPECIFIED),
        (pb.AUDIT_RECORD_KIND_OUTCOME, pb.ACTION_OUTCOME_APPLIED),
    ]
    assert own.records[1].concur_status == "A_PEND"
    assert own.next_page_token == ""

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await gw.stub.ListAuditRecords(
            service_pb2.ListAuditRecordsRequest(), metadata=auth(traveler)
        )
    assert caught.value.code() is grpc.StatusCode.PERMISSION_DENIED

    admin = await gw.token(seed.ADMIN_LOGIN)
    first = await gw.stub.ListAuditRecords(
        service_pb2.ListAuditRecordsRequest(report_id=report_id, page_size=1),
        metadata=auth(admin),
    )
    assert [r.kind for r in first.records] == [pb.AUDIT_RECORD_KIND_INTENT]
    rest = await gw.stub.ListAuditRecords(
        service_pb2.ListAuditRecordsRequest(
            report_id=report_id, page_size=1, page_token=first.next_page_token
        ),
        metadata=auth(admin),
    )
    assert [r.outcome for r in rest.records] == [pb.ACTION_OUTCOME_APPLIED]
    assert rest.next_page_token == ""
