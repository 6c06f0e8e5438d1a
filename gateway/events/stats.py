"""Counters of ESS deliveries and of the event broker, for metrics and tests.

Plain integers on an object owned by the app (no module state); telemetry reads them with
``app.get(ESS_STATS)``.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

UNKNOWN_EVENT_TYPE = "unknown"
"""The event type counted for deliveries refused before their body was read."""


class Outcome(StrEnum):
    """What became of one delivery (the label of the ESS counters)."""

    APPLIED = "applied"  # recorded, invalidated, published
    STALE = "stale"  # older than what was applied: facts kept, still invalidated and published
    DUPLICATE = "duplicate"  # this event id was applied already: nothing done
    UNAUTHORIZED = "unauthorized"  # signature or client certificate refused (401)
    MALFORMED = "malformed"  # not JSON, or not an envelope we know (400)
    UNAVAILABLE = "unavailable"  # could not record now (503): ESS retries


class EssStats:
    """Deliveries by (Concur event type, outcome), plus what subscribers lost."""

    def __init__(self) -> None:
        self.deliveries: Counter[tuple[str, Outcome]] = Counter()
        self.published = 0
        self.publish_failures = 0
        self.dropped = 0
        """Events a slow subscriber lost (``drop_oldest``) or was disconnected for."""

    def record(self, event_type: str, outcome: Outcome) -> None:
        self.deliveries[(event_type, outcome)] += 1

    def count(self, outcome: Outcome, event_type: str | None = None) -> int:
        return sum(
            n
            for (kind, seen), n in self.deliveries.items()
            if seen is outcome and (event_type is None or kind == event_type)
        )


__all__ = ["UNKNOWN_EVENT_TYPE", "EssStats", "Outcome"]
