"""The workflow guard's rules, refused before any upstream call or before the action."""

from __future__ import annotations

import pytest

from adapters.comments import MAX_COMMENT
from adapters.errors import (
    BadUserInput,
    Forbidden,
    UnsupportedWorkflowStep,
    WorkflowStepMismatch,
)
from adapters.models import Protocol, ReportDetails, Status, WorkflowActionKind
from resolvers.operations.guard import check_report, check_request, shows_applied
from resolvers.operations.requests import ActionRequest

APPROVE = WorkflowActionKind.APPROVE
SEND_BACK = WorkflowActionKind.SEND_BACK
RECALL = WorkflowActionKind.RECALL


def details(code: str = "A_PEND", url: str | None = "https://x/workflowaction") -> ReportDetails:
    return ReportDetails(
        report_id="R1",
        report_key="KEY",
        approval_status=Status(code=code, name=f"name of {code}"),
        workflow_action_url=url,
    )


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (ActionRequest(kind=APPROVE, report_id="R1"), "expectedStatus"),
        (ActionRequest(kind=SEND_BACK, report_id="R1", expected_status="A_PEND"), "comment"),
        (
            ActionRequest(kind=SEND_BACK, report_id="R1", expected_status="A_PEND", comment="  "),
            "comment",
        ),
        (
            ActionRequest(
                kind=SEND_BACK,
                report_id="R1",
                expected_status="A_PEND",
                comment="x" * (MAX_COMMENT + 1),
            ),
            "comment",
        ),
        (
            ActionRequest(
                kind=APPROVE, report_id="R1", expected_step_code="MANAGER", protocol=Protocol.XML
            ),
            "expectedStatus",
        ),
        (ActionRequest(kind=WorkflowActionKind.RECALL, report_id="R1"), "expectedStatus"),
        (
            ActionRequest(
                kind=APPROVE, report_id="R1", expected_status="A_PEND", idempotency_key=""
            ),
            "idempotencyKey",
        ),
    ],
)
def test_bad_requests_are_refused_with_the_field_named(request_: ActionRequest, field: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        check_request(request_)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "request_",
    [
        ActionRequest(kind=APPROVE, report_id="R1", expected_status="A_PEND"),
        ActionRequest(kind=APPROVE, report_id="R1", expected_step_code="MANAGER"),
        ActionRequest(kind=APPROVE, report_id="R1", expected_step_sequence=1),
        ActionRequest(
            kind=SEND_BACK, report_id="R1", expected_status="A_PEND", comment="x" * MAX_COMMENT
        ),
    ],
)
def test_well_formed_requests_pass(request_: ActionRequest) -> None:
    check_request(request_)


def test_a_moved_report_is_a_mismatch_naming_the_current_status() -> None:
    request = ActionRequest(kind=APPROVE, report_id="R1", expected_status="A_PEND")
    with pytest.raises(WorkflowStepMismatch) as caught:
        check_report(request, details("A_APPR"))
    assert caught.value.current_status == "A_APPR"
    assert "A_APPR" in caught.value.message
    assert "name of A_APPR" in caught.value.message


def test_the_expected_status_is_compared_case_insensitively() -> None:
    check_report(ActionRequest(kind=APPROVE, report_id="R1", expected_status="a_pend"), details())


def test_the_processor_step_is_unsupported() -> None:
    request = ActionRequest(kind=APPROVE, report_id="R1", expected_status="A_ACCO")
    with pytest.raises(UnsupportedWorkflowStep):
        check_report(request, details("A_ACCO"))


def test_the_processor_step_is_unsupported_even_without_an_expected_status() -> None:
    request = ActionRequest(kind=APPROVE, report_id="R1", expected_step_code="ACCTCLERK")
    with pytest.raises(UnsupportedWorkflowStep):
        check_report(request, details("A_ACCO"))


def test_xml_without_an_action_url_is_forbidden() -> None:
    request = ActionRequest(
        kind=APPROVE, report_id="R1", expected_status="A_PEND", protocol=Protocol.XML
    )
    with pytest.raises(Forbidden) as caught:
        check_report(request, details(url=None))
    assert "cannot act" in caught.value.message


def test_v4_without_an_action_url_is_left_to_concur() -> None:
    check_report(
        ActionRequest(kind=APPROVE, report_id="R1", expected_status="A_PEND"), details(url=None)
    )


@pytest.mark.parametrize(
    ("request_", "status", "applied"),
    [
        # still at the expected step: not applied, the action may be sent once more
        (ActionRequest(kind=APPROVE, report_id="R1", expected_status="A_PEND"), "A_PEND", False),
        # moved where an approve leads: applied
        (ActionRequest(kind=APPROVE, report_id="R1", expected_status="A_PEND"), "A_ACCO", True),
        (ActionRequest(kind=APPROVE, report_id="R1", expected_status="a_pend"), "A_PECO", True),
        # moved somewhere an approve never leads: not this action's doing
        (ActionRequest(kind=APPROVE, report_id="R1", expected_status="A_PEND"), "A_RESU", False),
        # without an expected status, only the statuses the action leads to count
        (ActionRequest(kind=APPROVE, report_id="R1", expected_step_code="MGR"), "A_PEND", False),
        (ActionRequest(kind=APPROVE, report_id="R1", expected_step_code="MGR"), "A_ACCO", True),
        (
            ActionRequest(kind=SEND_BACK, report_id="R1", expected_status="A_PEND", comment="x"),
            "A_RESU",
            True,
        ),
        (ActionRequest(kind=RECALL, report_id="R1", expected_status="A_PEND"), "A_RESU", True),
        (ActionRequest(kind=RECALL, report_id="R1", expected_status="A_PEND"), "A_ACCO", False),
    ],
)
def test_an_unknown_outcome_is_confirmed_only_by_a_move_the_action_makes(
    request_: ActionRequest, status: str, applied: bool
) -> None:
    assert shows_applied(request_, details(status)) is applied
