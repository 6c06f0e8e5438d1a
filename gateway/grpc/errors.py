"""Failures as gRPC statuses with rich details (``google.rpc.Status``).

The status code comes from the one table in ``gateway.error_codes``; the details say the
rest in the standard messages clients already parse:

- ``ErrorInfo``: ``reason`` is the graph's code (``WORKFLOW_STEP_MISMATCH``...), ``domain``
  is ``concur-gateway``, ``metadata`` holds ``correlationId`` (and ``field``,
  ``retryAfter`` when known). Always first, always one.
- ``BadRequest``: one field violation per invalid field (``BAD_USER_INPUT`` only).
- ``RetryInfo``: how long to wait (``RATE_LIMITED``, when Concur said).
- ``concur_gateway.v1.ActionRefusal``: for a refused workflow action, every reason and the
  report as Concur has it now, which the graph returns beside its ``userErrors``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, NoReturn

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from adapters.errors import GatewayError, RateLimited
from gateway.error_codes import INTERNAL_CODE, grpc_status_name
from gateway.error_mapping import MASKED_MESSAGE
from gateway.grpc import convert
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.metadata import correlation_metadata
from resolvers.operations.outcome import Outcome, Problem, problems_of

DOMAIN: Final = "concur-gateway"
INPUT_CODE: Final = "BAD_USER_INPUT"


class Refused(Exception):
    """A workflow action that ended with problems: the servicer raises it, the interceptor
    answers it with the status of its first problem and an ``ActionRefusal``."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.problems[0].message if outcome.problems else "refused")
        self.outcome = outcome


def status_code(code: str) -> grpc.StatusCode:
    """The gRPC status for a gateway error code (the table's name, resolved)."""
    return grpc.StatusCode[grpc_status_name(code)]


def _pack(message: Message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def rich_status(
    problems: Sequence[Problem],
    *,
    correlation_id: str | None,
    retry_after: float | None = None,
    refusal: service_pb2.ActionRefusal | None = None,
) -> status_pb2.Status:
    """The status of the first problem, with every detail the problems carry."""
    first = problems[0] if problems else Problem(code=INTERNAL_CODE, message=MASKED_MESSAGE)
    metadata: dict[str, str] = {}
    if correlation_id is not None:
        metadata["correlationId"] = correlation_id
    if first.field is not None:
        metadata["field"] = first.field
    if retry_after is not None:
        metadata["retryAfter"] = f"{retry_after:g}"
    info = error_details_pb2.ErrorInfo(reason=first.code, domain=DOMAIN, metadata=metadata)
    details = [_pack(info)]
    violations = [
        error_details_pb2.BadRequest.FieldViolation(field=p.field, description=p.message)
        for p in problems
        if p.code == INPUT_CODE and p.field is not None
    ]
    if violations:
        details.append(_pack(error_details_pb2.BadRequest(field_violations=violations)))
    if retry_after is not None:
        delay = duration_pb2.Duration()
        delay.FromNanoseconds(int(retry_after * 1_000_000_000))
        details.append(_pack(error_details_pb2.RetryInfo(retry_delay=delay)))
    if refusal is not None:
        details.append(_pack(refusal))
    return status_pb2.Status(
        code=code_pb2.Code.Value(grpc_status_name(first.code)),
        message=first.message,
        details=details,
    )


def error_status(error: GatewayError, correlation_id: str | None) -> status_pb2.Status:
    """A raised ``GatewayError``; Concur's own correlation id wins when it sent one."""
    retry_after = error.retry_after if isinstance(error, RateLimited) else None
    return rich_status(
        problems_of(error),
        correlation_id=error.correlation_id or correlation_id,
        retry_after=retry_after,
    )


def refusal_status(outcome: Outcome, correlation_id: str | None) -> status_pb2.Status:
    """A refused action: its problems, and the report as it is now when it was readable."""
    refusal = service_pb2.ActionRefusal(
        user_errors=[convert.user_error(p) for p in outcome.problems],
        report=None if outcome.report is None else convert.report(outcome.report),
    )
    return rich_status(outcome.problems, correlation_id=correlation_id, refusal=refusal)


def internal_status(correlation_id: str | None) -> status_pb2.Status:
    """An unexpected failure, masked as the graph masks it."""
    return rich_status(
        [Problem(code=INTERNAL_CODE, message=MASKED_MESSAGE)], correlation_id=correlation_id
    )


async def abort(context: grpc.aio.ServicerContext[Any, Any], status: status_pb2.Status) -> NoReturn:
    """End the call with ``status`` (raises ``AbortError``), naming its correlation id."""
    answer = rpc_status.to_status(status)
    await context.abort(
        answer.code,
        answer.details,
        trailing_metadata=(*answer.trailing_metadata, *correlation_metadata()),
    )


__all__ = [
    "DOMAIN",
    "Refused",
    "abort",
    "error_status",
    "internal_status",
    "refusal_status",
    "rich_status",
    "status_code",
]
