"""The breaker alone: what counts as a failure, half-open trials, one breaker per endpoint."""

from __future__ import annotations

import asyncio

import pytest

from adapters.breaker import BreakerRegistry, BreakerState, CircuitBreaker, Verdict, verdict
from adapters.errors import (
    ActionOutcomeUnknown,
    BadUserInput,
    CircuitOpen,
    NotFound,
    RateLimited,
    UpstreamBadResponse,
    UpstreamTimeout,
    UpstreamUnavailable,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock, threshold: int = 3, trials: int = 1) -> CircuitBreaker:
    return CircuitBreaker(
        "GET http://h:1/r",
        failure_threshold=threshold,
        reset_s=30.0,
        clock=clock,
        half_open_trials=trials,
    )


def fail(b: CircuitBreaker, times: int, error: Exception | None = None) -> None:
    for _ in range(times):
        with pytest.raises(type(error or UpstreamUnavailable("503"))), b.attempt():
            raise error or UpstreamUnavailable("503")


def succeed(b: CircuitBreaker) -> None:
    with b.attempt():
        pass


def test_concur_failures_count_and_refusals_prove_the_endpoint_is_up() -> None:
    assert verdict(None) is Verdict.SUCCESS
    assert verdict(UpstreamUnavailable("503")) is Verdict.FAILURE
    assert verdict(UpstreamTimeout("slow")) is Verdict.FAILURE
    assert verdict(ActionOutcomeUnknown("lost")) is Verdict.FAILURE
    assert verdict(NotFound("no such report")) is Verdict.SUCCESS
    assert verdict(BadUserInput("bad field")) is Verdict.SUCCESS
    assert verdict(RateLimited("slow down")) is Verdict.NEUTRAL
    assert verdict(UpstreamBadResponse("too big")) is Verdict.NEUTRAL
    assert verdict(asyncio.CancelledError()) is Verdict.NEUTRAL


def test_opens_after_consecutive_failures_only() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 2)
    succeed(b)  # resets the count
    fail(b, 2)
    assert b.state is BreakerState.CLOSED
    fail(b, 1)
    assert b.state is BreakerState.OPEN
    with pytest.raises(CircuitOpen) as caught, b.attempt():
        pass
    assert isinstance(caught.value, UpstreamUnavailable)
    assert caught.value.code == "UPSTREAM_UNAVAILABLE"


def test_a_callers_4xx_never_opens_it() -> None:
    b = breaker(Clock(), threshold=1)
    fail(b, 5, NotFound("no such report"))
    fail(b, 5, BadUserInput("Concur refused the field"))
    assert b.state is BreakerState.CLOSED


def test_half_open_admits_a_bounded_number_of_trials() -> None:
    clock = Clock()
    b = breaker(clock, trials=2)
    fail(b, 3)
    clock.now += 30.0
    assert b.state is BreakerState.HALF_OPEN
    first, second = b.attempt(), b.attempt()
    first.__enter__()
    second.__enter__()
    with pytest.raises(CircuitOpen), b.attempt():
        pass  # a third trial at once is refused
    first.__exit__(None, None, None)
    assert b.state is BreakerState.CLOSED
    second.__exit__(None, None, None)
    succeed(b)


def test_failed_trial_reopens_for_another_period() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 3)
    clock.now += 31.0
    fail(b, 1)
    assert b.state is BreakerState.OPEN
    clock.now += 29.0
    with pytest.raises(CircuitOpen), b.attempt():
        pass
    clock.now += 1.0
    succeed(b)
    assert b.state is BreakerState.CLOSED


def test_a_trial_that_says_nothing_gives_its_slot_back() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 3)
    clock.now += 30.0
    with pytest.raises(asyncio.CancelledError), b.attempt():
        raise asyncio.CancelledError
    assert b.state is BreakerState.HALF_OPEN
    succeed(b)
    assert b.state is BreakerState.CLOSED


def test_registry_keeps_one_breaker_per_endpoint() -> None:
    registry = BreakerRegistry(failure_threshold=1, reset_s=1.0, clock=Clock())
    a = registry.get("GET http://127.0.0.1:8081/reports/{reportId}")
    assert registry.get("GET http://127.0.0.1:8081/reports/{reportId}") is a
    assert registry.get("GET http://127.0.0.1:8081/entries/{entryId}") is not a
    fail(a, 1)
    assert registry.states() == {
        "GET http://127.0.0.1:8081/reports/{reportId}": BreakerState.OPEN,
        "GET http://127.0.0.1:8081/entries/{entryId}": BreakerState.CLOSED,
    }
