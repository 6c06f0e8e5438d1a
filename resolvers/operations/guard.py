"""The workflow guard: no action reaches Concur unless the report is where the caller thinks.

The v1.1 workflow document warns to check ``ApprovalStatus`` before acting: an action sent
to a report that moved on (another approver acted, the owner recalled) would apply to the
wrong step. So every action is preceded by a fresh read of the report's details (never a
cached one), compared with what the caller says it expects; v4 additionally enforces
``expectedStepCode``/``expectedStepSequence`` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from adapters.comments import check_comment
from adapters.errors import (
    BadUserInput,
    Forbidden,
    UnsupportedWorkflowStep,
    WorkflowStepMismatch,
)
from adapters.models import Protocol, ReportDetails, WorkflowActionKind
from resolvers.operations.idempotency import check_key
from resolvers.operations.requests import ActionRequest
from resolvers.operations.workflow import PROCESSOR_STATUS

OWNER_ACTIONS: Final = frozenset({WorkflowActionKind.RECALL, WorkflowActionKind.SUBMIT})
_SUBMITTED: Final = frozenset({"A_PEND", "A_PECO", "A_ACCO", "A_APPR"})
LEADS_TO: Final[Mapping[WorkflowActionKind, frozenset[str]]] = {
    WorkflowActionKind.APPROVE: frozenset({"A_PECO", "A_ACCO", "A_APPR"}),
    WorkflowActionKind.SEND_BACK: frozenset({"A_RESU"}),
    WorkflowActionKind.RECALL: frozenset({"A_RESU"}),
    WorkflowActionKind.SUBMIT: _SUBMITTED,
}
"""The approval statuses each action can move a report into (the statuses of a later step).

An approve that leads to another approver at the same status (two ``A_PEND`` levels) is
not here on purpose: a status alone cannot tell those steps apart, so it never confirms.
"""


def check_request(request: ActionRequest) -> None:
    """Refuse an ill-formed request before any upstream call (``BadUserInput``)."""
    check_key(request.idempotency_key)
    check_comment(request.comment, required=request.kind is WorkflowActionKind.SEND_BACK)
    check_comment(
        request.expense_rejected_comment,
        field="expenseRejectedComment",
        what="rejected-expense comment",
    )
    if request.kind in OWNER_ACTIONS and not request.expected_status:
        raise BadUserInput(
            "expectedStatus is required: Concur does not check the step of a recall or "
            "submit itself.",
            field="expectedStatus",
        )
    if request.protocol is Protocol.XML and not request.expected_status:
        raise BadUserInput(
            "expectedStatus is required with protocol XML: the v1.1 workflow action cannot "
            "check the step itself.",
            field="expectedStatus",
        )
    if (
        not request.expected_status
        and request.expected_step_code is None
        and request.expected_step_sequence is None
    ):
        raise BadUserInput(
            "Say which step you expect the report to be at: expectedStatus and/or "
            "expectedStepCode/expectedStepSequence.",
            field="expectedStatus",
        )


def check_report(request: ActionRequest, details: ReportDetails) -> None:
    """Compare a fresh read with the caller's expectation; raise instead of acting.

    Order matters: a report that moved is reported as moved (the caller re-reads and
    decides) before anything about the step it moved to.
    """
    status = details.approval_status
    expected = request.expected_status
    if expected and expected.strip().upper() != status.code.upper():
        raise WorkflowStepMismatch(
            f"The report is at {status.name} ({status.code}), not {expected.strip()}; "
            "nothing was sent. Re-read the report and decide again.",
            current_status=status.code,
        )
    if status.code == PROCESSOR_STATUS:
        raise UnsupportedWorkflowStep(
            f"The report is at the Processor step ({status.name}); Concur's workflow APIs "
            "do not support it, so the processor must act in Concur itself.",
        )
    if request.protocol is Protocol.XML and details.workflow_action_url is None:
        raise Forbidden(
            f"You cannot act on this report at its current step ({status.name}).",
        )


def shows_applied(request: ActionRequest, details: ReportDetails) -> bool:
    """Whether a fresh read shows that an earlier attempt of this action took effect.

    Only for settling an unknown outcome: the report has left the step the caller expected
    (with ``expectedStatus``; without one, any status counts) for a status the action leads
    to (``LEADS_TO``). A report still at the expected step did not move: the action may be
    sent once more. Anywhere else, the guard decides as for any action.
    """
    status = details.approval_status.code.upper()
    expected = request.expected_status
    if expected and expected.strip().upper() == status:
        return False
    return status in LEADS_TO[request.kind]


__all__ = [
    "LEADS_TO",
    "OWNER_ACTIONS",
    "check_report",
    "check_request",
    "shows_applied",
]
