from __future__ import annotations

import asyncio

import pytest

from adapters.errors import CircuitOpen, NotFound, RateLimited, UpstreamTimeout, UpstreamUnavailable
from adapters.retry import RetryBudget, RetryBudgets, is_retryable, retry_read


def test_what_is_retried() -> None:
    assert is_retryable(UpstreamUnavailable("x"))
    assert is_retryable(UpstreamTimeout("x"))
    assert is_retryable(RateLimited("x", retry_after=1))
    assert not is_retryable(CircuitOpen("x"))
    assert not is_retryable(NotFound("x"))


async def test_retries_until_success_within_the_bound() -> None:
    attempts: list[int] = []

    async def call(attempt: int) -> str:
        attempts.append(attempt)
        if attempt < 3:
            raise UpstreamUnavailable("down")
        return "ok"

    loop = asyncio.get_running_loop()
    result = await retry_read(
        call,
        retries=2,
        backoff_initial_s=0.001,
        backoff_max_s=0.002,
        deadline=loop.time() + 10,
        clock=loop.time,
    )
    assert result == "ok"
    assert attempts == [1, 2, 3]


async def test_gives_up_after_the_bound_with_the_last_error() -> None:
    attempts: list[int] = []

    async def call(attempt: int) -> str:
        attempts.append(attempt)
        raise UpstreamUnavailable(f"down {attempt}")

    loop = asyncio.get_running_loop()
    with pytest.raises(UpstreamUnavailable, match="down 2"):
        await retry_read(
            call,
            retries=1,
            backoff_initial_s=0.001,
            backoff_max_s=0.002,
            deadline=loop.time() + 10,
            clock=loop.time,
        )
    assert attempts == [1, 2]


async def test_never_sleeps_past_the_deadline() -> None:
    """A Retry-After longer than the time left ends the retries at once."""
    attempts: list[int] = []

    async def call(attempt: int) -> str:
        attempts.append(attempt)
        raise RateLimited("slow down", retry_after=60)

    loop = asyncio.get_running_loop()
    with pytest.raises(RateLimited):
        await retry_read(
            call,
            retries=5,
            backoff_initial_s=0.001,
            backoff_max_s=0.002,
            deadline=loop.time() + 5,
            clock=loop.time,
        )
    assert attempts == [1]


async def test_non_retryable_errors_pass_straight_through() -> None:
    attempts: list[int] = []

    async def call(attempt: int) -> str:
        attempts.append(attempt)
        raise NotFound("gone")

    loop = asyncio.get_running_loop()
    with pytest.raises(NotFound):
        await retry_read(
            call,
            retries=5,
            backoff_initial_s=0.001,
            backoff_max_s=0.002,
            deadline=loop.time() + 5,
            clock=loop.time,
        )
    assert attempts == [1]


async def test_the_budget_pays_for_retries_and_answers_refill_it() -> None:
    budget = RetryBudget(tokens=2, refill=0.5)
    attempts: list[int] = []
    refused: list[bool] = []

    async def call(attempt: int) -> str:
        attempts.append(attempt)
        raise UpstreamUnavailable("down")

    loop = asyncio.get_running_loop()
    for _ in range(3):
        with pytest.raises(UpstreamUnavailable):
            await retry_read(
                call,
                retries=5,
                backoff_initial_s=0.001,
                backoff_max_s=0.002,
                deadline=loop.time() + 10,
                clock=loop.time,
                budget=budget,
                on_budget_spent=lambda: refused.append(True),
            )
    assert attempts == [1, 2, 3, 1, 1]  # two retries in all, then first errors only
    assert refused == [True, True, True]
    budget.refill()
    budget.refill()
    assert budget.tokens == 1
    assert budget.spend()
    assert not budget.spend()


async def test_a_retry_the_bound_forbids_spends_no_token() -> None:
    budget = RetryBudget(tokens=5, refill=0)

    async def call(attempt: int) -> str:
        raise UpstreamUnavailable("down")

    loop = asyncio.get_running_loop()
    with pytest.raises(UpstreamUnavailable):
        await retry_read(
            call,
            retries=2,
            backoff_initial_s=0.001,
            backoff_max_s=0.002,
            deadline=loop.time() + 10,
            clock=loop.time,
            budget=budget,
        )
    assert budget.tokens == 3


def test_budgets_are_kept_per_endpoint() -> None:
    budgets = RetryBudgets(tokens=1, refill=0.1)
    a = budgets.get("GET http://h/a")
    assert budgets.get("GET http://h/a") is a
    assert a.spend()
    assert budgets.get("GET http://h/b").spend()
