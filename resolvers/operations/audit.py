"""The audit trail of workflow actions: what operations write, whatever stores it.

Every workflow action the gateway performs or refuses leaves two append-only records: an
*intent*, written before anything is sent to Concur, and its *outcome*, written after. A
crash between the two leaves an intent without an outcome — evidence, not silence. Records
never carry a token; the caller is named by user id and token kind.

The store (PostgreSQL, or an embedded one for the sandbox demo) lives in ``gateway.audit``;
operations see only ``AuditLog``. A store that cannot write raises ``AuditUnavailable``, and
the action is then refused rather than performed unrecorded (unless configured otherwise).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from adapters.errors import AuditUnavailable


class AuditKind(StrEnum):
    INTENT = "INTENT"
    OUTCOME = "OUTCOME"


class AuditOutcome(StrEnum):
    """How an action ended, as far as the gateway knows."""

    APPLIED = "APPLIED"
    REFUSED = "REFUSED"
    UNKNOWN = "UNKNOWN"
    """Sent, but no definite answer came back: a later read settles it (``CONFIRMED``)."""
    CONFIRMED = "CONFIRMED"
    """An earlier ``UNKNOWN`` that a fresh read of the report showed was applied."""


class AuditEntry(BaseModel):
    """What one record says, before the store chains it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: AuditKind
    action: str
    report_id: str
    user_id: str
    caller_kind: str
    context: str | None = None
    protocol: str | None = None
    expected_status: str | None = None
    expected_step_code: str | None = None
    expected_step_sequence: int | None = None
    concur_status: str | None = None
    """The step Concur had when the guard read the report (outcome records)."""
    idempotency_key: str | None = None
    correlation_id: str | None = None
    trace_id: str | None = None
    outcome: AuditOutcome | None = None
    code: str | None = None
    """The refusal's code (``WORKFLOW_STEP_MISMATCH``...), on REFUSED outcomes."""
    message: str | None = None
    """Concur's own message, or ours for a refusal made before any call."""
    intent_id: int | None = None
    """On outcome records: the intent this outcome closes."""


class AuditRecord(AuditEntry):
    """A stored record: its place in the chain and the hashes that make edits evident."""

    id: int
    recorded_at: datetime
    prev_hash: str
    hash: str


class AuditFilter(BaseModel):
    """What an auditor may ask for; every field narrows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    report_id: str | None = None
    user_id: str | None = None
    action: str | None = None
    outcome: AuditOutcome | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditPage(BaseModel):
    """One page of records, oldest first; ``next_after`` continues after the last one."""

    model_config = ConfigDict(frozen=True)

    records: list[AuditRecord] = Field(default_factory=list)
    next_after: int | None = None


class AuditLog(Protocol):
    """Where operations write the trail and auditors read it."""

    async def append(self, entry: AuditEntry) -> AuditRecord:
        """Chain and store one record; ``AuditUnavailable`` when it cannot be stored."""
        ...

    async def search(self, where: AuditFilter, *, first: int, after: int | None) -> AuditPage:
        """Records matching ``where`` with ids above ``after``, oldest first, at most ``first``."""
        ...


__all__ = [
    "AuditEntry",
    "AuditFilter",
    "AuditKind",
    "AuditLog",
    "AuditOutcome",
    "AuditPage",
    "AuditRecord",
    "AuditUnavailable",
]
