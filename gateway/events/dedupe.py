"""At-least-once delivery made once: which ESS event ids were applied already.

ESS redelivers an event until it gets a 2xx (for up to 72 hours), and may send one event
several times. An id is first *claimed* (``pending``, short-lived) and marked ``done`` (kept
``ttl_s``, at least 72 h) only once the event was recorded, invalidated and published. A
duplicate of a done event is answered 200 and ignored; one arriving while the first is
still being applied is answered 503 so ESS comes back later. If applying fails, the claim
is released; if even that fails (the backend is down), the claim expires on its own after
``PENDING_S`` and ESS's next retry applies the event — an event is never marked done
without having been applied.

With Redis (``SET NX EX`` under the configured prefix) every replica shares one ledger;
without it an in-process map bounded to ``max_ids`` ids (oldest forgotten first) does.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from gateway.cache.backend import CacheBackend

PENDING_S: Final = 30
"""How long a claim outlives a replica that died (or lost Redis) while applying it."""
_DONE: Final = "done"
_PENDING: Final = "pending"


class Claim(StrEnum):
    NEW = "new"  # this caller applies the event
    DONE = "done"  # applied before: a duplicate
    PENDING = "pending"  # being applied right now by another delivery


class EventLedger(Protocol):
    async def claim(self, event_id: str) -> Claim: ...

    async def complete(self, event_id: str) -> None: ...

    async def release(self, event_id: str) -> None: ...


class InMemoryLedger:
    """The ledger of one process (no Redis configured)."""

    def __init__(self, *, ttl_s: float, max_ids: int, clock: Callable[[], float]) -> None:
        self._ttl_s = ttl_s
        self._max_ids = max_ids
        self._clock = clock
        self._entries: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def _put(self, event_id: str, state: str, ttl_s: float) -> None:
        self._entries[event_id] = (state, self._clock() + ttl_s)
        self._entries.move_to_end(event_id)
        while len(self._entries) > self._max_ids:
            self._entries.popitem(last=False)

    async def claim(self, event_id: str) -> Claim:
        entry = self._entries.get(event_id)
        if entry is not None and entry[1] > self._clock():
            return Claim.DONE if entry[0] == _DONE else Claim.PENDING
        self._put(event_id, _PENDING, PENDING_S)
        return Claim.NEW

    async def complete(self, event_id: str) -> None:
        self._put(event_id, _DONE, self._ttl_s)

    async def release(self, event_id: str) -> None:
        self._entries.pop(event_id, None)


class RedisLedger:
    """The ledger every replica shares (``{prefix}ess:event:{id}``).

    Commands run through the cache backend's ``call``: a failing Redis degrades the backend
    (``CacheUnavailable`` at once afterwards) instead of costing every delivery a timeout.
    """

    def __init__(self, backend: CacheBackend, redis: Redis, *, ttl_s: int) -> None:
        self._backend = backend
        self._redis = redis
        self._ttl_s = ttl_s

    def _key(self, event_id: str) -> str:
        return f"{self._backend.prefix}ess:event:{event_id}"

    async def claim(self, event_id: str) -> Claim:
        key = self._key(event_id)
        call = self._backend.call
        for _ in range(2):  # a claim may expire between SET NX and GET: try once more
            if await call(lambda: self._redis.set(key, _PENDING, nx=True, ex=PENDING_S)):
                return Claim.NEW
            state = await call(lambda: self._redis.get(key))
            if state is not None:
                text = state.decode() if isinstance(state, bytes) else str(state)
                return Claim.DONE if text == _DONE else Claim.PENDING
        return Claim.PENDING

    async def complete(self, event_id: str) -> None:
        key = self._key(event_id)
        await self._backend.call(lambda: self._redis.set(key, _DONE, ex=self._ttl_s))

    async def release(self, event_id: str) -> None:
        key = self._key(event_id)
        await self._backend.call(lambda: self._redis.delete(key))


__all__ = ["PENDING_S", "Claim", "EventLedger", "InMemoryLedger", "RedisLedger"]
