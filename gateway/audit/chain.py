"""The hash chain that makes the audit trail tamper-evident.

Each record's hash covers its own content and its predecessor's hash, so editing, removing
or reordering any stored record breaks every hash after it; ``verify`` recomputes the chain
and names the first record that no longer matches. The content is a canonical JSON
encoding (sorted keys, UTC instants with microseconds) of every stored field except the
hashes themselves, so the same record hashes the same in PostgreSQL and in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import orjson

from resolvers.operations.audit import AuditEntry, AuditRecord

GENESIS: Final = "0" * 64
"""The predecessor hash of a deployment's first record."""


def canonical(entry: AuditEntry, *, record_id: int, recorded_at: datetime) -> bytes:
    """The bytes a record's hash covers."""
    fields: dict[str, Any] = entry.model_dump(mode="json")
    fields["id"] = record_id
    fields["recorded_at"] = recorded_at.astimezone(UTC).isoformat(timespec="microseconds")
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)


def link(prev_hash: str, content: bytes) -> str:
    """The hash of one record: SHA-256 over its predecessor's hash and its content."""
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + content).hexdigest()


def seal(
    entry: AuditEntry, *, record_id: int, recorded_at: datetime, prev_hash: str
) -> AuditRecord:
    """``entry`` as the record that follows ``prev_hash`` in the chain."""
    content = canonical(entry, record_id=record_id, recorded_at=recorded_at)
    return AuditRecord(
        **entry.model_dump(),
        id=record_id,
        recorded_at=recorded_at,
        prev_hash=prev_hash,
        hash=link(prev_hash, content),
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    """The result of checking a chain: ``broken_at`` names the first bad record, if any."""

    checked: int
    broken_at: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def entry_of(record: AuditRecord) -> AuditEntry:
    return AuditEntry(**record.model_dump(include=set(AuditEntry.model_fields)))


async def verify(records: AsyncIterable[AuditRecord]) -> Verdict:
    """Walk the chain in id order and recompute every hash."""
    prev_hash = GENESIS
    checked = 0
    async for record in records:
        if record.prev_hash != prev_hash:
            return Verdict(checked, record.id, "its predecessor hash does not match the chain")
        content = canonical(entry_of(record), record_id=record.id, recorded_at=record.recorded_at)
        if link(prev_hash, content) != record.hash:
            return Verdict(checked, record.id, "its content does not match its hash")
        prev_hash = record.hash
        checked += 1
    return Verdict(checked)


def record_from_row(row: Mapping[str, Any]) -> AuditRecord:
    """A stored row (column name → value) as a record."""
    return AuditRecord(**dict(row))


__all__ = ["GENESIS", "Verdict", "canonical", "link", "record_from_row", "seal", "verify"]
