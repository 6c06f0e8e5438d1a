"""The workflow guard: no action reaches Concur unless the report is where the caller thinks.

The v1.1 workflow document warns to check ``ApprovalStatus`` before acting: an action sent
to a report that moved on (another approver acted, the owner recalled) would apply to the
wrong step. So every action is preceded by a fresh read of the report's details (never a
cached one), compared with what the caller says it expects; v4 additionally enforces
``expectedStepCode``/``expectedStepSequence`` itself.
"""

from __future__ import annotations

from typing import Final

from adapters.errors import (
    BadUserInput,
    Forbidden,
    UnsupportedWorkflowStep,
    WorkflowStepMismatch,
)
from adapters.models import Protocol, ReportDetails, WorkflowActionKind
from resolvers.operations.requests import ActionRequest
from resolvers.operations.workflow import PROCESSOR_STATUS

MAX_COMMENT: Final = 2000
"""Concur's limit for workflow comments (v1.1 and v4 alike)."""
MAX_IDEMPOTENCY_KEY: Final = 255
OWNER_ACTIONS: Final = frozenset({WorkflowActionKind.RECALL, WorkflowActionKind.SUBMIT})


def check_request(request: ActionRequest) -> None:
    """Refuse an ill-formed request before any upstream call (``BadUserInput``)."""
    key = request.idempotency_key
    if key is not None and not 0 < len(key) <= MAX_IDEMPOTENCY_KEY:
        raise BadUserInput(
            f"idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} characters.",
            field="idempotencyKey",
        )
    if request.kind is WorkflowActionKind.SEND_BACK and not (request.comment or "").strip():
        raise BadUserInput("A comment is required to send a report back.", field="comment")
    if request.comment is not None and len(request.comment) > MAX_COMMENT:
        raise BadUserInput(f"The comment is longer than {MAX_COMMENT} characters.", field="comment")
    if (
        request.expense_rejected_comment is not None
        and len(request.expense_rejected_comment) > MAX_COMMENT
    ):
        raise BadUserInput(
            f"The rejected-expense comment is longer than {MAX_COMMENT} characters.",
            field="expenseRejectedComment",
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


__all__ = [
    "MAX_COMMENT",
    "MAX_IDEMPOTENCY_KEY",
    "OWNER_ACTIONS",
    "check_report",
    "check_request",
]
