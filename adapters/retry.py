"""The retry policy for reads (idempotent GETs), built on tenacity.

Retried: ``UpstreamUnavailable`` (5xx, connection errors, timeouts) and ``RateLimited``
(429); never ``CircuitOpen`` (the breaker already decided) and never anything the caller
can fix. Waits grow exponentially with jitter, so replicas do not retry in lockstep, and a
429's ``Retry-After`` is a floor. Attempts are bounded by ``read_retries`` and by the
deadline: a retry whose sleep would end past the deadline is not attempted, the last error
is raised instead. Writes and workflow actions never come here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from adapters.errors import CircuitOpen, RateLimited, UpstreamUnavailable

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, UpstreamUnavailable | RateLimited) and not isinstance(exc, CircuitOpen)


class wait_backoff_or_retry_after(wait_base):  # noqa: N801 - tenacity's naming
    """Exponential backoff with jitter; at least ``Retry-After`` after a 429."""

    def __init__(self, initial: float, maximum: float) -> None:
        self._backoff = wait_exponential_jitter(multiplier=initial, max=maximum, jitter=initial)

    def __call__(self, retry_state: RetryCallState) -> float:
        backoff = self._backoff(retry_state)
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None and outcome.failed else None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return max(backoff, error.retry_after)
        return backoff


class stop_at_deadline(stop_base):  # noqa: N801 - tenacity's naming
    """Stop when the next sleep would end at or past ``deadline`` (on ``clock``)."""

    def __init__(self, deadline: float, clock: Callable[[], float]) -> None:
        self._deadline = deadline
        self._clock = clock

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self._clock() + retry_state.upcoming_sleep >= self._deadline


def _log_retry(retry_state: RetryCallState) -> None:
    outcome = retry_state.outcome
    error = outcome.exception() if outcome is not None else None
    logger.info(
        "retrying upstream read",
        extra={
            "attempt": retry_state.attempt_number,
            "sleep_s": round(retry_state.upcoming_sleep, 3),
            "error_code": getattr(error, "code", type(error).__name__),
        },
    )


async def retry_read(
    call: Callable[[int], Awaitable[_T]],
    *,
    retries: int,
    backoff_initial_s: float,
    backoff_max_s: float,
    deadline: float,
    clock: Callable[[], float],
) -> _T:
    """Run ``call(attempt_number)`` until it succeeds or the policy gives up (re-raising)."""
    retrying = AsyncRetrying(
        stop=stop_after_attempt(max(0, retries) + 1) | stop_at_deadline(deadline, clock),
        wait=wait_backoff_or_retry_after(backoff_initial_s, backoff_max_s),
        retry=retry_if_exception(is_retryable),
        before_sleep=_log_retry,
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await call(attempt.retry_state.attempt_number)
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover


__all__ = ["is_retryable", "retry_read", "stop_at_deadline", "wait_backoff_or_retry_after"]
