"""Where a report stands in its workflow and what the caller may do there (pure functions).

Concur splits this knowledge: v4 has the status and ``canRecall``, v1.1 has the
``WorkflowActionURL`` (present only when the caller can act at the current step), and only
ESS ``statusChanged`` events name the step code, role and step instances.
"""

from __future__ import annotations

from typing import Final

from adapters.client import Credentials
from adapters.models import (
    Report,
    ReportDetails,
    TokenKind,
    WorkflowActionKind,
    WorkflowFacts,
    WorkflowStep,
)

APPROVAL_STATUSES: Final = frozenset({"A_PEND", "A_PECO"})
"""Statuses at which an assigned approver approves or sends back."""
PROCESSOR_STATUS: Final = "A_ACCO"
"""The Processor step: Concur's workflow APIs refuse every action while a report is here."""
UNSUBMITTED_STATUSES: Final = frozenset({"A_NOTF", "A_RESU"})
"""Not submitted yet, or returned to the owner (sent back or recalled)."""
PAYMENT_APPROVAL: Final = ("A_APPR", "P_PROC")
"""Processing Payment: a system step a company token approves to mark the report paid."""


def workflow_step(
    report: Report, details: ReportDetails | None, facts: WorkflowFacts | None
) -> WorkflowStep:
    """Merge the v4 header, the v1.1 details and the ESS facts into one step.

    Facts recorded for another status are stale (the report moved since) and are ignored.
    """
    has_action_url = details is not None and details.workflow_action_url is not None
    if facts is None or facts.current_approval_status not in (None, report.approval_status.code):
        return WorkflowStep(approval_status=report.approval_status, has_action_url=has_action_url)
    return WorkflowStep(
        approval_status=report.approval_status,
        step_code=facts.step_code,
        role_code=facts.role_code,
        process_id=facts.process_id,
        assignees=[i.assigned_user_id for i in facts.step_instances if i.assigned_user_id],
        has_action_url=has_action_url,
        last_transition_at=facts.last_modified,
    )


def is_owner(report: Report, credentials: Credentials) -> bool | None:
    """Whether the caller owns the report; None when the header does not say who does."""
    if report.owner_id is None:
        return None
    return (
        credentials.kind is TokenKind.USER
        and report.owner_id.lower() == credentials.user_id.lower()
    )


def available_actions(
    report: Report, details: ReportDetails | None, credentials: Credentials
) -> list[WorkflowActionKind]:
    """What the caller can do now.

    APPROVE/SEND_BACK need an approval step and a v1.1 action URL for this caller (Concur
    gives one only to whoever may act at the current step, which includes the owner while a
    recall is possible, hence the owner check). RECALL follows v4 ``canRecall`` for the
    owner; SUBMIT is for the owner of an unsubmitted report.
    """
    status = details.approval_status.code if details is not None else report.approval_status.code
    can_act = details is not None and details.workflow_action_url is not None
    owner = is_owner(report, credentials)
    actions: list[WorkflowActionKind] = []
    if can_act and owner is not True:
        if status in APPROVAL_STATUSES:
            actions += [WorkflowActionKind.APPROVE, WorkflowActionKind.SEND_BACK]
        elif (
            credentials.kind is TokenKind.COMPANY
            and (status, report.payment_status.code) == PAYMENT_APPROVAL
        ):
            actions.append(WorkflowActionKind.APPROVE)
    if owner is not False and report.can_recall:
        actions.append(WorkflowActionKind.RECALL)
    if owner is not False and status in UNSUBMITTED_STATUSES:
        actions.append(WorkflowActionKind.SUBMIT)
    return actions


__all__ = [
    "APPROVAL_STATUSES",
    "PAYMENT_APPROVAL",
    "PROCESSOR_STATUS",
    "UNSUBMITTED_STATUSES",
    "available_actions",
    "is_owner",
    "workflow_step",
]
