"""The app's audit store as a resource: PostgreSQL when configured, else embedded.

psycopg and its pool are imported only when a database is configured: a process keeping
its trail in memory does not carry them (about 20 MB of each worker's memory)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gateway.audit.memory import MemoryAuditLog
from gateway.settings.audit import AuditSettings
from resolvers.operations.audit import AuditLog

logger = logging.getLogger(__name__)


@asynccontextmanager
async def open_audit_log(settings: AuditSettings) -> AsyncIterator[AuditLog]:
    """The configured store, open for the life of the app (closed on exit)."""
    url = settings.database_url.get_secret_value()
    if not url:
        logger.info("audit trail kept in process (no CONCUR_GATEWAY_AUDIT__DATABASE_URL)")
        yield MemoryAuditLog(max_records=settings.embedded_max_records)
        return
    from gateway.audit.postgres import PostgresAuditLog  # noqa: PLC0415 - see the docstring

    store = PostgresAuditLog(url, pool_size=settings.pool_size, timeout_s=settings.timeout_s)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


def describe(settings: AuditSettings) -> str:
    """One line for the start-up banner: where actions are recorded."""
    if settings.database_url.get_secret_value():
        return "Audit trail: PostgreSQL (CONCUR_GATEWAY_AUDIT__DATABASE_URL)"
    return (
        "Audit trail: embedded in this process (set CONCUR_GATEWAY_AUDIT__DATABASE_URL to keep it)"
    )


__all__ = ["describe", "open_audit_log"]
