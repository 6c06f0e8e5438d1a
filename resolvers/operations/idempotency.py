"""Idempotency keys: a mutation is applied at most once per key and caller.

Concur has no idempotency of its own, and an approve sent twice may approve two steps (the
second approver's step, say). A key keeps what must never be sent again (``Outcome.kept``):
a success, replayed without a second upstream call, and an unknown outcome, which the next
repeat settles by re-reading the report (``run_once``'s ``settle``). A concurrent repeat
waits for the first to finish, and the same key used for a different action or report is
refused. Refusals and transient failures release the key.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final, Protocol

from adapters.client import Credentials
from adapters.errors import BadUserInput, IdempotencyConflict
from resolvers.operations.cache import principal_of
from resolvers.operations.outcome import Outcome

MAX_KEY_LENGTH: Final = 255

Attempt = Callable[[], Awaitable[Outcome]]


def check_key(key: str | None) -> None:
    """Refuse a key no store should hold (``BadUserInput``), before any upstream call."""
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise BadUserInput(
            f"idempotencyKey must be 1 to {MAX_KEY_LENGTH} characters.", field="idempotencyKey"
        )


def key_scope(credentials: Credentials, key: str | None) -> str | None:
    """Where a caller's key lives: keys are the caller's own (the cache's principal)."""
    return None if key is None else f"{principal_of(credentials)}:{key}"


def conflict() -> IdempotencyConflict:
    return IdempotencyConflict(
        "This idempotency key was already used for a different action or report; use a new key.",
        field="idempotencyKey",
    )


@dataclass(frozen=True, slots=True)
class Claim:
    """What claiming a key gives: an outcome to answer with, or the key to act under."""

    kept: Outcome | None = None
    """An outcome kept under the key: answer with it and act no more."""
    unsettled: Outcome | None = None
    """The key is ours to act under, reopened to settle this earlier unknown outcome."""


class IdempotencyStore(Protocol):
    """Where kept outcomes live (in process, or Redis for several replicas)."""

    async def claim(self, key: str, fingerprint: str, *, reopen_unsettled: bool) -> Claim:
        """Reserve ``key`` for the caller, or return the outcome kept under it.

        Unless ``kept`` is set, the caller owns the key and must end with ``complete`` or
        ``release``. With ``reopen_unsettled``, a kept unknown outcome is handed over with
        the key (``unsettled``) so the caller can settle it. Waits while another request
        holds the key. Raises ``IdempotencyConflict`` when the key was used with a
        different ``fingerprint``.
        """
        ...

    async def complete(self, key: str, outcome: Outcome) -> None:
        """Keep ``outcome`` under an owned key and wake its waiters."""
        ...

    async def release(self, key: str) -> None:
        """Give up an owned key, keeping nothing (a repeat may act afresh)."""
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
    kept ones are dropped first (keys in flight are never dropped: a waiter depends on them).
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

    async def claim(self, key: str, fingerprint: str, *, reopen_unsettled: bool = False) -> Claim:
        while True:
            self._expire()
            slot = self._slots.get(key)
            if slot is None:
                self._slots[key] = _Slot(fingerprint)
                self._bound()
                return Claim()
            if slot.fingerprint != fingerprint:
                raise conflict()
            kept = slot.outcome
            if kept is not None and reopen_unsettled and kept.unsettled:
                self._slots[key] = _Slot(fingerprint)  # in flight again, with fresh waiters
                return Claim(unsettled=kept)
            if kept is not None:
                return Claim(kept=kept)
            await slot.done.wait()

    async def complete(self, key: str, outcome: Outcome) -> None:
        slot = self._slots.get(key)
        if slot is None:  # expired or evicted meanwhile: keep it afresh
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
                    break  # kept slots are in expiry order
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
    attempt: Attempt,
    *,
    settle: Attempt | None = None,
) -> Outcome:
    """Run ``attempt`` at most once per ``key``; without a key, just run it.

    A kept unknown outcome is settled by ``settle`` when given (it re-reads and either
    confirms or acts once), else replayed like any kept outcome. What the run ends with
    decides the key: kept outcomes are kept; a refusal releases it; anything else (a
    transient failure, an exception, a cancellation) puts back what was there before,
    so an unknown outcome is never forgotten by a failed attempt to settle it.
    """
    if key is None:
        return await attempt()
    claim = await store.claim(key, fingerprint, reopen_unsettled=settle is not None)
    if claim.kept is not None:
        return claim.kept
    earlier = claim.unsettled
    try:
        outcome = await (settle if earlier is not None and settle is not None else attempt)()
    except BaseException:
        await _restore(store, key, earlier)
        raise
    if outcome.kept:
        await store.complete(key, outcome)
    elif outcome.refused:
        await store.release(key)
    else:
        await _restore(store, key, earlier)
    return outcome


async def _restore(store: IdempotencyStore, key: str, earlier: Outcome | None) -> None:
    if earlier is None:
        await store.release(key)
    else:
        await store.complete(key, earlier)


__all__ = [
    "MAX_KEY_LENGTH",
    "Attempt",
    "Claim",
    "IdempotencyStore",
    "InMemoryIdempotencyStore",
    "check_key",
    "conflict",
    "key_scope",
    "run_once",
]
