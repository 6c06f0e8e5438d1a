"""JSON-lines logging: one object per record, fields from ``extra=`` kept as keys.

Every record is stamped with the request's correlation id and, when a span is current, its
trace and span ids, so a log line leads to its trace and to Concur's support. Fields whose
names say they hold a secret or a person's words (tokens, passwords, authorization headers,
comments) are redacted whatever logged them: a last line of defence, not a licence.

Only the CLI calls ``configure_logging``; library code just logs to named loggers.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Final, TextIO

import orjson
from opentelemetry import trace
from opentelemetry.trace import format_span_id, format_trace_id

from gateway.correlation import CorrelationIdFilter

_STANDARD: Final = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)
REDACTED: Final = "[redacted]"
_SENSITIVE: Final = re.compile(
    r"(^|_)(token|secret|password|authorization|cookie|comment)s?($|_)", re.IGNORECASE
)


@functools.lru_cache(maxsize=1024)
def is_sensitive(key: str) -> bool:
    """Whether a field's name says it may hold a secret or free text written by a person.

    Remembered per name: log fields are named in code, so the same few dozen names come
    back on every record and the pattern runs once for each.
    """
    return bool(_SENSITIVE.search(key))


class TraceContextFilter(logging.Filter):
    """Stamps ``trace_id``/``span_id`` of the current span (an explicit ``trace_id`` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "trace_id", None) is None:
            context = trace.get_current_span().get_span_context()
            if context.is_valid:
                record.trace_id = format_trace_id(context.trace_id)
                record.span_id = format_span_id(context.span_id)
        return True


class _Timestamps:
    """ISO 8601 UTC timestamps with milliseconds; the date and time of day are formatted
    once per second, not once per record."""

    __slots__ = ("_prefix", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def format(self, created: float) -> str:
        second = int(created)
        micros = round((created - second) * 1e6)  # rounded as ``datetime.fromtimestamp`` does
        if micros >= 1_000_000:
            second, micros = second + 1, micros - 1_000_000
        if second != self._second:
            self._prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second = second
        return f"{self._prefix}.{micros // 1000:03d}+00:00"


class JsonLinesFormatter(logging.Formatter):
    """Formats a record as one JSON object on one line."""

    def __init__(self) -> None:
        super().__init__()
        self._timestamps = _Timestamps()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": self._timestamps.format(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and value is not None:
                entry[key] = REDACTED if is_sensitive(key) else value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def skip_unwritten_record_fields() -> None:
    """Stop the stdlib filling in record fields no line of ours carries: the caller's file,
    line and function (a stack walk per record), thread and process (a system call per
    record). These are the switches the logging HOWTO's "Optimization" section names."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


class TurnFlushedHandler(logging.StreamHandler[TextIO]):
    """Writes each line at once and flushes the stream once per turn of the event loop.

    Under load one turn of the loop finishes many requests, so one system call carries all
    their lines instead of one call each; a line waits at most until the end of the turn
    that wrote it. Outside a running loop (the CLI, another thread) and for warnings and
    errors, every line is flushed as it comes.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._flush_soon = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + self.terminator)
        except Exception:  # the stdlib's own contract for emit: report, never raise
            self.handleError(record)
            return
        if record.levelno >= logging.WARNING:
            self.flush()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        if not self._flush_soon:
            self._flush_soon = True
            loop.call_soon(self._flush_now)

    def _flush_now(self) -> None:
        self._flush_soon = False
        self.flush()


def _buffered_stderr() -> TextIO:
    """Standard error with a block buffer of its own: Python line-buffers ``sys.stderr``,
    which would write every line as it comes whatever the handler does."""
    try:
        descriptor = sys.stderr.fileno()
    except (OSError, ValueError):  # a stand-in without a descriptor (a test's capture)
        return sys.stderr
    return open(descriptor, "w", buffering=65_536, encoding="utf-8", closefd=False)


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    """Send every record to ``stream`` (stderr) as JSON lines, stamped with correlation and
    trace ids."""
    skip_unwritten_record_fields()
    handler = TurnFlushedHandler(stream or _buffered_stderr())
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(CorrelationIdFilter())
    handler.addFilter(TraceContextFilter())
    root = logging.getLogger()
    for replaced in root.handlers:
        replaced.flush()  # a line still in a replaced handler's buffer is written first
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


__all__ = [
    "REDACTED",
    "JsonLinesFormatter",
    "TraceContextFilter",
    "TurnFlushedHandler",
    "configure_logging",
    "is_sensitive",
    "skip_unwritten_record_fields",
]
