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
    NotFound,
    UnsupportedWorkflowStep,
    UpstreamValidationError,
    WorkflowActionFailed,
    WorkflowStepMismatch,
)
from adapters.models import Canonical, EntryResult, Report

DEFINITIVE_ERRORS: tuple[type[GatewayError], ...] = (
    ActionOutcomeUnknown,
    BadUserInput,
    Conflict,
    Forbidden,
    NotFound,
    UnsupportedWorkflowStep,
    WorkflowActionFailed,
    WorkflowStepMismatch,
)
"""Failures worth remembering under an idempotency key.

Refusals will not change by asking again with the same key, and an unknown outcome must not
be resent blindly. Transient failures (unavailable, rate limited, timed out, a bad
response to a read) are not remembered: nothing was applied, so a retry with the same key
may go ahead.
"""


class Problem(Canonical):
    """One expected failure, as clients see it in ``userErrors``."""

    code: str
    message: str
    field: str | None = None


class Outcome(Canonical):
    """The result of one mutation: the report as it is now (when readable) and any problems."""

    report: Report | None = None
    problems: list[Problem] = Field(default_factory=list)
    entry_results: list[EntryResult] = Field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return not self.problems

    @property
    def is_definitive(self) -> bool:
        """Whether an idempotency store should keep this outcome (see ``DEFINITIVE_ERRORS``)."""
        return all(p.code in _DEFINITIVE_CODES for p in self.problems)


_DEFINITIVE_CODES = frozenset(cls.code for cls in DEFINITIVE_ERRORS)


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


__all__ = ["DEFINITIVE_ERRORS", "Outcome", "Problem", "problems_of"]
