"""A circuit breaker per upstream host.

When Concur (or one data centre) is failing, retrying every request only deepens the outage
and holds our callers until their deadlines. After ``failure_threshold`` consecutive
failures (5xx, timeouts, connection errors; a 4xx proves the host is up) the breaker opens
and calls fail fast with ``CircuitOpen``; after ``reset_s`` one trial call is let through
(half-open) and its outcome closes or re-opens the circuit. The clock is injected so tests
move time instead of sleeping.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

from yarl import URL

from adapters.errors import CircuitOpen

logger = logging.getLogger(__name__)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Consecutive-failure breaker for one host; not thread-safe (one event loop)."""

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int,
        reset_s: float,
        clock: Callable[[], float],
    ) -> None:
        self.name = name
        self._threshold = max(1, failure_threshold)
        self._reset_s = reset_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self._reset_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def acquire(self) -> None:
        """Admit one call or raise ``CircuitOpen``; in half-open only a single trial passes."""
        state = self.state
        if state is BreakerState.CLOSED:
            return
        if state is BreakerState.HALF_OPEN and not self._trial_in_flight:
            self._trial_in_flight = True
            return
        raise CircuitOpen(
            "Concur has been failing repeatedly, so calls are paused for a short while. "
            "Try again in a few seconds."
        )

    def record_success(self) -> None:
        if self._opened_at is not None:
            logger.info("circuit closed", extra={"breaker": self.name})
        self._failures = 0
        self._opened_at = None
        self._trial_in_flight = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_in_flight or (self._opened_at is None and self._failures >= self._threshold):
            self._opened_at = self._clock()
            logger.warning(
                "circuit opened", extra={"breaker": self.name, "failures": self._failures}
            )
        self._trial_in_flight = False

    def release(self) -> None:
        """End a call whose outcome says nothing about the host (cancelled, refused locally):
        a half-open trial slot is given back without changing the state."""
        self._trial_in_flight = False


class BreakerRegistry:
    """One ``CircuitBreaker`` per host, created on first use; owned by the client."""

    def __init__(
        self, *, failure_threshold: int, reset_s: float, clock: Callable[[], float]
    ) -> None:
        self._threshold = failure_threshold
        self._reset_s = reset_s
        self._clock = clock
        self._breakers: dict[str, CircuitBreaker] = {}

    def for_url(self, url: URL) -> CircuitBreaker:
        key = f"{url.host}:{url.port}"
        breaker = self._breakers.get(key)
        if breaker is None:
            breaker = CircuitBreaker(
                key, failure_threshold=self._threshold, reset_s=self._reset_s, clock=self._clock
            )
            self._breakers[key] = breaker
        return breaker


__all__ = ["BreakerRegistry", "BreakerState", "CircuitBreaker"]
