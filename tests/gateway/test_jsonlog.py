"""JSON-lines logs carry the correlation id and ``extra=`` fields."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import orjson
import pytest

from adapters.correlation import CORRELATION_ID
from gateway.jsonlog import JsonLinesFormatter, configure_logging
from tests.support.logs import logging_switches, restore_logging_switches


@pytest.fixture(autouse=True)
def _restored_logging() -> Iterator[None]:
    """``configure_logging`` changes the process's logging: each test here puts it back."""
    root = logging.getLogger()
    saved_handlers, saved_level, saved = root.handlers[:], root.level, logging_switches()
    try:
        yield
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        restore_logging_switches(saved)


def test_records_skip_the_fields_no_line_carries() -> None:
    configure_logging("info", io.StringIO())
    record = logging.getLogger("gateway.test").makeRecord(
        "gateway.test", logging.INFO, "(unknown file)", 0, "x", (), None
    )
    assert record.process is None
    assert record.thread is None
    assert logging._srcfile is None  # no stack walk for the caller's file and line


def test_records_are_json_lines_with_correlation_ids() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    stream = io.StringIO()
    try:
        configure_logging("info", stream)
        token = CORRELATION_ID.set("cid-7")
        try:
            logging.getLogger("gateway.test").info("hello %s", "world", extra={"code": "X"})
        finally:
            CORRELATION_ID.reset(token)
        logging.getLogger("gateway.test").debug("not shown")
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    record = orjson.loads(lines[0])
    assert record["message"] == "hello world"
    assert record["level"] == "INFO"
    assert record["logger"] == "gateway.test"
    assert record["correlation_id"] == "cid-7"
    assert record["code"] == "X"


@pytest.mark.parametrize(
    "created",
    [
        1_764_600_000.0,
        1_764_600_000.0005,  # rounds up to the next millisecond's microsecond boundary
        1_764_600_000.9999996,  # rounds into the next second
        1_796_223_169.8519998,
        1_764_600_059.999,
    ],
)
def test_timestamps_read_as_datetime_writes_them(created: float) -> None:
    record = logging.LogRecord("gateway.test", logging.INFO, __file__, 1, "x", None, None)
    record.created = created
    formatter = JsonLinesFormatter()
    formatter.format(record)  # a cached second from an earlier record must not leak in
    entry = orjson.loads(formatter.format(record))
    assert entry["ts"] == datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
