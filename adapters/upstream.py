"""What one upstream call is: the request we send, the answer we keep, and the record of
each attempt that logs, metrics and spans are made from.

These value types sit low in the import graph (nothing of ours but the standard library and
yarl), so the transport, the tracer and telemetry can all name them without importing each
other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from yarl import URL


class Family(StrEnum):
    """An upstream API family: each has its own session, auth scheme and body format."""

    V4 = "v4"
    XML = "XML"
    OAUTH = "oauth"


class Operation(StrEnum):
    """What a call does, which decides retries and how errors read."""

    READ = "read"  # idempotent: retried
    WRITE = "write"  # create/update/submit/add entries: sent once; 409 → Conflict
    WORKFLOW = "workflow"  # approve/send back/recall: sent once; 409 → step mismatch
    AUTH = "auth"  # token grants: sent once, never "outcome unknown"


ACTIONS: Final = frozenset({Operation.WRITE, Operation.WORKFLOW})
"""Operations that change Concur: sent once, and any answer short of a definite refusal
leaves their outcome unknown."""


@dataclass(frozen=True, slots=True)
class UpstreamRequest:
    family: Family
    method: str
    url: URL = field(repr=False)
    route: str
    operation: Operation = Operation.READ
    token: str | None = field(default=None, repr=False)
    body: bytes | None = field(default=None, repr=False)
    content_type: str | None = None
    expected_step: bool = False

    @property
    def is_action(self) -> bool:
        return self.operation in ACTIONS

    @property
    def endpoint(self) -> str:
        """``METHOD origin/route-template``: what a breaker and a retry budget are kept per
        (no ids, so one caller's report never gets a breaker of its own)."""
        return f"{self.method} {self.url.origin()}{self.route}"


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    status: int
    body: bytes = field(repr=False)
    correlation_id: str | None


@dataclass(frozen=True, slots=True)
class UpstreamCallEvent:
    """One attempt of one upstream call, for telemetry hooks (no ids, no tokens)."""

    family: Family
    method: str
    route: str
    operation: Operation
    attempt: int
    status: int | None
    duration_s: float
    outcome: str
    correlation_id: str
    upstream_correlation_id: str | None


UpstreamCallHook = Callable[[UpstreamCallEvent], None]

OK_OUTCOME: Final = "ok"
"""``UpstreamCallEvent.outcome`` of an attempt that got a 2xx; otherwise an error code."""


__all__ = [
    "ACTIONS",
    "OK_OUTCOME",
    "Family",
    "Operation",
    "UpstreamCallEvent",
    "UpstreamCallHook",
    "UpstreamRequest",
    "UpstreamResponse",
]
