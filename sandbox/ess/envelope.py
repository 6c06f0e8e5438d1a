"""The ESS envelope around a sandbox event, encoded once.

The body is encoded exactly once, at publish time, and those bytes are what gets signed and
sent on every attempt, duplicate and redelivery: a receiver that dedupes on ``id`` or verifies
``Concur-Signature`` over the raw body sees exactly what Concur would resend.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from sandbox.records import SandboxEvent

TOPIC = "public.concur.expense.report"
ROUTE = "stable"  # "For internal use. This will be set to stable."


@dataclass(frozen=True)
class PublishedEvent:
    """One published envelope; ``body`` is the exact JSON every delivery of it carries."""

    event_id: str
    correlation_id: str
    event_type: str
    report_id: str
    body: bytes

    @property
    def envelope(self) -> dict[str, Any]:
        envelope: dict[str, Any] = orjson.loads(self.body)
        return envelope


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds and ``Z``, as in Concur's samples."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def build_envelope(event: SandboxEvent, now: datetime) -> PublishedEvent:
    """Wrap ``event`` in the documented envelope; ``subtopic`` is the report id.

    Keys follow the order of Concur's samples; ``facts`` pass through untouched so the
    documented key names (and their nulls) reach the receiver as the engine emitted them.
    """
    event_id = str(uuid.uuid4())
    correlation_id = str(uuid.uuid4())
    envelope = {
        "id": event_id,
        "correlationId": correlation_id,
        "route": ROUTE,
        "eventType": event.event_type,
        "topic": TOPIC,
        "timeStamp": timestamp(now),
        "subtopic": event.report_id,
        "facts": event.facts,
    }
    return PublishedEvent(
        event_id=event_id,
        correlation_id=correlation_id,
        event_type=event.event_type,
        report_id=event.report_id,
        body=orjson.dumps(envelope),
    )


__all__ = ["ROUTE", "TOPIC", "PublishedEvent", "build_envelope", "timestamp"]
