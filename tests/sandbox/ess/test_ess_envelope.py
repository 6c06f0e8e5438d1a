"""The envelope itself: key order, timestamp form, bytes fixed at publish time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import orjson

from sandbox.ess.envelope import TOPIC, build_envelope, timestamp
from sandbox.records import SandboxEvent


def test_timestamp_is_utc_with_milliseconds() -> None:
    assert timestamp(datetime(2021, 3, 18, 23, 11, 51, 34567, tzinfo=UTC)) == (
        "2021-03-18T23:11:51.034Z"
    )
    plus_two = timezone(timedelta(hours=2))
    assert timestamp(datetime(2021, 3, 19, 1, 0, 0, tzinfo=plus_two)) == "2021-03-18T23:00:00.000Z"


def test_envelope_wraps_facts_untouched() -> None:
    facts = {"reportId": "CB899F7D9F73420A8D8B", "stepCode": None, "startingStep": {"a": [1]}}
    event = SandboxEvent("statusChanged", "CB899F7D9F73420A8D8B", facts)
    published = build_envelope(event, datetime(2021, 3, 18, 23, 11, 51, tzinfo=UTC))
    envelope = orjson.loads(published.body)
    assert envelope == published.envelope
    assert envelope == {
        "id": published.event_id,
        "correlationId": published.correlation_id,
        "route": "stable",
        "eventType": "statusChanged",
        "topic": TOPIC,
        "timeStamp": "2021-03-18T23:11:51.000Z",
        "subtopic": "CB899F7D9F73420A8D8B",
        "facts": facts,
    }
    again = build_envelope(event, datetime(2021, 3, 18, 23, 11, 51, tzinfo=UTC))
    assert again.event_id != published.event_id
    assert again.correlation_id != published.correlation_id
