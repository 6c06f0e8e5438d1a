"""Settings of the audit trail (``CONCUR_GATEWAY_AUDIT__…``)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class AuditSettings(BaseModel):
    """Where workflow actions are recorded, and what happens when they cannot be.

    ``database_url`` names a PostgreSQL database (``postgresql://user@host:5432/db``); its
    schema is migrated on start-up (or by ``concur-gateway audit migrate``). Empty: the
    embedded in-process store, which keeps ``embedded_max_records`` and nothing across a
    restart — for the sandbox demo, never for production.
    """

    database_url: SecretStr = SecretStr("")
    required: bool = True
    """Refuse workflow actions with ``AUDIT_UNAVAILABLE`` when their intent cannot be
    recorded. Off: the action goes ahead and the missing record is logged as an error."""
    pool_size: int = Field(default=4, ge=1, le=64)
    timeout_s: float = Field(default=2.0, gt=0)
    """How long an action waits for a database connection before it is refused."""
    embedded_max_records: int = Field(default=10_000, ge=1)
    """The demo store's bound: enough for a session in GraphiQL, small enough that a long
    run keeps its memory flat (each action leaves two records)."""


__all__ = ["AuditSettings"]
