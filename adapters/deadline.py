"""The time by which the request being served must finish.

``DEADLINE`` holds an absolute ``loop.time()``; the gRPC server sets it from the client's
deadline and the HTTP view may set it from a setting. Every upstream call runs until
``min(its own per-call deadline, DEADLINE)``, and read retries never sleep past it, so a
slow Concur cannot hold a request longer than its caller is willing to wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

DEADLINE: ContextVar[float | None] = ContextVar("upstream_deadline", default=None)


def loop_time() -> float:
    """The clock deadlines are measured on (the running loop's monotonic clock)."""
    return asyncio.get_running_loop().time()


def call_deadline(per_call_s: float) -> float:
    """Absolute deadline of one upstream call: its own budget, cut short by the request's."""
    own = loop_time() + per_call_s
    outer = DEADLINE.get()
    return own if outer is None else min(own, outer)


def remaining(deadline: float) -> float:
    """Seconds left until ``deadline`` (never negative)."""
    return max(0.0, deadline - loop_time())


@contextmanager
def deadline_after(seconds: float) -> Iterator[float]:
    """Set ``DEADLINE`` to ``seconds`` from now (never extending an outer one) for a block."""
    deadline = call_deadline(seconds)
    token = DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        DEADLINE.reset(token)


__all__ = ["DEADLINE", "call_deadline", "deadline_after", "loop_time", "remaining"]
