"""Workflow actions over gRPC: one action upstream, the guard, idempotency, refusals."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.rpc import error_details_pb2

from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from sandbox import seed
from tests.gateway.harness import MANAGER, TRAVELER, action_calls, is_xml_action, pick_report
from tests.grpc.harness import GrpcGateway, auth, rich


async def refused(call: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call  # type: ignore[misc]
    return caught.value


async def actions_sent(gw: GrpcGateway) -> int:
    return sum(action_calls(await gw.upstream_calls()).values())


@pytest.mark.parametrize(
    ("protocol", "xml"), [(pb.PROTOCOL_UNSPECIFIED, False), (pb.PROTOCOL_XML, True)]
)
async def test_approve(gw: GrpcGateway, protocol: pb.Protocol.ValueType, xml: bool) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    response = await gw.stub.ApproveReport(
        service_pb2.ApproveReportRequest(
            report_id=report_id, expected_status="A_PEND", protocol=protocol
        ),
        metadata=auth(token),
    )
    assert response.report.id == report_id
    assert response.report.approval_status.code == "A_ACCO"
    assert gw.sandbox.store.reports[report_id].workflow.approval_status == "A_ACCO"
    (route,) = action_calls(await gw.upstream_calls())
    assert is_xml_action(route) is xml
    assert await actions_sent(gw) == 1


async def test_send_back(gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    response = await gw.stub.SendBackReport(
        service_pb2.SendBackReportRequest(
            report_id=report_id, expected_status="A_PEND", comment="Add the hotel folio."
        ),
        metadata=auth(token),
    )
    assert response.report.approval_status.code == "A_RESU"
    assert gw.sandbox.store.reports[report_id].comment == "Add the hotel folio."
    assert await actions_sent(gw) == 1


async def test_recall_then_submit(gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    recalled = await gw.stub.RecallReport(
        service_pb2.RecallReportRequest(report_id=report_id, expected_status="A_PEND"),
        metadata=auth(token),
    )
    assert recalled.report.approval_status.code == "A_RESU"
    submitted = await gw.stub.SubmitReport(
        service_pb2.SubmitReportRequest(report_id=report_id, expected_status="A_RESU"),
        metadata=auth(token),
    )
    assert submitted.report.approval_status.code == "A_PEND"
    assert await actions_sent(gw) == 2


async def test_a_mismatch_is_refused_with_the_current_report(gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    error = await refused(
        gw.stub.ApproveReport(
            service_pb2.ApproveReportRequest(report_id=report_id, expected_status="A_PECO"),
            metadata=auth(token),
        )
    )
    status = rich(error)
    assert status.code is grpc.StatusCode.FAILED_PRECONDITION
    assert status.reason == "WORKFLOW_STEP_MISMATCH"
    assert "A_PEND" in status.message
    refusal = status.detail(service_pb2.ActionRefusal)
    assert [e.code for e in refusal.user_errors] == ["WORKFLOW_STEP_MISMATCH"]
    assert refusal.report.approval_status.code == "A_PEND"  # decide again without a read
    assert await actions_sent(gw) == 0


async def test_bad_input_names_the_field_before_any_upstream_call(gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    error = await refused(
        gw.stub.SendBackReport(
            service_pb2.SendBackReportRequest(report_id=report_id, expected_status="A_PEND"),
            metadata=auth(token),
        )
    )
    status = rich(error)
    assert (status.code, status.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "BAD_USER_INPUT")
    assert status.metadata["field"] == "comment"
    violations = status.detail(error_details_pb2.BadRequest).field_violations
    assert [v.field for v in violations] == ["comment"]
    assert not status.detail(service_pb2.ActionRefusal).HasField("report")
    assert await gw.upstream_calls() == {}


async def test_recall_and_submit_require_an_expected_status(gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER)
    report_id = pick_report(gw.sandbox, "A_PEND")
    error = await refused(
        gw.stub.RecallReport(
            service_pb2.RecallReportRequest(report_id=report_id), metadata=auth(token)
        )
    )
    assert rich(error).reason == "BAD_USER_INPUT"
    assert rich(error).metadata["field"] == "expectedStatus"
    error = await refused(
        gw.stub.SubmitReport(service_pb2.SubmitReportRequest(), metadata=auth(token))
    )
    assert (rich(error).reason, rich(error).metadata["field"]) == ("BAD_USER_INPUT", "reportId")
    assert await gw.upstream_calls() == {}


async def test_the_same_idempotency_key_twice_acts_once(gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    request = service_pb2.ApproveReportRequest(
        report_id=report_id, expected_status="A_PEND", idempotency_key="grpc-approve-1"
    )
    first = await gw.stub.ApproveReport(request, metadata=auth(token))
    second = await gw.stub.ApproveReport(request, metadata=auth(token))
    assert first == second
    assert first.report.approval_status.code == "A_ACCO"
    assert await actions_sent(gw) == 1


async def test_concurrent_duplicates_act_once(gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    request = service_pb2.ApproveReportRequest(
        report_id=report_id, expected_status="A_PEND", idempotency_key="grpc-approve-2"
    )
    responses = await asyncio.gather(
        *(gw.stub.ApproveReport(request, metadata=auth(token)) for _ in range(4))
    )
    assert all(r == responses[0] for r in responses)
    assert await actions_sent(gw) == 1


async def test_a_refusal_releases_the_key_and_its_repeat_is_refused_alike(
    gw: GrpcGateway,
) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    request = service_pb2.ApproveReportRequest(
        report_id=report_id, expected_status="A_PECO", idempotency_key="grpc-approve-3"
    )
    first = rich(await refused(gw.stub.ApproveReport(request, metadata=auth(token))))
    second = rich(await refused(gw.stub.ApproveReport(request, metadata=auth(token))))
    assert first.reason == second.reason == "WORKFLOW_STEP_MISMATCH"
    assert first.detail(service_pb2.ActionRefusal) == second.detail(service_pb2.ActionRefusal)


async def test_a_key_reused_for_another_report_is_aborted(gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    first_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    other_id = pick_report(gw.sandbox, "A_PEND", owner=seed.TRAVELER2_ID)
    await gw.stub.ApproveReport(
        service_pb2.ApproveReportRequest(
            report_id=first_id, expected_status="A_PEND", idempotency_key="k"
        ),
        metadata=auth(token),
    )
    error = await refused(
        gw.stub.ApproveReport(
            service_pb2.ApproveReportRequest(
                report_id=other_id, expected_status="A_PEND", idempotency_key="k"
            ),
            metadata=auth(token),
        )
    )
    status = rich(error)
    assert (status.code, status.reason) == (grpc.StatusCode.ABORTED, "IDEMPOTENCY_CONFLICT")
    assert status.metadata["field"] == "idempotencyKey"
    assert await actions_sent(gw) == 1
    assert gw.sandbox.store.reports[other_id].workflow.approval_status == "A_PEND"


async def test_one_idempotency_store_behind_both_faces(gw: GrpcGateway) -> None:
    """A key used over GraphQL replays over gRPC: one store, one action."""
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    status, body = await gw.http.gql(
        "mutation($i: ApproveReportInput!) { approveReport(input: $i) { "
        "report { approvalStatus { code } } userErrors { code } } }",
        {"i": {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": "both"}},
        token,
    )
    assert status == 200
    assert body["data"]["approveReport"]["userErrors"] == []
    response = await gw.stub.ApproveReport(
        service_pb2.ApproveReportRequest(
            report_id=report_id, expected_status="A_PEND", idempotency_key="both"
        ),
        metadata=auth(token),
    )
    assert response.report.approval_status.code == "A_ACCO"
    assert await actions_sent(gw) == 1


async def test_an_unknown_outcome_is_settled_by_the_repeat(gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    rule = {"method": "PATCH", "path": "/approve$", "kind": "drop", "times": 1}
    status, body = await gw.sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status in (200, 201), body
    request = service_pb2.ApproveReportRequest(
        report_id=report_id, expected_status="A_PEND", idempotency_key="grpc-unknown"
    )
    lost = rich(await refused(gw.stub.ApproveReport(request, metadata=auth(token))))
    assert (lost.code, lost.reason) == (grpc.StatusCode.UNKNOWN, "ACTION_OUTCOME_UNKNOWN")
    refusal = lost.detail(service_pb2.ActionRefusal)
    assert refusal.report.approval_status.code == "A_PEND"  # the report as it is now

    await gw.sandbox.reset_stats()
    response = await gw.stub.ApproveReport(request, metadata=auth(token))
    assert response.report.approval_status.code == "A_ACCO"
    assert await actions_sent(gw) == 1  # not applied before: sent exactly once now
    assert await gw.stub.ApproveReport(request, metadata=auth(token)) == response
    assert await actions_sent(gw) == 1
