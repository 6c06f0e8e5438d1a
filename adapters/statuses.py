"""The one table of HTTP status → gateway error, for every upstream family.

Each non-2xx answer is read as far as it can be (a v4 ``ErrorMessage``, a legacy
``<Error>``, ``Retry-After``) and mapped to the most specific error, keeping Concur's
message (cleaned by ``upstream_text``) and correlation id. A 4xx is Concur's deliberate
refusal, so nothing was applied; a 5xx on a write or workflow action is not: Concur may have
applied it before failing, so it is ``ActionOutcomeUnknown``, never "unavailable" (which
would invite the caller to send it again).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

from adapters.errors import (
    ActionOutcomeUnknown,
    BadUserInput,
    Conflict,
    Forbidden,
    GatewayError,
    NotFound,
    RateLimited,
    Unauthenticated,
    UnsupportedWorkflowStep,
    UpstreamError,
    UpstreamUnavailable,
    UpstreamValidationError,
    ValidationIssue,
    WorkflowActionFailed,
    WorkflowStepMismatch,
)
from adapters.messages import upstream_text
from adapters.upstream import Family, Operation, UpstreamRequest
from adapters.v4.errors import parse_v4_error
from adapters.v11.errors import parse_legacy_error

_PROCESSOR_MARKER: Final = "not supported for the processor role"
_STEP_MARKERS: Final = ("step", "expected")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _snake(name: str | None) -> str | None:
    return _CAMEL.sub("_", name).lower() if name else None


def _with_detail(message: str, detail: str | None) -> str:
    return f"{message} Concur said: {detail}" if detail else message


@dataclass(frozen=True, slots=True)
class _Answer:
    """A non-2xx answer, with what could be read of its body."""

    request: UpstreamRequest
    status: int
    detail: str | None
    issues: list[ValidationIssue]
    retry_after: float | None
    correlation_id: str | None


def _unauthenticated(answer: _Answer) -> GatewayError:
    if answer.request.family is Family.OAUTH:
        return Unauthenticated(
            "Concur refused the configured company or app credentials: check client id, "
            "secret, company id and auth or refresh token.",
            correlation_id=answer.correlation_id,
        )
    return Unauthenticated(
        _with_detail(
            "Concur rejected the access token (missing, expired or invalid): obtain a fresh "
            "token and try again.",
            answer.detail,
        ),
        correlation_id=answer.correlation_id,
    )


def _forbidden(answer: _Answer) -> GatewayError:
    if answer.request.family is Family.OAUTH:
        return _unauthenticated(answer)
    return Forbidden(
        _with_detail(
            "Concur does not allow this caller to do that: use the owner's or the assigned "
            "approver's token, or a company token for system steps.",
            answer.detail,
        ),
        correlation_id=answer.correlation_id,
    )


def _not_found(answer: _Answer) -> GatewayError:
    return NotFound(
        _with_detail(
            "Concur has no such report or entry for this caller: check the id and the context.",
            answer.detail,
        ),
        correlation_id=answer.correlation_id,
    )


def _conflict(answer: _Answer) -> GatewayError:
    if answer.request.operation is not Operation.WORKFLOW:
        return Conflict(
            _with_detail(
                "Concur refused because the report is not in a state that allows this: "
                "re-read the report.",
                answer.detail,
            ),
            correlation_id=answer.correlation_id,
        )
    lowered = (answer.detail or "").lower()
    if answer.request.expected_step or any(marker in lowered for marker in _STEP_MARKERS):
        return WorkflowStepMismatch(
            _with_detail(
                "The report is no longer at the workflow step you expected: re-read it and "
                "decide again.",
                answer.detail,
            ),
            correlation_id=answer.correlation_id,
        )
    return WorkflowActionFailed(
        _with_detail(
            "Concur refused the workflow action at the report's current step: re-read the "
            "report before trying again.",
            answer.detail,
        ),
        correlation_id=answer.correlation_id,
    )


def _rate_limited(answer: _Answer) -> GatewayError:
    wait = f"wait {answer.retry_after:g} s" if answer.retry_after is not None else "wait"
    return RateLimited(
        f"Concur is throttling requests: {wait} and try again.",
        retry_after=answer.retry_after,
        correlation_id=answer.correlation_id,
    )


def _bad_request(answer: _Answer) -> GatewayError:
    if answer.request.family is Family.OAUTH:
        return _unauthenticated(answer)
    if answer.detail and _PROCESSOR_MARKER in answer.detail.lower():
        return UnsupportedWorkflowStep(
            _with_detail(
                "The report waits on the Processor step, which Concur's workflow APIs do not "
                "support: the processor must act in Concur itself.",
                answer.detail,
            ),
            correlation_id=answer.correlation_id,
        )
    if answer.issues:
        first = answer.issues[0]
        listed = "; ".join(
            f"{issue.id or issue.source or 'request'}: {issue.message}" for issue in answer.issues
        )
        return UpstreamValidationError(
            f"Concur refused the request: {listed}. Fix the named fields.",
            issues=answer.issues,
            correlation_id=answer.correlation_id,
            field=_snake(first.id or first.source),
        )
    return BadUserInput(
        _with_detail("Concur refused the request as invalid.", answer.detail),
        correlation_id=answer.correlation_id,
    )


_BY_STATUS: Final[Mapping[int, Callable[[_Answer], GatewayError]]] = {
    400: _bad_request,
    401: _unauthenticated,
    403: _forbidden,
    404: _not_found,
    409: _conflict,
    422: _bad_request,
    429: _rate_limited,
}


def status_error(
    request: UpstreamRequest,
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    correlation_id: str | None,
) -> GatewayError:
    """The gateway error for a non-2xx answer: the one table of status → error."""
    detail: str | None = None
    issues: list[ValidationIssue] = []
    if request.family is Family.XML:
        legacy = parse_legacy_error(body)
        detail = upstream_text(legacy.message) if legacy else None
    elif request.family is Family.V4:
        v4 = parse_v4_error(body)
        if v4 is not None:
            detail, issues = v4.message, v4.issues
    answer = _Answer(
        request=request,
        status=status,
        detail=detail,
        issues=issues,
        retry_after=parse_retry_after(headers.get("Retry-After")),
        correlation_id=correlation_id,
    )
    handler = _BY_STATUS.get(status)
    if handler is not None:
        return handler(answer)
    if status >= 500 and request.is_action:
        return ActionOutcomeUnknown(
            f"Concur failed while handling the request (HTTP {status}), so it may or may not "
            "have been applied: re-read the report before deciding to retry.",
            correlation_id=correlation_id,
        )
    if status >= 500:
        return UpstreamUnavailable(
            f"Concur failed to answer (HTTP {status}): try again later.",
            correlation_id=correlation_id,
        )
    return UpstreamError(
        _with_detail(f"Concur refused the request (HTTP {status}).", detail),
        correlation_id=correlation_id,
    )


__all__ = ["parse_retry_after", "status_error"]
