"""What a mutation ends with, in a form an idempotency store can keep and replay.

Expected failures are data (``problems``), not exceptions: the caller gets them as typed
user errors next to the report as it is now. Everything here is a frozen pydantic model so
a shared store (Redis) can serialise it as JSON and replay it byte for byte.
"""

from __future__ import annotations

from pydantic import Field

from adapters.errors import (
    ActionOutcomeUnknown,
    BadUserInput,
    Conflict,
    Forbidden,
    GatewayError,
    IdempotencyConflict,
    NotFound,
    UnsupportedWorkflowStep,
    UpstreamValidationError,
    WorkflowActionFailed,
    WorkflowStepMismatch,
)
from adapters.models import Canonical, EntryResult, Report

REFUSALS: tuple[type[GatewayError], ...] = (
    BadUserInput,
    Conflict,
    Forbidden,
    IdempotencyConflict,
    NotFound,
    UnsupportedWorkflowStep,
    WorkflowActionFailed,
    WorkflowStepMismatch,
)
"""Definite refusals: we or Concur said no, so nothing was applied.

An idempotency key keeps only what must never be sent again: a success, and an
``ActionOutcomeUnknown`` until a repeat settles it. A refusal releases the key (a repeat
is checked afresh by the guard); so does a transient failure (unavailable, rate limited,
timed out, a bad answer to a read), which happened before anything could be applied.
"""


class Problem(Canonical):
    """One expected failure, as clients see it in ``userErrors``."""

    code: str
    message: str
    field: str | None = None


class Outcome(Canonical):
    """The result of one mutation: the report as it is now (when readable) and any problems.

    ``confirmed`` marks a success established by re-reading the report after an earlier
    attempt under the same idempotency key ended with an unknown outcome: nothing was sent
    this time, the report shows the action took effect.
    """

    report: Report | None = None
    problems: list[Problem] = Field(default_factory=list)
    entry_results: list[EntryResult] = Field(default_factory=list)
    confirmed: bool = False

    @property
    def succeeded(self) -> bool:
        return not self.problems

    @property
    def unsettled(self) -> bool:
        """Whether the action may or may not have been applied (a repeat must find out)."""
        return any(p.code == ActionOutcomeUnknown.code for p in self.problems)

    @property
    def refused(self) -> bool:
        """Whether this is a definite refusal (see ``REFUSALS``): nothing was applied."""
        return bool(self.problems) and all(p.code in _REFUSAL_CODES for p in self.problems)

    @property
    def kept(self) -> bool:
        """Whether an idempotency key must keep this outcome (see ``REFUSALS``)."""
        return self.succeeded or self.unsettled


_REFUSAL_CODES = frozenset(cls.code for cls in REFUSALS)


def problems_of(error: GatewayError) -> list[Problem]:
    """Expand an error into user errors: Concur may name several invalid fields at once."""
    if isinstance(error, UpstreamValidationError) and error.issues:
        return [
            Problem(
                code=error.code,
                message=issue.message,
                field=error.field or issue.source or issue.id,
            )
            for issue in error.issues
        ]
    return [Problem(code=error.code, message=error.message, field=error.field)]


__all__ = ["REFUSALS", "Outcome", "Problem", "problems_of"]
