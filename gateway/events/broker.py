"""The event broker: report events from the ESS receiver to every subscriber, on every replica.

``publish`` never waits: the webhook must answer ESS within seconds whatever subscribers
do. Without Redis, events fan out in-process at once. With Redis, they are queued for a
publisher task that sends them on one channel (``{prefix}events``) and every replica — the
publishing one included — fans out what its listener receives, so each subscriber sees an
event once, whichever replica ESS delivered it to. If Redis refuses a publish, the event
still reaches this replica's subscribers; a replica whose listener is reconnecting misses
what was published meanwhile (subscribers re-read ``report`` for the current state anyway).

Each subscriber has a bounded queue (``subscriptions.queue_size``). A subscriber that falls
behind loses its oldest events (``drop_oldest``) or is ended (``disconnect``: its
subscription completes and the client subscribes again); either way one slow client never
holds up the others or grows memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Final

from pydantic import ValidationError
from redis.exceptions import RedisError

from adapters.models import ReportEvent
from gateway.settings.events import Overflow, SubscriptionSettings

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.client import PubSub

    from gateway.events.stats import EssStats

logger = logging.getLogger(__name__)

RECONNECT_INITIAL_S: Final = 0.05
RECONNECT_MAX_S: Final = 5.0


class Subscriber:
    """One subscription's bounded queue, consumed as an async iterator."""

    def __init__(
        self,
        report_id: str | None,
        event_types: frozenset[str] | None,
        *,
        size: int,
        overflow: Overflow,
        stats: EssStats,
    ) -> None:
        self.report_id = report_id
        self.event_types = event_types
        self._size = size
        self._overflow = overflow
        self._stats = stats
        self._queue: deque[ReportEvent] = deque()
        self._ready = asyncio.Event()
        self._ended = False

    def matches(self, event: ReportEvent) -> bool:
        return (self.report_id is None or event.report_id == self.report_id) and (
            self.event_types is None or event.event_type in self.event_types
        )

    def offer(self, event: ReportEvent) -> None:
        """Queue ``event`` without waiting (see the module docstring for a full queue)."""
        if self._ended:
            return
        if len(self._queue) >= self._size:
            self._stats.dropped += 1
            if self._overflow is Overflow.DISCONNECT:
                logger.warning("slow subscriber disconnected", extra={"queued": self._size})
                self._queue.clear()  # ended now, not after the backlog
                self.end()
                return
            self._queue.popleft()
        self._queue.append(event)
        self._ready.set()

    def end(self) -> None:
        """No more events: the iterator stops once what is queued was read."""
        self._ended = True
        self._ready.set()

    def __aiter__(self) -> Subscriber:
        return self

    async def __anext__(self) -> ReportEvent:
        while not self._queue:
            if self._ended:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._queue.popleft()


class EventBroker:
    """Fans report events out to subscribers (an ``EventSource``); see the module docstring."""

    def __init__(
        self,
        *,
        settings: SubscriptionSettings,
        stats: EssStats,
        redis: Redis | None = None,
        channel: str = "",
    ) -> None:
        self._settings = settings
        self._stats = stats
        self._redis = redis
        self._channel = channel
        self._subscribers: set[Subscriber] = set()
        self._membership = asyncio.Condition()
        self._outbox: asyncio.Queue[ReportEvent] = asyncio.Queue(settings.publish_queue_size)
        self._tasks: list[asyncio.Task[None]] = []
        self.listening = asyncio.Event()
        """Set while the Redis listener is subscribed (always set without Redis)."""
        if redis is None:
            self.listening.set()

    @property
    def shared(self) -> bool:
        """Whether events travel through Redis to every replica."""
        return self._redis is not None

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def wait_for_subscribers(self, count: int) -> None:
        """Return once at least ``count`` subscribers are registered (readiness, tests)."""
        async with self._membership:
            await self._membership.wait_for(lambda: len(self._subscribers) >= count)

    async def _membership_changed(self) -> None:
        async with self._membership:
            self._membership.notify_all()

    async def start(self) -> None:
        if self._redis is None:
            return
        self._tasks = [
            asyncio.create_task(self._listen(self._redis), name="event-broker-listener"),
            asyncio.create_task(self._publish_loop(self._redis), name="event-broker-publisher"),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        for subscriber in list(self._subscribers):
            subscriber.end()

    # publishing ---------------------------------------------------------------------------

    def publish(self, event: ReportEvent) -> None:
        """Hand ``event`` over for every subscriber; never waits."""
        self._stats.published += 1
        if self._redis is None:
            self.fan_out(event)
            return
        try:
            self._outbox.put_nowait(event)
        except asyncio.QueueFull:
            self._stats.publish_failures += 1
            logger.warning("publish queue full: event shared with this replica only")
            self.fan_out(event)

    def fan_out(self, event: ReportEvent) -> None:
        """Offer ``event`` to this replica's matching subscribers."""
        for subscriber in list(self._subscribers):
            if subscriber.matches(event):
                subscriber.offer(event)

    async def _publish_loop(self, redis: Redis) -> None:
        while True:
            event = await self._outbox.get()
            try:
                await redis.publish(self._channel, event.model_dump_json())
            except RedisError as exc:
                self._stats.publish_failures += 1
                logger.warning(
                    "event not published to Redis: shared with this replica only",
                    extra={"error": repr(exc), "event_id": event.id},
                )
                self.fan_out(event)

    async def _listen(self, redis: Redis) -> None:
        """Receive the channel until cancelled, reconnecting with backoff when Redis fails."""
        backoff = RECONNECT_INITIAL_S
        while True:
            pubsub = redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                self.listening.set()
                backoff = RECONNECT_INITIAL_S
                await self._receive(pubsub)
            except (RedisError, OSError) as exc:
                self.listening.clear()
                logger.warning(
                    "event channel lost; reconnecting",
                    extra={"error": repr(exc), "retry_in_s": backoff},
                )
            finally:
                self.listening.clear()
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
            await asyncio.sleep(backoff)  # backoff between reconnection attempts
            backoff = min(backoff * 2, RECONNECT_MAX_S)

    async def _receive(self, pubsub: PubSub) -> None:
        async for message in pubsub.listen():
            if message.get("type") != "message":
                continue
            try:
                event = ReportEvent.model_validate_json(message["data"])
            except ValidationError:
                logger.warning("unreadable message on the event channel ignored")
                continue
            self.fan_out(event)

    # subscribing --------------------------------------------------------------------------

    @asynccontextmanager
    async def subscribe(
        self, report_id: str | None, event_types: frozenset[str] | None
    ) -> AsyncIterator[AsyncIterator[ReportEvent]]:
        subscriber = Subscriber(
            report_id,
            event_types,
            size=self._settings.queue_size,
            overflow=self._settings.overflow,
            stats=self._stats,
        )
        self._subscribers.add(subscriber)
        await self._membership_changed()
        try:
            yield subscriber
        finally:
            self._subscribers.discard(subscriber)
            subscriber.end()


__all__ = ["RECONNECT_INITIAL_S", "RECONNECT_MAX_S", "EventBroker", "Subscriber"]
