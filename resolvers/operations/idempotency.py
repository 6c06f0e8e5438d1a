"""Idempotency keys: a workflow action is applied at most once per key and caller.

Concur has no idempotency of its own, and an approve sent twice may approve two steps (the
second approver's step, say). A key remembers the first outcome for ``ttl_s``: a repeat gets
that outcome back without a second upstream call, a concurrent repeat waits for the first to
finish, and the same key used for a different action or report is refused.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from adapters.errors import IdempotencyConflict
from resolvers.operations.outcome import Outcome


class IdempotencyStore(Protocol):
    """Where first outcomes are kept (in process now; Redis for several replicas)."""

    async def claim(self, key: str, fingerprint: str) -> Outcome | None:
        """Reserve ``key`` for the caller, or return the outcome already recorded under it.

        ``None`` means the caller owns the key and must call ``complete`` or ``release``.
        Waits while another request holds the key. Raises ``IdempotencyConflict`` when the
        key was used with a different ``fingerprint`` (another action or report).
        """
        ...

    async def complete(self, key: str, outcome: Outcome) -> None:
        """Record the outcome of an owned key and wake its waiters."""
        ...

    async def release(self, key: str) -> None:
        """Give up an owned key without recording anything (the attempt may be retried)."""
        ...


@dataclass(slots=True)
class _Slot:
    fingerprint: str
    done: asyncio.Event = field(default_factory=asyncio.Event)
    outcome: Outcome | None = None
    expires_at: float = math.inf


class InMemoryIdempotencyStore:
    """A bounded, TTL-expiring store for one process.

    Bounded twice: entries expire after ``ttl_s``, and beyond ``max_entries`` the oldest
    recorded ones are dropped first (keys still in flight are never dropped, since a waiter
    depends on them).
    """

    def __init__(
        self,
        *,
        ttl_s: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max(1, max_entries)
        self._clock = clock
        self._slots: OrderedDict[str, _Slot] = OrderedDict()

    def __len__(self) -> int:
        return len(self._slots)

    async def claim(self, key: str, fingerprint: str) -> Outcome | None:
        while True:
            self._expire()
            slot = self._slots.get(key)
            if slot is None:
                self._slots[key] = _Slot(fingerprint)
                self._bound()
                return None
            if slot.fingerprint != fingerprint:
                raise IdempotencyConflict(
                    "This idempotency key was already used for a different action or report; "
                    "use a new key.",
                    field="idempotencyKey",
                )
            if slot.outcome is not None:
                return slot.outcome
            await slot.done.wait()

    async def complete(self, key: str, outcome: Outcome) -> None:
        slot = self._slots.get(key)
        if slot is None:  # expired or evicted meanwhile: record afresh
            slot = self._slots[key] = _Slot("")
        slot.outcome = outcome
        slot.expires_at = self._clock() + self._ttl_s
        self._slots.move_to_end(key)
        slot.done.set()
        self._bound()

    async def release(self, key: str) -> None:
        slot = self._slots.pop(key, None)
        if slot is not None:
            slot.done.set()

    def _expire(self) -> None:
        now = self._clock()
        expired: list[str] = []
        for key, slot in self._slots.items():
            if slot.expires_at > now:
                if slot.outcome is not None:
                    break  # recorded slots are kept in expiry order
                continue  # a slot in flight never expires; look past it
            expired.append(key)
        for key in expired:
            del self._slots[key]

    def _bound(self) -> None:
        excess = len(self._slots) - self._max_entries
        if excess <= 0:
            return
        oldest = [key for key, slot in self._slots.items() if slot.outcome is not None][:excess]
        for key in oldest:
            del self._slots[key]


async def run_once(
    store: IdempotencyStore,
    key: str | None,
    fingerprint: str,
    attempt: Callable[[], Awaitable[Outcome]],
) -> Outcome:
    """Run ``attempt`` at most once per ``key``; without a key, just run it.

    Definitive outcomes are recorded; anything else (a transient failure, an exception,
    a cancellation) releases the key so a retry with it may go ahead.
    """
    if key is None:
        return await attempt()
    recorded = await store.claim(key, fingerprint)
    if recorded is not None:
        return recorded
    try:
        outcome = await attempt()
    except BaseException:
        await store.release(key)
        raise
    if outcome.is_definitive:
        await store.complete(key, outcome)
    else:
        await store.release(key)
    return outcome


__all__ = ["IdempotencyStore", "InMemoryIdempotencyStore", "run_once"]
