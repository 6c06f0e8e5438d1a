"""A replica's near cache of a shared Redis: hot generations and entries kept in this process.

With Redis every cache hit used to cost round trips (the generations, then the entry). The
near cache keeps the generations of hot scopes (reports, caller lists) and the entries read
under them, and learns of every bump by push: a bump publishes ``"{token} {scope}"`` on the
invalidation channel (``{prefix}invalidations``) in the same Lua script that moves the
generation, so no bump exists that was not announced. A replica applies each message as it
arrives; the replica that bumped applies its own bump at once (it does not wait for its echo).

The near cache is trusted only while its channel is subscribed. Whenever the channel is lost
(a disconnect, a Redis restart, heartbeats unanswered) or subscribed anew, everything near is
dropped and its **epoch** moves on: a message missed while the channel was down can then
never leave a stale generation behind. An epoch bump of the backend (after an outage that
lost invalidations) is announced as ``"*"`` and drops everything too. While the backend is
degraded (Redis failing) nothing near is served either (``suspend``): a bump this replica
could not make must not leave it serving its own old copy.

Plain keys read through the near cache (a token revocation's ``EXISTS``) are announced when
written (``"! {key}"``, ``RedisCacheBackend.set_announced``): every replica drops its copy.

A value fetched from Redis is kept only if the near epoch did not move, no entry was dropped
by a message and nothing was evicted meanwhile (an eviction could have dropped a newer
generation learnt by push while the fetch was in flight); generations only move forward
(``newer``), so a push that overtook a fetch is never undone by the fetch's older answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import redis.asyncio as aioredis
from cachetools import TLRUCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DROP_ALL: Final = "*"
"""The message that drops every near copy (the backend's epoch moved)."""
DROP_KEY: Final = "! "
"""The head of a message that drops one near entry (a plain key was written: a revocation)."""
RECONNECT_INITIAL_S: Final = 0.05
RECONNECT_MAX_S: Final = 5.0
UNANSWERED_HEARTBEATS: Final = 3
"""Heartbeats without a pong after which the channel is taken for lost."""


def newer(token: str, than: str) -> bool:
    """Whether generation ``token`` (``"{epoch}.{generation}"``) is after ``than``."""
    epoch, _, generation = token.partition(".")
    other_epoch, _, other_generation = than.partition(".")
    return (int(epoch), int(generation)) > (int(other_epoch), int(other_generation))


@dataclass(frozen=True, slots=True)
class Mark:
    """The near cache's state when a fetch from Redis began (see ``NearCache.keep_*``)."""

    epoch: int
    evictions: int
    drops: int


class NearCache:
    """Generations and entries of hot scopes, valid while the invalidation channel is up."""

    def __init__(
        self, *, max_entries: int, ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_entries = max(1, max_entries)
        self._ttl_s = ttl_s
        self._clock = clock
        self._generations: OrderedDict[str, str] = OrderedDict()
        self._values: TLRUCache[str, tuple[float, Any]] = TLRUCache(
            maxsize=self._max_entries, ttu=lambda _k, v, now: now + v[0], timer=clock
        )
        self.epoch = 0
        self._subscribed = False
        self._suspended = False
        self.evictions = 0
        self.drops = 0
        self.hits = 0

    @property
    def trusted(self) -> bool:
        """Near copies are served only while the channel is subscribed and Redis answers
        (while it fails, a bump of this replica's may be lost: see ``suspend``)."""
        return self._subscribed and not self._suspended

    def subscribed(self, subscribed: bool) -> None:
        """The channel was subscribed anew or lost: either way, start over."""
        self._subscribed = subscribed
        self.drop_all()

    def suspend(self) -> None:
        """Redis is failing: serve nothing near until ``resume``."""
        self._suspended = True
        self.drop_all()

    def resume(self) -> None:
        self._suspended = False
        self.drop_all()

    def mark(self) -> Mark:
        return Mark(self.epoch, self.evictions, self.drops)

    def generation(self, scope: str) -> str | None:
        """The scope's current generation token, if known (and the channel is up)."""
        if not self.trusted:
            return None
        return self._generations.get(scope)

    def value(self, key: str) -> Any:
        """The entry kept under ``key`` (None when not kept or the channel is down)."""
        if not self.trusted:
            return None
        item = self._values.get(key)
        if item is None:
            return None
        self.hits += 1
        return item[1]

    def learn(self, scope: str, token: str) -> None:
        """A bump, announced or our own: the scope is at ``token`` now (or later)."""
        held = self._generations.get(scope)
        if held is None or newer(token, held):
            self._put_generation(scope, token)

    def keep_generation(self, mark: Mark, scope: str, token: str) -> None:
        """Remember a generation read from Redis, unless it may have been overtaken."""
        if self.trusted and mark == self.mark():
            self.learn(scope, token)

    def keep_value(self, mark: Mark, key: str, value: Any, ttl_s: float | None = None) -> None:
        """Remember an entry read from or written to Redis (never longer than ``ttl_s``)."""
        if (
            not self.trusted
            or value is None
            or (mark.epoch, mark.drops) != (self.epoch, self.drops)
        ):
            return
        ttl = self._ttl_s if not ttl_s else min(ttl_s, self._ttl_s)
        if len(self._values) >= self._max_entries and key not in self._values:
            self.evictions += 1
        self._values[key] = (ttl, value)

    def drop_all(self) -> None:
        """Forget everything near and start a new epoch."""
        self._generations.clear()
        self._values.clear()
        self.epoch += 1

    def _put_generation(self, scope: str, token: str) -> None:
        self._generations[scope] = token
        self._generations.move_to_end(scope)
        while len(self._generations) > self._max_entries:
            self._generations.popitem(last=False)
            self.evictions += 1

    def apply(self, message: str) -> None:
        """One message of the invalidation channel."""
        if message == DROP_ALL:
            self.drop_all()
            return
        if message.startswith(DROP_KEY):
            self.drops += 1
            self._values.pop(message[len(DROP_KEY) :], None)
            return
        token, _, scope = message.partition(" ")
        if scope:
            self.learn(scope, token)


class InvalidationChannel:
    """Keeps ``near`` subscribed to ``channel`` on its own connection, reconnecting with
    back-off; every loss and every new subscription drops the near cache (a new epoch)."""

    def __init__(
        self, near: NearCache, *, url: str, channel: str, heartbeat_s: float, connect_s: float
    ) -> None:
        self._near = near
        self._channel = channel
        self._heartbeat_s = heartbeat_s
        self._client = aioredis.Redis.from_url(
            url, socket_timeout=None, socket_connect_timeout=connect_s, max_connections=2
        )
        self._task: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()
        """Set while the channel is subscribed (and the near cache trusted)."""
        self.lost = asyncio.Event()
        """Set once the channel was lost (cleared on the next subscription)."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="near-cache-invalidations")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._near.subscribed(False)
        await self._client.aclose()

    async def _run(self) -> None:
        backoff = RECONNECT_INITIAL_S
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                self._near.subscribed(True)
                self.lost.clear()
                self.subscribed.set()
                backoff = RECONNECT_INITIAL_S
                await self._receive(pubsub)
            except (RedisError, OSError) as exc:
                logger.warning(
                    "invalidation channel lost: near cache dropped",
                    extra={"error": repr(exc), "retry_in_s": backoff},
                )
            finally:
                self.subscribed.clear()
                self._near.subscribed(False)
                self.lost.set()
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]  # untyped in redis-py
            await asyncio.sleep(backoff)  # back-off between reconnection attempts
            backoff = min(backoff * 2, RECONNECT_MAX_S)

    async def _receive(self, pubsub: Any) -> None:
        unanswered = 0
        while True:
            message = await pubsub.get_message(timeout=self._heartbeat_s)
            if message is None:
                if unanswered >= UNANSWERED_HEARTBEATS:
                    raise RedisConnectionError("invalidation channel heartbeats unanswered")
                unanswered += 1
                await pubsub.ping()
                continue
            unanswered = 0
            if message.get("type") == "message":
                data = message["data"]
                self._near.apply(data.decode() if isinstance(data, bytes) else str(data))


__all__ = ["DROP_ALL", "DROP_KEY", "InvalidationChannel", "Mark", "NearCache", "newer"]
