"""The one table from the gateway's error codes to what each face answers.

GraphQL clients see the code itself (``extensions.code``, ``userErrors[].code``); gRPC
clients see it as ``ErrorInfo.reason`` under the status named here. The table holds status
*names* (members of ``grpc.StatusCode``) so this module, like ``adapters.errors``, imports no
transport; ``gateway.grpc.errors`` resolves them. A test checks that every ``GatewayError``
code is in the table.

Choices the gRPC status catalogue leaves open:

- ``ACTION_OUTCOME_UNKNOWN`` is ``UNKNOWN``: the action was sent and no answer came back, so
  it may have been applied. ``DEADLINE_EXCEEDED`` and ``UNAVAILABLE`` invite an automatic
  retry (gRPC retry policies and most clients treat them as transient), which is exactly what
  must not happen; ``DATA_LOSS`` means corrupted data. ``UNKNOWN`` is the catalogue's word
  for "the server cannot say what happened", and the reason tells the caller to re-read.
- ``AUDIT_UNAVAILABLE`` is ``UNAVAILABLE``: the action was refused before anything was sent
  (its intent could not be recorded), so retrying later is exactly right.
- ``UPSTREAM_BAD_RESPONSE`` is ``INTERNAL``: Concur answered something unreadable; asking
  again will most likely get the same answer, so it is not ``UNAVAILABLE``.
- ``WORKFLOW_STEP_MISMATCH``, ``UNSUPPORTED_WORKFLOW_STEP``, ``CONFLICT`` and
  ``WORKFLOW_ACTION_FAILED`` are ``FAILED_PRECONDITION``: the report is not in a state that
  allows the action, and the caller must re-read before trying again.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

GRPC_STATUS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "BAD_USER_INPUT": "INVALID_ARGUMENT",
        "UNAUTHENTICATED": "UNAUTHENTICATED",
        "FORBIDDEN": "PERMISSION_DENIED",
        "NOT_FOUND": "NOT_FOUND",
        "WORKFLOW_STEP_MISMATCH": "FAILED_PRECONDITION",
        "UNSUPPORTED_WORKFLOW_STEP": "FAILED_PRECONDITION",
        "CONFLICT": "FAILED_PRECONDITION",
        "WORKFLOW_ACTION_FAILED": "FAILED_PRECONDITION",
        "IDEMPOTENCY_CONFLICT": "ABORTED",
        "RATE_LIMITED": "RESOURCE_EXHAUSTED",
        "UPSTREAM_ERROR": "UNAVAILABLE",
        "UPSTREAM_UNAVAILABLE": "UNAVAILABLE",
        "UPSTREAM_TIMEOUT": "DEADLINE_EXCEEDED",
        "UPSTREAM_BAD_RESPONSE": "INTERNAL",
        "ACTION_OUTCOME_UNKNOWN": "UNKNOWN",
        "AUDIT_UNAVAILABLE": "UNAVAILABLE",
        "INTERNAL": "INTERNAL",
        "SHUTTING_DOWN": "UNAVAILABLE",
    }
)
"""Error code -> gRPC status name. Codes not listed (none today) answer ``INTERNAL``.

``SHUTTING_DOWN`` ends a gRPC event stream when the gateway stops: watch again (another
replica will answer)."""

DEFAULT_GRPC_STATUS: Final = "INTERNAL"
INTERNAL_CODE: Final = "INTERNAL"
"""The code of an unexpected failure, whose message is masked on every face."""
SHUTTING_DOWN_CODE: Final = "SHUTTING_DOWN"


def grpc_status_name(code: str) -> str:
    """The gRPC status name for an error ``code``."""
    return GRPC_STATUS.get(code, DEFAULT_GRPC_STATUS)


__all__ = [
    "DEFAULT_GRPC_STATUS",
    "GRPC_STATUS",
    "INTERNAL_CODE",
    "SHUTTING_DOWN_CODE",
    "grpc_status_name",
]
