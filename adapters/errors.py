"""The gateway's one exception hierarchy.

It lives low in the import graph so adapters, operations, the GraphQL error mapper and the
gRPC interceptor all speak the same codes. Each class names the fix in its docstring; the
``code`` is what clients see in ``extensions.code`` (and as gRPC ``ErrorInfo.reason``).

    GatewayError
    ├── Unauthenticated            no/expired/unknown token
    ├── Forbidden                  token valid, caller may not read or act
    ├── NotFound                   the report or entry does not exist for this caller
    ├── BadUserInput               refused before any upstream call
    │   └── UpstreamValidationError Concur refused the body (v4 validationErrors)
    ├── WorkflowStepMismatch       the report is not at the step the caller expects
    ├── UnsupportedWorkflowStep    the Processor step: Concur's workflow APIs refuse it
    ├── WorkflowActionFailed       v1.1 ActionStatus FAILURE, or v4 409 on an action
    ├── Conflict                   Concur answered 409 (e.g. not submittable)
    ├── UpstreamError              Concur misbehaved
    │   ├── UpstreamUnavailable    5xx, connection errors, open circuit
    │   │   ├── UpstreamTimeout    a read ran past its deadline
    │   │   └── CircuitOpen        the breaker refuses calls to a failing endpoint
    │   ├── RateLimited            429 after the retries the deadline allowed
    │   ├── UpstreamBadResponse    malformed, oversized or hostile XML/JSON
    │   └── ActionOutcomeUnknown   an action was sent and may have been applied
    └── IdempotencyConflict        the same key reused for a different action
"""

from __future__ import annotations

from typing import ClassVar


class GatewayError(Exception):
    """Base of every error the gateway raises on purpose."""

    code: ClassVar[str] = "INTERNAL"

    def __init__(
        self,
        message: str,
        *,
        correlation_id: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.correlation_id = correlation_id
        self.field = field

    def __str__(self) -> str:
        return self.message


class Unauthenticated(GatewayError):
    """The caller sent no token, or Concur rejected it: obtain a fresh access token."""

    code = "UNAUTHENTICATED"


def credentials_required() -> Unauthenticated:
    """The refusal of a request that came without a token: every Concur call acts as a
    caller, so nothing can be read or done anonymously (but ``me``)."""
    return Unauthenticated(
        "Authentication required: send a Concur access token as 'Authorization: Bearer <token>'."
    )


class Forbidden(GatewayError):
    """The token is valid but may not read or act on this resource: use the owner's or the
    assigned approver's token, or a company token for system steps."""

    code = "FORBIDDEN"


class NotFound(GatewayError):
    """No such report or entry for this caller: check the id and the context."""

    code = "NOT_FOUND"


class BadUserInput(GatewayError):
    """The request is invalid as sent; nothing was sent to Concur. Fix the named field."""

    code = "BAD_USER_INPUT"


class ValidationIssue:
    """One item of a v4 ``validationErrors`` list, kept protocol-neutral."""

    __slots__ = ("id", "message", "source")

    def __init__(self, id: str | None, message: str, source: str | None) -> None:
        self.id = id
        self.message = message
        self.source = source


class UpstreamValidationError(BadUserInput):
    """Concur refused the request body; ``issues`` lists what it named."""

    def __init__(
        self,
        message: str,
        *,
        issues: list[ValidationIssue] | None = None,
        correlation_id: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, correlation_id=correlation_id, field=field)
        self.issues = issues or []


class WorkflowStepMismatch(GatewayError):
    """The report is not at the step the caller expected; nothing was sent. Re-read the
    report and decide again."""

    code = "WORKFLOW_STEP_MISMATCH"

    def __init__(
        self,
        message: str,
        *,
        current_status: str | None = None,
        current_step_code: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message, correlation_id=correlation_id)
        self.current_status = current_status
        self.current_step_code = current_step_code


class UnsupportedWorkflowStep(GatewayError):
    """The report waits on the Processor step, which Concur's workflow APIs refuse: the
    processor must act in Concur itself."""

    code = "UNSUPPORTED_WORKFLOW_STEP"


class WorkflowActionFailed(GatewayError):
    """Concur refused the workflow action (the report changed meanwhile, or the action is not
    available at this step). Re-read the report before trying again."""

    code = "WORKFLOW_ACTION_FAILED"


class Conflict(GatewayError):
    """Concur answered 409: the report is not in a state that allows this."""

    code = "CONFLICT"


class IdempotencyConflict(GatewayError):
    """The idempotency key was already used for a different action or report: use a new key."""

    code = "IDEMPOTENCY_CONFLICT"


class UpstreamError(GatewayError):
    """Concur did not answer as documented."""

    code = "UPSTREAM_ERROR"


class UpstreamUnavailable(UpstreamError):
    """Concur unreachable or failing: reads were retried, actions never are. Try later."""

    code = "UPSTREAM_UNAVAILABLE"


class UpstreamTimeout(UpstreamUnavailable):
    """Concur did not answer within the deadline."""

    code = "UPSTREAM_TIMEOUT"


class CircuitOpen(UpstreamUnavailable):
    """This Concur endpoint failed too many times in a row, so calls to it fail fast until a
    trial call succeeds. Nothing was sent; try again after a short while."""

    code = "UPSTREAM_UNAVAILABLE"


class RateLimited(UpstreamError):
    """Concur is throttling: wait ``retry_after`` seconds before trying again."""

    code = "RATE_LIMITED"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message, correlation_id=correlation_id)
        self.retry_after = retry_after


class UpstreamBadResponse(UpstreamError):
    """Concur's answer could not be read safely (malformed, oversized or hostile)."""

    code = "UPSTREAM_BAD_RESPONSE"


class ActionOutcomeUnknown(UpstreamError):
    """The action was sent and may or may not have been applied: Concur failed (5xx), no
    answer came back (timeout, dropped connection), or the answer could not be read. Only a
    definite refusal is reported as one. Re-read the report (the next read bypasses the
    cache) before deciding to retry."""

    code = "ACTION_OUTCOME_UNKNOWN"


class AuditUnavailable(GatewayError):
    """The audit trail cannot record the action, so it was not performed (nothing was sent
    to Concur): retry later."""

    code = "AUDIT_UNAVAILABLE"


__all__ = [
    "ActionOutcomeUnknown",
    "AuditUnavailable",
    "BadUserInput",
    "CircuitOpen",
    "Conflict",
    "Forbidden",
    "GatewayError",
    "IdempotencyConflict",
    "NotFound",
    "RateLimited",
    "Unauthenticated",
    "UnsupportedWorkflowStep",
    "UpstreamBadResponse",
    "UpstreamError",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "UpstreamValidationError",
    "ValidationIssue",
    "WorkflowActionFailed",
    "WorkflowStepMismatch",
]
