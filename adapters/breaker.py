"""A circuit breaker per Concur endpoint (method, origin and route template).

When one of Concur's endpoints is failing, calling it again only deepens the outage and
holds our callers until their deadlines. A breaker is kept per endpoint, not per host, so
one failing route never pauses the others, and their successes never hide its failures.
Only Concur's own failures count (5xx, timeouts, connection errors, an action whose outcome
is unknown): any deliberate answer, a 4xx caused by one caller's data included, proves the
endpoint is up; a 429 says nothing either way (and earns no retry tokens, so the retry
budget restrains retries of throttled calls too). After ``failure_threshold`` consecutive
failures the breaker opens and calls fail fast with ``CircuitOpen``; after ``reset_s`` it
is half-open and lets up to ``half_open_trials`` calls through at once (enough for one
query's fan-out, so the first query after a recovery succeeds); the first success closes
it, a failure re-opens it.

``attempt()`` is the one place a call's outcome reaches the breaker: admission, success,
failure and the release of a call that says nothing about Concur (cancelled, refused
locally, unreadable). The clock is injected so tests move time instead of sleeping.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum

from adapters.errors import (
    ActionOutcomeUnknown,
    CircuitOpen,
    GatewayError,
    RateLimited,
    UpstreamBadResponse,
    UpstreamUnavailable,
)

logger = logging.getLogger(__name__)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Verdict(StrEnum):
    """What one call says about the endpoint."""

    SUCCESS = "success"  # Concur answered deliberately (2xx, or a refusal of the request)
    FAILURE = "failure"  # Concur failed: 5xx, timeout, connection error, unknown outcome
    NEUTRAL = "neutral"  # says nothing of its health: throttled, cancelled, unreadable


def verdict(error: BaseException | None) -> Verdict:
    """The breaker's reading of how a call ended (``None``: it returned an answer)."""
    if error is None:
        return Verdict.SUCCESS
    if isinstance(error, UpstreamUnavailable | ActionOutcomeUnknown):
        return Verdict.FAILURE
    if isinstance(error, GatewayError) and not isinstance(error, UpstreamBadResponse | RateLimited):
        return Verdict.SUCCESS
    return Verdict.NEUTRAL


class CircuitBreaker:
    """Consecutive-failure breaker for one endpoint; not thread-safe (one event loop)."""

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int,
        reset_s: float,
        clock: Callable[[], float],
        half_open_trials: int = 1,
    ) -> None:
        self.name = name
        self._threshold = max(1, failure_threshold)
        self._reset_s = reset_s
        self._clock = clock
        self._trials = max(1, half_open_trials)
        self._failures = 0
        self._opened_at: float | None = None
        self._trials_in_flight = 0

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self._reset_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    @contextmanager
    def attempt(self) -> Iterator[None]:
        """Admit one call (or raise ``CircuitOpen``) and record how it ended."""
        trial = self._admit()
        try:
            yield
        except BaseException as exc:
            self._record(verdict(exc), trial=trial)
            raise
        self._record(Verdict.SUCCESS, trial=trial)

    def _admit(self) -> bool:
        """True when the call is a half-open trial."""
        state = self.state
        if state is BreakerState.CLOSED:
            return False
        if state is BreakerState.HALF_OPEN and self._trials_in_flight < self._trials:
            self._trials_in_flight += 1
            return True
        raise CircuitOpen(
            "This Concur endpoint has been failing repeatedly, so calls to it are paused for "
            "a short while. Try again in a few seconds."
        )

    def _record(self, outcome: Verdict, *, trial: bool) -> None:
        if trial:
            self._trials_in_flight -= 1
        if outcome is Verdict.SUCCESS:
            if self._opened_at is not None:
                logger.info("circuit closed", extra={"breaker": self.name})
            self._failures = 0
            self._opened_at = None
        elif outcome is Verdict.FAILURE:
            self._failures += 1
            reopen = trial and self._opened_at is not None
            if reopen or (self._opened_at is None and self._failures >= self._threshold):
                self._opened_at = self._clock()
                logger.warning(
                    "circuit opened", extra={"breaker": self.name, "failures": self._failures}
                )


class BreakerRegistry:
    """One ``CircuitBreaker`` per endpoint, created on first use; owned by the transport."""

    def __init__(
        self,
        *,
        failure_threshold: int,
        reset_s: float,
        clock: Callable[[], float],
        half_open_trials: int = 1,
    ) -> None:
        self._threshold = failure_threshold
        self._reset_s = reset_s
        self._clock = clock
        self._trials = half_open_trials
        self._breakers: dict[str, CircuitBreaker] = {}

    def get(self, endpoint: str) -> CircuitBreaker:
        breaker = self._breakers.get(endpoint)
        if breaker is None:
            breaker = CircuitBreaker(
                endpoint,
                failure_threshold=self._threshold,
                reset_s=self._reset_s,
                clock=self._clock,
                half_open_trials=self._trials,
            )
            self._breakers[endpoint] = breaker
        return breaker

    def states(self) -> dict[str, BreakerState]:
        """The state of every endpoint called so far (for metrics)."""
        return {name: breaker.state for name, breaker in self._breakers.items()}


__all__ = ["BreakerRegistry", "BreakerState", "CircuitBreaker", "Verdict", "verdict"]
