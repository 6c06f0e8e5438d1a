from __future__ import annotations

import asyncio

import pytest

from adapters.singleflight import SingleFlight


async def test_concurrent_callers_share_one_run() -> None:
    flight: SingleFlight[int] = SingleFlight()
    release = asyncio.Event()
    runs = 0

    async def work() -> int:
        nonlocal runs
        runs += 1
        await release.wait()
        return runs

    waiters = [asyncio.create_task(flight.run(work)) for _ in range(10)]
    await asyncio.sleep(0)
    assert flight.in_flight
    release.set()
    assert await asyncio.gather(*waiters) == [1] * 10
    assert runs == 1
    assert not flight.in_flight
    assert await flight.run(work) == 2  # a later call runs again


async def test_failure_reaches_every_waiter_and_is_not_cached() -> None:
    flight: SingleFlight[int] = SingleFlight()
    release = asyncio.Event()

    async def work() -> int:
        await release.wait()
        raise RuntimeError("boom")

    waiters = [asyncio.create_task(flight.run(work)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert not flight.in_flight


async def test_one_waiter_giving_up_does_not_cancel_the_others() -> None:
    flight: SingleFlight[str] = SingleFlight()
    release = asyncio.Event()

    async def work() -> str:
        await release.wait()
        return "ok"

    first = asyncio.create_task(flight.run(work))
    second = asyncio.create_task(flight.run(work))
    await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    release.set()
    assert await second == "ok"
