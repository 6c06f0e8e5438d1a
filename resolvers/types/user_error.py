"""An expected failure of a mutation, returned as data beside the report."""

from __future__ import annotations

import strawberry

from resolvers.operations.outcome import Problem


@strawberry.type(
    description=(
        "Why a mutation did not do what was asked. `code` is one of BAD_USER_INPUT, "
        "WORKFLOW_STEP_MISMATCH, UNSUPPORTED_WORKFLOW_STEP, WORKFLOW_ACTION_FAILED, FORBIDDEN, "
        "NOT_FOUND, CONFLICT, IDEMPOTENCY_CONFLICT, RATE_LIMITED, UPSTREAM_UNAVAILABLE, "
        "UPSTREAM_TIMEOUT, ACTION_OUTCOME_UNKNOWN, UPSTREAM_BAD_RESPONSE, AUDIT_UNAVAILABLE; "
        "`field` names the "
        "input field at fault when there is one."
    )
)
class UserError:
    code: str
    message: str
    field: str | None

    @classmethod
    def from_problem(cls, problem: Problem) -> UserError:
        return cls(code=problem.code, message=problem.message, field=problem.field)


__all__ = ["UserError"]
