"""The audit stores: the same chain in PostgreSQL and in memory, append-only, verifiable."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import psycopg
import pytest

from gateway.audit.chain import verify
from gateway.audit.memory import MemoryAuditLog
from gateway.audit.postgres import PostgresAuditLog
from resolvers.operations.audit import (
    AuditEntry,
    AuditFilter,
    AuditKind,
    AuditOutcome,
    AuditUnavailable,
)


def intent(report_id: str = "R1", user_id: str = "u-1") -> AuditEntry:
    return AuditEntry(
        kind=AuditKind.INTENT,
        action="APPROVE",
        report_id=report_id,
        user_id=user_id,
        caller_kind="user",
        context="MANAGER",
        protocol="V4",
        expected_status="A_PEND",
        idempotency_key="k-1",
        correlation_id="c-1",
    )


def outcome(intent_id: int, result: AuditOutcome = AuditOutcome.APPLIED) -> AuditEntry:
    return intent().model_copy(
        update={
            "kind": AuditKind.OUTCOME,
            "intent_id": intent_id,
            "outcome": result,
            "concur_status": "A_PEND",
        }
    )


@pytest.fixture
async def store(audit_database_url: str) -> AsyncIterator[PostgresAuditLog]:
    log = PostgresAuditLog(audit_database_url)
    await log.open()
    try:
        yield log
    finally:
        await log.close()


async def test_records_chain_and_verify_in_postgres(store: PostgresAuditLog) -> None:
    first = await store.append(intent())
    second = await store.append(outcome(first.id))

    assert second.prev_hash == first.hash
    verdict = await verify(store.records())
    assert verdict.intact
    assert verdict.checked == 2


async def test_concurrent_writers_keep_one_chain(store: PostgresAuditLog) -> None:
    await asyncio.gather(*(store.append(intent(report_id=f"R{i}")) for i in range(20)))

    verdict = await verify(store.records())
    assert verdict.intact
    assert verdict.checked == 20


async def test_the_database_refuses_to_change_a_record(
    store: PostgresAuditLog, audit_database_url: str
) -> None:
    record = await store.append(intent())
    async with await psycopg.AsyncConnection.connect(audit_database_url) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            await conn.execute("UPDATE audit_record SET user_id = 'x' WHERE id = %s", (record.id,))
        await conn.rollback()
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            await conn.execute("DELETE FROM audit_record WHERE id = %s", (record.id,))


async def test_verify_names_the_first_edited_record(
    store: PostgresAuditLog, audit_database_url: str
) -> None:
    records = [await store.append(intent(report_id=f"R{i}")) for i in range(4)]
    edited = records[2]
    async with await psycopg.AsyncConnection.connect(audit_database_url) as conn:
        # Only someone who can switch the triggers off can edit a row; the chain still tells.
        await conn.execute("ALTER TABLE audit_record DISABLE TRIGGER audit_record_append_only")
        await conn.execute(
            "UPDATE audit_record SET outcome = 'APPLIED' WHERE id = %s", (edited.id,)
        )
        await conn.commit()

    verdict = await verify(store.records())
    assert not verdict.intact
    assert verdict.broken_at == edited.id
    assert verdict.checked == 2


async def test_search_filters_and_pages(store: PostgresAuditLog) -> None:
    for i in range(5):
        await store.append(intent(report_id="R-A" if i % 2 == 0 else "R-B"))

    page = await store.search(AuditFilter(report_id="R-A"), first=2, after=None)
    assert [r.report_id for r in page.records] == ["R-A", "R-A"]
    assert page.next_after == page.records[-1].id
    rest = await store.search(AuditFilter(report_id="R-A"), first=2, after=page.next_after)
    assert [r.report_id for r in rest.records] == ["R-A"]
    assert rest.next_after is None


async def test_a_database_that_is_down_refuses_writes_quickly() -> None:
    log = PostgresAuditLog("postgresql://postgres@127.0.0.1:1/none", timeout_s=0.5)
    await log.open()
    try:
        with pytest.raises(AuditUnavailable):
            await log.append(intent())
    finally:
        await log.close()


async def test_memory_and_postgres_hash_the_same_record_alike(store: PostgresAuditLog) -> None:
    stored = await store.append(intent())
    memory = MemoryAuditLog(clock=lambda: stored.recorded_at)
    kept = await memory.append(intent())

    assert kept.hash == stored.hash
    assert (await verify(memory.records())).intact


async def test_cli_verify_and_export(store: PostgresAuditLog, audit_database_url: str) -> None:
    import io
    import json

    from gateway.audit.cli import export_command, verify_command

    first = await store.append(intent())
    await store.append(outcome(first.id))
    out = io.StringIO()
    assert await verify_command(audit_database_url, out) == 0
    assert "2 records verified" in out.getvalue()

    lines = io.StringIO()
    assert await export_command(audit_database_url, None, "jsonl", lines) == 0
    exported = [json.loads(line) for line in lines.getvalue().splitlines()]
    assert [r["kind"] for r in exported] == ["INTENT", "OUTCOME"]
    assert exported[1]["intent_id"] == first.id

    table = io.StringIO()
    assert await export_command(audit_database_url, None, "csv", table) == 0
    assert table.getvalue().splitlines()[0].startswith("id,recorded_at,kind")


IN_MEMORY_TRAIL = """
import asyncio, sys
from gateway.app import create_app
from gateway.audit.store import open_audit_log
from gateway.settings import Settings
from gateway.settings.audit import AuditSettings

async def main():
    create_app(Settings())
    async with open_audit_log(AuditSettings()):
        pass

asyncio.run(main())
heavy = {"psycopg", "psycopg_pool", "alembic", "sqlalchemy"}
print(sorted({m.split(".")[0] for m in sys.modules} & heavy))
"""


def test_a_trail_kept_in_memory_loads_no_database_driver_and_no_migrations() -> None:
    """psycopg, Alembic and SQLAlchemy are about 50 MB of every worker's memory: loaded only
    where a database is configured (and Alembic only when the schema is brought to head)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CONCUR_GATEWAY_")}
    environment["CONCUR_GATEWAY_UPSTREAM__BASE_URL"] = "http://127.0.0.1:9"
    shown = subprocess.run(  # noqa: S603 - a fixed argv
        [sys.executable, "-c", IN_MEMORY_TRAIL],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=environment,
    )
    assert shown.stdout.strip().splitlines()[-1] == "[]", shown
