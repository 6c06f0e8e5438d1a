from __future__ import annotations

import pytest
from yarl import URL

from adapters.breaker import BreakerRegistry, BreakerState, CircuitBreaker
from adapters.errors import CircuitOpen, UpstreamUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock, threshold: int = 3) -> CircuitBreaker:
    return CircuitBreaker("h:1", failure_threshold=threshold, reset_s=30.0, clock=clock)


def fail(b: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        b.acquire()
        b.record_failure()


def test_opens_after_consecutive_failures_only() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 2)
    b.acquire()
    b.record_success()  # resets the count
    fail(b, 2)
    assert b.state is BreakerState.CLOSED
    fail(b, 1)
    assert b.state is BreakerState.OPEN
    with pytest.raises(CircuitOpen) as caught:
        b.acquire()
    assert isinstance(caught.value, UpstreamUnavailable)
    assert caught.value.code == "UPSTREAM_UNAVAILABLE"


def test_half_open_admits_one_trial_that_closes_on_success() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 3)
    clock.now += 30.0
    assert b.state is BreakerState.HALF_OPEN
    b.acquire()  # the trial
    with pytest.raises(CircuitOpen):
        b.acquire()  # only one at a time
    b.record_success()
    assert b.state is BreakerState.CLOSED
    b.acquire()


def test_failed_trial_reopens_for_another_period() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 3)
    clock.now += 31.0
    b.acquire()
    b.record_failure()
    assert b.state is BreakerState.OPEN
    clock.now += 29.0
    with pytest.raises(CircuitOpen):
        b.acquire()
    clock.now += 1.0
    b.acquire()


def test_released_trial_gives_the_slot_back() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 3)
    clock.now += 30.0
    b.acquire()
    b.release()
    b.acquire()


def test_registry_keeps_one_breaker_per_host() -> None:
    registry = BreakerRegistry(failure_threshold=1, reset_s=1.0, clock=Clock())
    a = registry.for_url(URL("http://127.0.0.1:8081/a"))
    assert registry.for_url(URL("http://127.0.0.1:8081/b/c")) is a
    assert registry.for_url(URL("http://127.0.0.1:8082/a")) is not a
