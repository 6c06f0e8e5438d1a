"""The audit trail in PostgreSQL (psycopg 3, async pool).

Why psycopg 3: one driver serves both the async writes here and Alembic's migrations
(through SQLAlchemy), it is maintained by the PostgreSQL driver's long-time authors, and
its pool reconnects on its own after the database comes back.

Appending is serialised by a transaction-scoped advisory lock: the chain needs each record
to know its predecessor's hash, and replicas write concurrently. Every failure to reach or
write the database is ``AuditUnavailable``; nothing is retried here, so an action waiting
on its intent record fails fast instead of blocking on a database that is down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any, Final

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from gateway.audit.chain import GENESIS, record_from_row, seal
from gateway.audit.query import where_clause
from resolvers.operations.audit import (
    AuditEntry,
    AuditFilter,
    AuditPage,
    AuditRecord,
    AuditUnavailable,
)

logger = logging.getLogger(__name__)

CHAIN_LOCK: Final = 0x41756469745472  # "AuditTr": one chain per database
COLUMNS: Final = (
    "id",
    "recorded_at",
    "kind",
    "action",
    "report_id",
    "user_id",
    "caller_kind",
    "context",
    "protocol",
    "expected_status",
    "expected_step_code",
    "expected_step_sequence",
    "concur_status",
    "idempotency_key",
    "correlation_id",
    "trace_id",
    "outcome",
    "code",
    "message",
    "intent_id",
    "prev_hash",
    "hash",
)
_SELECT: Final = f"SELECT {', '.join(COLUMNS)} FROM audit_record"  # noqa: S608 - constant
_INSERT: Final = (
    f"INSERT INTO audit_record ({', '.join(COLUMNS)}) "  # noqa: S608 - constant
    f"VALUES ({', '.join(f'%({c})s' for c in COLUMNS)})"
)
_UNAVAILABLE: Final = (
    "The audit trail cannot be written, so the action was not performed: try again shortly."
)


class PostgresAuditLog:
    """An ``AuditLog`` in one PostgreSQL table (see ``migrations/``)."""

    def __init__(self, database_url: str, *, pool_size: int = 4, timeout_s: float = 2.0) -> None:
        self._url = database_url
        self._timeout_s = timeout_s
        self._pool = AsyncConnectionPool(
            database_url,
            min_size=1,
            max_size=max(1, pool_size),
            open=False,
            timeout=timeout_s,
            kwargs={"connect_timeout": max(1, round(timeout_s))},
        )
        self._migrated = False
        self._migrating = asyncio.Lock()

    async def open(self) -> None:
        """Start the pool without waiting: a database that is down refuses writes, not start-up."""
        await self._pool.open(wait=False)
        try:
            await self._ensure_schema()
        except AuditUnavailable:
            logger.warning(
                "audit database unavailable at start-up; actions are refused until it is"
            )

    async def close(self) -> None:
        await self._pool.close()

    async def _ensure_schema(self) -> None:
        if self._migrated:
            return
        async with self._migrating:
            if self._migrated:
                return
            try:
                await asyncio.wait_for(asyncio.to_thread(migrate, self._url), 30)
            except (psycopg.Error, OSError, TimeoutError) as exc:
                raise AuditUnavailable(_UNAVAILABLE) from exc
            except Exception as exc:  # SQLAlchemy wraps driver errors in its own types
                if "OperationalError" in type(exc).__name__:
                    raise AuditUnavailable(_UNAVAILABLE) from exc
                raise
            self._migrated = True

    async def append(self, entry: AuditEntry) -> AuditRecord:
        await self._ensure_schema()
        try:
            async with self._pool.connection() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK,))
                last = await (
                    await conn.execute("SELECT hash FROM audit_record ORDER BY id DESC LIMIT 1")
                ).fetchone()
                head = await (
                    await conn.execute(
                        "SELECT nextval(pg_get_serial_sequence('audit_record', 'id')), "
                        "date_trunc('microseconds', clock_timestamp())"
                    )
                ).fetchone()
                if head is None:  # a SELECT without FROM always returns one row
                    raise AuditUnavailable(_UNAVAILABLE)
                record = seal(
                    entry,
                    record_id=int(head[0]),
                    recorded_at=head[1],
                    prev_hash=str(last[0]) if last is not None else GENESIS,
                )
                await conn.execute(_INSERT, _row(record))
        except (psycopg.Error, PoolTimeout, OSError) as exc:
            logger.warning("audit write failed", extra={"error": type(exc).__name__})
            raise AuditUnavailable(_UNAVAILABLE) from exc
        return record

    async def search(self, where: AuditFilter, *, first: int, after: int | None) -> AuditPage:
        condition, params = where_clause(where, after)
        params["limit"] = first + 1
        query = f"{_SELECT} WHERE {condition} ORDER BY id LIMIT %(limit)s"
        await self._ensure_schema()
        try:
            async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
                await cur.execute(query, params)
                rows = await cur.fetchall()
        except (psycopg.Error, PoolTimeout, OSError) as exc:
            raise AuditUnavailable("The audit trail cannot be read right now.") from exc
        records = [record_from_row(row) for row in rows]
        page = records[:first]
        more = len(records) > first
        return AuditPage(records=page, next_after=page[-1].id if more and page else None)

    async def records(self, *, batch: int = 1000) -> AsyncIterator[AuditRecord]:
        """Every record in chain order, read in batches (for ``verify`` and export)."""
        after = 0
        while True:
            page = await self.search(AuditFilter(), first=batch, after=after)
            for record in page.records:
                yield record
            if page.next_after is None:
                return
            after = page.next_after


def _row(record: AuditRecord) -> dict[str, Any]:
    values = record.model_dump(mode="json")  # enums as their values
    values["recorded_at"] = record.recorded_at
    return {column: values[column] for column in COLUMNS}


def migrate(database_url: str) -> None:
    """``gateway.audit.schema.upgrade``, imported when first needed: Alembic and SQLAlchemy
    are about 30 MB of every worker's memory, and a process that keeps its trail in memory
    never needs them."""
    from gateway.audit.schema import upgrade  # noqa: PLC0415 - see the docstring

    upgrade(database_url)


__all__ = ["COLUMNS", "PostgresAuditLog", "migrate"]
