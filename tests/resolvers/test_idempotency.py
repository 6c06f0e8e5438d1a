"""The in-process idempotency store and ``run_once``: at most once per key, bounded."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from adapters.errors import IdempotencyConflict
from resolvers.operations.idempotency import InMemoryIdempotencyStore, run_once
from resolvers.operations.outcome import Outcome, Problem


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ok(tag: str = "ok") -> Outcome:
    return (
        Outcome(problems=[]) if tag == "ok" else Outcome(problems=[Problem(code=tag, message=tag)])
    )


async def test_same_key_returns_the_first_outcome_without_running_again() -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10)
    runs = 0

    async def attempt() -> Outcome:
        nonlocal runs
        runs += 1
        return ok()

    first = await run_once(store, "k", "APPROVE:1", attempt)
    second = await run_once(store, "k", "APPROVE:1", attempt)
    assert runs == 1
    assert first == second


async def test_same_key_for_another_action_or_report_is_a_conflict() -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10)

    async def attempt() -> Outcome:
        return ok()

    await run_once(store, "k", "APPROVE:1", attempt)
    with pytest.raises(IdempotencyConflict):
        await run_once(store, "k", "SEND_BACK:1", attempt)
    with pytest.raises(IdempotencyConflict):
        await run_once(store, "k", "APPROVE:2", attempt)


async def test_a_concurrent_duplicate_waits_for_the_first() -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10)
    started = asyncio.Event()
    release = asyncio.Event()
    runs = 0

    async def attempt() -> Outcome:
        nonlocal runs
        runs += 1
        started.set()
        await release.wait()
        return ok()

    first = asyncio.create_task(run_once(store, "k", "APPROVE:1", attempt))
    await started.wait()
    second = asyncio.create_task(run_once(store, "k", "APPROVE:1", attempt))
    await asyncio.sleep(0)  # let the duplicate reach the store and wait there
    assert not second.done()
    release.set()
    assert await first == await second
    assert runs == 1


@pytest.mark.parametrize(
    "code", ["UPSTREAM_UNAVAILABLE", "RATE_LIMITED", "WORKFLOW_STEP_MISMATCH", "FORBIDDEN"]
)
async def test_refusals_and_transient_failures_release_the_key(code: str) -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10)
    outcomes = [ok(code), ok()]

    async def attempt() -> Outcome:
        return outcomes.pop(0)

    assert (await run_once(store, "k", "APPROVE:1", attempt)).problems[0].code == code
    assert (await run_once(store, "k", "APPROVE:1", attempt)).succeeded
    assert outcomes == []


async def test_an_unknown_outcome_is_kept_and_replayed_without_a_settle() -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10)
    runs = 0

    async def attempt() -> Outcome:
        nonlocal runs
        runs += 1
        return ok("ACTION_OUTCOME_UNKNOWN")

    await run_once(store, "k", "CREATE:x", attempt)
    replay = await run_once(store, "k", "CREATE:x", attempt)
    assert runs == 1
    assert replay.problems[0].code == "ACTION_OUTCOME_UNKNOWN"


async def test_an_unknown_outcome_is_settled_once_and_the_settlement_kept() -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10)
    settled = 0

    async def attempt() -> Outcome:
        return ok("ACTION_OUTCOME_UNKNOWN")

    async def settle() -> Outcome:
        nonlocal settled
        settled += 1
        return Outcome(confirmed=True)

    await run_once(store, "k", "APPROVE:1", attempt, settle=settle)
    first = await run_once(store, "k", "APPROVE:1", attempt, settle=settle)
    second = await run_once(store, "k", "APPROVE:1", attempt, settle=settle)
    assert settled == 1
    assert first.confirmed
    assert second == first


async def test_concurrent_repeats_of_an_unknown_outcome_settle_it_once() -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10)
    started = asyncio.Event()
    release = asyncio.Event()
    settled = 0

    async def attempt() -> Outcome:
        return ok("ACTION_OUTCOME_UNKNOWN")

    async def settle() -> Outcome:
        nonlocal settled
        settled += 1
        started.set()
        await release.wait()
        return Outcome(confirmed=True)

    await run_once(store, "k", "APPROVE:1", attempt, settle=settle)
    first = asyncio.create_task(run_once(store, "k", "APPROVE:1", attempt, settle=settle))
    await started.wait()
    second = asyncio.create_task(run_once(store, "k", "APPROVE:1", attempt, settle=settle))
    await asyncio.sleep(0)  # let the repeat reach the store and wait there
    assert not second.done()
    release.set()
    assert await first == await second
    assert settled == 1


@pytest.mark.parametrize("failure", ["UPSTREAM_UNAVAILABLE", "exception"])
async def test_a_failed_settlement_keeps_the_unknown_outcome(failure: str) -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10)
    settles: list[str] = []

    async def attempt() -> Outcome:
        return ok("ACTION_OUTCOME_UNKNOWN")

    async def settle() -> Outcome:
        settles.append(failure)
        if len(settles) == 1 and failure == "exception":
            raise RuntimeError("boom")
        return ok(failure) if len(settles) == 1 else Outcome(confirmed=True)

    await run_once(store, "k", "APPROVE:1", attempt, settle=settle)
    with contextlib.suppress(RuntimeError):
        await run_once(store, "k", "APPROVE:1", attempt, settle=settle)
    assert (await run_once(store, "k", "APPROVE:1", attempt, settle=settle)).confirmed
    assert len(settles) == 2  # the unknown outcome survived the failed settlement


async def test_a_refused_settlement_releases_the_key() -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10)

    async def attempt() -> Outcome:
        return ok("ACTION_OUTCOME_UNKNOWN")

    async def settle() -> Outcome:
        return ok("WORKFLOW_STEP_MISMATCH")

    await run_once(store, "k", "APPROVE:1", attempt, settle=settle)
    await run_once(store, "k", "APPROVE:1", attempt, settle=settle)
    assert len(store) == 0


@pytest.mark.parametrize("code", ["ok", "ACTION_OUTCOME_UNKNOWN"])
async def test_kept_outcomes_are_replayed(code: str) -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10)
    runs = 0

    async def attempt() -> Outcome:
        nonlocal runs
        runs += 1
        return ok(code)

    await run_once(store, "k", "APPROVE:1", attempt)
    replay = await run_once(store, "k", "APPROVE:1", attempt)
    assert runs == 1
    assert replay == ok(code)


async def test_an_exception_releases_the_key() -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10)

    async def boom() -> Outcome:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await run_once(store, "k", "APPROVE:1", boom)
    assert len(store) == 0


async def test_entries_expire_after_the_ttl() -> None:
    clock = Clock()
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10, clock=clock)
    runs = 0

    async def attempt() -> Outcome:
        nonlocal runs
        runs += 1
        return ok()

    await run_once(store, "k", "APPROVE:1", attempt)
    clock.now += 59
    await run_once(store, "k", "APPROVE:1", attempt)
    assert runs == 1
    clock.now += 2
    await run_once(store, "k", "SEND_BACK:1", attempt)  # expired: no conflict any more
    assert runs == 2


async def test_the_store_is_bounded_and_drops_the_oldest_records() -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=3)

    async def attempt() -> Outcome:
        return ok()

    for key in ("a", "b", "c", "d", "e"):
        await run_once(store, key, "APPROVE:1", attempt)
    assert len(store) == 3
    assert (await store.claim("a", "APPROVE:1")).kept is None  # forgotten: claimable again
    assert (await store.claim("e", "APPROVE:1")).kept is not None


async def test_keys_in_flight_are_never_evicted() -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=1)
    assert (await store.claim("held", "APPROVE:1")).kept is None
    await store.complete("other", ok())
    assert len(store) == 1  # the recorded "other" went, the held key stayed
    with pytest.raises(IdempotencyConflict):
        await store.claim("held", "APPROVE:2")


async def test_without_a_key_every_call_runs() -> None:
    store = InMemoryIdempotencyStore(ttl_s=60, max_entries=10)
    runs = 0

    async def attempt() -> Outcome:
        nonlocal runs
        runs += 1
        return ok()

    await run_once(store, None, "APPROVE:1", attempt)
    await run_once(store, None, "APPROVE:1", attempt)
    assert runs == 2
    assert len(store) == 0
