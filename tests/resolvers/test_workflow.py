"""Merging a report's workflow step and deriving the caller's available actions."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.client import Credentials
from adapters.models import (
    Report,
    ReportDetails,
    Status,
    StepInstance,
    TokenKind,
    WorkflowActionKind,
    WorkflowFacts,
)
from resolvers.operations.workflow import available_actions, workflow_step

OWNER = "owner-1"
MANAGER = "manager-1"
A = WorkflowActionKind


def report(code: str, *, can_recall: bool = False, payment: str = "P_NOTP") -> Report:
    return Report(
        id="R1",
        approval_status=Status(code=code, name=code),
        payment_status=Status(code=payment, name=payment),
        owner_id=OWNER,
        can_recall=can_recall,
    )


def details(code: str, url: str | None) -> ReportDetails:
    return ReportDetails(
        report_id="R1",
        report_key="K",
        approval_status=Status(code=code, name=code),
        workflow_action_url=url,
    )


def creds(user_id: str, kind: TokenKind = TokenKind.USER) -> Credentials:
    return Credentials(token="t", user_id=user_id, kind=kind)


def test_an_approver_with_an_action_url_can_approve_and_send_back() -> None:
    actions = available_actions(report("A_PEND"), details("A_PEND", "u"), creds(MANAGER))
    assert actions == [A.APPROVE, A.SEND_BACK]


def test_without_an_action_url_an_approver_can_do_nothing() -> None:
    assert available_actions(report("A_PEND"), details("A_PEND", None), creds(MANAGER)) == []


def test_the_owner_of_a_pending_report_can_recall_only() -> None:
    pending = report("A_PEND", can_recall=True)
    assert available_actions(pending, details("A_PEND", "u"), creds(OWNER.upper())) == [A.RECALL]


def test_the_owner_of_an_unsubmitted_report_can_submit() -> None:
    for code in ("A_NOTF", "A_RESU"):
        assert available_actions(report(code), details(code, None), creds(OWNER)) == [A.SUBMIT]


def test_a_stranger_cannot_submit_or_recall() -> None:
    assert available_actions(report("A_NOTF"), details("A_NOTF", None), creds(MANAGER)) == []


def test_the_processor_step_offers_nothing() -> None:
    assert available_actions(report("A_ACCO"), details("A_ACCO", "u"), creds(MANAGER)) == []


def test_a_company_token_approves_processing_payment() -> None:
    paying = report("A_APPR", payment="P_PROC")
    company = creds("company-1", TokenKind.COMPANY)
    assert available_actions(paying, details("A_APPR", "u"), company) == [A.APPROVE]


def test_a_step_without_facts_has_only_what_the_read_apis_say() -> None:
    step = workflow_step(report("A_PEND"), details("A_PEND", "u"), None)
    assert step.approval_status.code == "A_PEND"
    assert step.has_action_url
    assert step.step_code is None
    assert step.assignees == []


def test_facts_for_the_current_status_are_merged() -> None:
    moment = datetime(2025, 6, 2, 12, tzinfo=UTC)
    facts = WorkflowFacts(
        report_id="R1",
        step_code="MANAGER",
        role_code="MANAGER",
        process_id="P1",
        current_approval_status="A_PEND",
        step_instances=[StepInstance(id="S1", assigned_user_id=MANAGER), StepInstance(id="S2")],
        last_modified=moment,
    )
    step = workflow_step(report("A_PEND"), details("A_PEND", None), facts)
    assert (step.step_code, step.role_code, step.process_id) == ("MANAGER", "MANAGER", "P1")
    assert step.assignees == [MANAGER]
    assert step.last_transition_at == moment
    assert not step.has_action_url


def test_stale_facts_are_ignored() -> None:
    facts = WorkflowFacts(report_id="R1", step_code="MANAGER", current_approval_status="A_PEND")
    step = workflow_step(report("A_APPR"), None, facts)
    assert step.step_code is None
