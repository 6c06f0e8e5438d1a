"""Correlation ids have the UUID (version 4) form Concur uses, and differ."""

from __future__ import annotations

import uuid

from adapters.correlation import new_correlation_id


def test_new_ids_are_version_4_uuids_in_canonical_text() -> None:
    ids = [new_correlation_id() for _ in range(2_000)]
    for text in ids:
        parsed = uuid.UUID(text)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text
    assert len(set(ids)) == len(ids)
