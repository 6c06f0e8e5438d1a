"""What the workflow engine's callers speak: who acts, and why an action is refused.

Protocol handlers translate each ``WorkflowRefused`` into their own error body (``status``
is the HTTP status a v4 handler answers with).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

MAX_COMMENT = 2000


class WorkflowRefused(Exception):
    """Base of every refusal; ``status`` is the HTTP status a v4 handler answers with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(WorkflowRefused):
    """The actor has no right to this action on this report (403)."""

    status = 403


class ProcessorStep(WorkflowRefused):
    """Concur's workflow APIs do not support the Processor step (documented)."""

    status = 400


class StepMismatch(WorkflowRefused):
    """``expectedStepCode``/``expectedStepSequence`` did not match (409)."""

    status = 409


class InvalidState(WorkflowRefused):
    """The report is not in a state that allows the action (409)."""

    status = 409


class InvalidInput(WorkflowRefused):
    """The request body is invalid (400), e.g. a missing or overlong comment."""

    status = 400


@dataclass(frozen=True)
class Actor:
    """Who acts: a user (``user_id``) or the company/system (``user_id`` None).

    ``admin`` marks a user holding Company Administrator or Web Services Administrator:
    where such a user is not the assignee, they act in the System role.
    """

    user_id: str | None
    kind: str  # user | company | app
    admin: bool = False

    @property
    def is_system(self) -> bool:
        return self.kind == "company"

    @property
    def may_act_as_system(self) -> bool:
        return self.is_system or (self.kind == "user" and self.admin)


def money(value: str | int | Decimal) -> Decimal:
    """Amounts as Concur stores them: 8 decimal places."""
    return Decimal(value).quantize(Decimal("0.00000001"))


__all__ = [
    "MAX_COMMENT",
    "Actor",
    "InvalidInput",
    "InvalidState",
    "NotAllowed",
    "ProcessorStep",
    "StepMismatch",
    "WorkflowRefused",
    "money",
]
