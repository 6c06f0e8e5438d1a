"""The embedded audit store: the same chain and interface as PostgreSQL, kept in process.

It serves ``make run`` on the sandbox when no database is configured (the banner says so),
and it is bounded: past ``max_records`` the oldest records are forgotten, and the chain is
then verified from the oldest record kept. Nothing here survives a restart.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from gateway.audit.chain import GENESIS, seal
from gateway.audit.query import matches
from resolvers.operations.audit import AuditEntry, AuditFilter, AuditPage, AuditRecord


def _now() -> datetime:
    return datetime.now(UTC)


class MemoryAuditLog:
    """An ``AuditLog`` in a bounded deque."""

    def __init__(self, *, max_records: int = 10_000, clock: Callable[[], datetime] = _now) -> None:
        self._records: deque[AuditRecord] = deque(maxlen=max_records)
        self._lock = asyncio.Lock()
        self._next_id = 1
        self._last_hash = GENESIS
        self._clock = clock

    async def append(self, entry: AuditEntry) -> AuditRecord:
        async with self._lock:
            record = seal(
                entry, record_id=self._next_id, recorded_at=self._clock(), prev_hash=self._last_hash
            )
            self._records.append(record)
            self._next_id += 1
            self._last_hash = record.hash
            return record

    async def search(self, where: AuditFilter, *, first: int, after: int | None) -> AuditPage:
        found = [
            record
            for record in self._records
            if (after is None or record.id > after) and matches(record, where)
        ][: first + 1]
        more = len(found) > first
        page = found[:first]
        return AuditPage(records=page, next_after=page[-1].id if more and page else None)

    async def records(self) -> AsyncIterator[AuditRecord]:
        """Every record kept, in chain order (for ``verify``)."""
        for record in list(self._records):
            yield record


__all__ = ["MemoryAuditLog"]
