"""One behaviour suite over both faces: the same guard, idempotency, errors and answers."""

from __future__ import annotations

import pytest

from tests.grpc.faces import Answer, Face, GraphQLFace, GrpcFace
from tests.support.gateway import (
    MANAGER,
    PROCESSOR,
    TRAVELER,
    TRAVELER2,
    action_calls,
    pick_report,
)
from tests.support.grpc import GrpcGateway


@pytest.fixture(params=["graphql", "grpc"])
def face(request: pytest.FixtureRequest, gw: GrpcGateway) -> Face:
    return GraphQLFace(gw) if request.param == "graphql" else GrpcFace(gw)


async def actions_sent(gw: GrpcGateway) -> int:
    return sum(action_calls(await gw.upstream_calls()).values())


async def test_a_mismatched_expectation_is_refused_and_sends_nothing(
    face: Face, gw: GrpcGateway
) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    answer = await face.approve(token, report_id, expectedStatus="A_PECO")
    assert answer == Answer(status="A_PEND", code="WORKFLOW_STEP_MISMATCH")
    assert await actions_sent(gw) == 0
    assert gw.sandbox.store.reports[report_id].workflow.approval_status == "A_PEND"


@pytest.mark.parametrize("protocol", ["V4", "XML"])
async def test_an_approval_repeated_with_its_key_acts_once(
    face: Face, gw: GrpcGateway, protocol: str
) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    fields = {"expectedStatus": "A_PEND", "idempotencyKey": f"{face.name}-1", "protocol": protocol}
    first = await face.approve(token, report_id, **fields)
    second = await face.approve(token, report_id, **fields)
    assert first == second == Answer(status="A_ACCO")
    assert await actions_sent(gw) == 1


async def test_a_step_code_mismatch_is_refused_by_concur(face: Face, gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    answer = await face.approve(token, report_id, expectedStepCode="CO_STEP")
    assert (answer.code, answer.status) == ("WORKFLOW_STEP_MISMATCH", "A_PEND")


async def test_send_back_needs_a_comment_before_any_upstream_call(
    face: Face, gw: GrpcGateway
) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    answer = await face.send_back(token, report_id, expectedStatus="A_PEND", comment="  ")
    assert answer == Answer(code="BAD_USER_INPUT", field="comment")
    assert await gw.upstream_calls() == {}


async def test_the_processor_step_is_unsupported(face: Face, gw: GrpcGateway) -> None:
    token = await gw.token(PROCESSOR)
    report_id = pick_report(gw.sandbox, "A_ACCO")
    answer = await face.approve(token, report_id, expectedStatus="A_ACCO")
    assert answer.code == "UNSUPPORTED_WORKFLOW_STEP"
    assert await actions_sent(gw) == 0


@pytest.mark.parametrize(
    ("login", "report_id", "code"),
    [
        (None, "pending", "UNAUTHENTICATED"),
        (TRAVELER2, "pending", "FORBIDDEN"),
        (TRAVELER, "0000000000000000DEAD", "NOT_FOUND"),
    ],
)
async def test_reads_fail_alike(
    face: Face, gw: GrpcGateway, login: str | None, report_id: str, code: str
) -> None:
    token = await gw.token(login) if login is not None else None
    if report_id == "pending":
        report_id = pick_report(gw.sandbox, "A_PEND")
    assert (await face.read(token, report_id)).code == code


async def test_reads_agree(face: Face, gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    assert await face.read(token, report_id, "MANAGER") == Answer(status="A_PEND")


async def test_a_failing_concur_is_upstream_unavailable(face: Face, gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER)
    status, body = await gw.sandbox.admin(
        "POST",
        "/_sandbox/faults",
        json={"method": "GET", "path": "/reports/", "kind": "status", "status": 503},
    )
    assert status in (200, 201), body
    answer = await face.read(token, pick_report(gw.sandbox, "A_PEND"))
    assert answer.code == "UPSTREAM_UNAVAILABLE"
