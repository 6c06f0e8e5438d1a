"""The retry policy for reads (idempotent GETs), built on tenacity.

Retried: ``UpstreamUnavailable`` (5xx, connection errors, timeouts) and ``RateLimited``
(429); never ``CircuitOpen`` (the breaker already decided), never ``RoutePaused`` (the route
waits out Concur's ``Retry-After`` for every caller) and never anything the caller
can fix. Waits grow exponentially with jitter, so replicas do not retry in lockstep, and a
429's ``Retry-After`` is a floor. Attempts are bounded by ``read_retries`` and by the
deadline: a retry whose sleep would end past the deadline is not attempted, the last error
is raised instead. Writes and workflow actions never come here.

Each endpoint also has a ``RetryBudget`` so retries cannot multiply an outage: a token
bucket in the manner of gRPC's retry throttling, where every retry spends a token and every
answered call puts back a fraction of one. While Concur answers, retries are nearly free;
under a persistent failure at most ``tokens`` retries are spent before reads fail at their
first error, and retries resume only as successes refill the bucket. No library fits:
tenacity has no budget, and the resilience packages that do carry their own breakers and
retry loops in place of the ones we keep.
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
from adapters.pauses import RoutePaused

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, UpstreamUnavailable | RateLimited) and not isinstance(
        exc, CircuitOpen | RoutePaused
    )


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


class RetryBudget:
    """A per-endpoint token bucket: a retry spends one token; an answered call refills
    ``refill`` tokens, up to ``tokens``. Starts full; one event loop, no locking."""

    def __init__(self, *, tokens: float, refill: float) -> None:
        self._capacity = max(0.0, tokens)
        self._refill = max(0.0, refill)
        self._tokens = self._capacity

    @property
    def tokens(self) -> float:
        return self._tokens

    def spend(self) -> bool:
        """Take one token for a retry; False (and nothing taken) when the budget is spent."""
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    def refill(self) -> None:
        self._tokens = min(self._capacity, self._tokens + self._refill)


class RetryBudgets:
    """One ``RetryBudget`` per endpoint, created on first use; owned by the transport."""

    def __init__(self, *, tokens: float, refill: float) -> None:
        self._tokens = tokens
        self._refill = refill
        self._budgets: dict[str, RetryBudget] = {}

    def get(self, endpoint: str) -> RetryBudget:
        budget = self._budgets.get(endpoint)
        if budget is None:
            budget = self._budgets[endpoint] = RetryBudget(tokens=self._tokens, refill=self._refill)
        return budget


class stop_when_budget_spent(stop_base):  # noqa: N801 - tenacity's naming
    """Stop when the endpoint's budget cannot pay for the retry. Put last in the stop
    conditions: tenacity asks them in order, so a token is spent only on a retry that the
    attempt bound and the deadline allow and that will therefore happen."""

    def __init__(self, budget: RetryBudget, on_refused: Callable[[], None]) -> None:
        self._budget = budget
        self._on_refused = on_refused

    def __call__(self, retry_state: RetryCallState) -> bool:
        if self._budget.spend():
            return False
        self._on_refused()
        return True


def _log_budget_spent() -> None:
    logger.warning("retry budget spent: upstream read not retried")


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
    budget: RetryBudget | None = None,
    on_budget_spent: Callable[[], None] = _log_budget_spent,
) -> _T:
    """Run ``call(attempt_number)`` until it succeeds or the policy gives up (re-raising);
    with a ``budget``, every retry must also be paid for from it.

    The first attempt runs before any policy is built: almost every read succeeds at once,
    and tenacity's set-up costs as much as a tenth of the rest of the call. When it fails
    with a retryable error, the policy starts with that failure as its first attempt, so
    stopping, waiting and logging are decided exactly as if it had run it."""
    try:
        return await call(1)
    except Exception as exc:
        if not is_retryable(exc):
            raise
        first_failure = exc

    async def attempt_number(number: int) -> _T:
        if number == 1:
            raise first_failure
        return await call(number)

    stop = stop_after_attempt(max(0, retries) + 1) | stop_at_deadline(deadline, clock)
    if budget is not None:
        stop = stop | stop_when_budget_spent(budget, on_budget_spent)
    retrying = AsyncRetrying(
        stop=stop,
        wait=wait_backoff_or_retry_after(backoff_initial_s, backoff_max_s),
        retry=retry_if_exception(is_retryable),
        before_sleep=_log_retry,
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await attempt_number(attempt.retry_state.attempt_number)
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover


__all__ = [
    "RetryBudget",
    "RetryBudgets",
    "is_retryable",
    "retry_read",
    "stop_at_deadline",
    "stop_when_budget_spent",
    "wait_backoff_or_retry_after",
]
