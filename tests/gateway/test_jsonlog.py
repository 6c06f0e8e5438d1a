"""JSON-lines logs carry the correlation id and ``extra=`` fields."""

from __future__ import annotations

import io
import logging

import orjson

from adapters.correlation import CORRELATION_ID
from gateway.jsonlog import configure_logging


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
