"""Turns the store's events into envelopes and deliveries.

The engine calls store listeners synchronously from request handlers, so publishing only
builds the envelope and queues work; every network call happens in the dispatcher's lanes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from sandbox.ess.delivery import Delivery, Dispatcher
from sandbox.ess.envelope import PublishedEvent, build_envelope
from sandbox.ess.injection import NORMAL, Injection
from sandbox.ess.subscriptions import SubscriptionRegistry
from sandbox.records import SandboxEvent

EVENT_HISTORY_LIMIT = 1000  # published envelopes kept for inspection and redelivery


class Publisher:
    """The store listener: envelope, history, fault injection, then the dispatcher."""

    def __init__(
        self,
        *,
        subscriptions: SubscriptionRegistry,
        dispatcher: Dispatcher,
        clock: Callable[[], datetime],
    ) -> None:
        self._subscriptions = subscriptions
        self._dispatcher = dispatcher
        self._clock = clock
        self._events: OrderedDict[str, PublishedEvent] = OrderedDict()
        self._held: list[Delivery] = []
        self.injection = NORMAL

    def __call__(self, event: SandboxEvent) -> None:
        self.publish(event)

    def publish(self, event: SandboxEvent) -> PublishedEvent:
        published = build_envelope(event, self._clock())
        self._events[published.event_id] = published
        while len(self._events) > EVENT_HISTORY_LIMIT:
            self._events.popitem(last=False)
        injection = self.injection
        for subscription in self._subscriptions.matching(event.event_type):
            for _ in range(injection.copies):
                delivery = Delivery(published, subscription.id, injection.delay_s)
                if injection.reorder:
                    self._held.append(delivery)
                else:
                    self._dispatcher.submit(delivery)
        return published

    # inspection ------------------------------------------------------------------------
    @property
    def events(self) -> list[PublishedEvent]:
        """Published envelopes, oldest first."""
        return list(self._events.values())

    def event(self, event_id: str) -> PublishedEvent | None:
        return self._events.get(event_id)

    @property
    def held(self) -> int:
        return len(self._held)

    # sandbox controls ------------------------------------------------------------------
    def redeliver(self, published: PublishedEvent, subscription_id: str | None = None) -> int:
        """Send the very same bytes again to every matching subscription (or just one),
        bypassing injection: the receiver sees a genuine duplicate, possibly out of order."""
        targets = [
            s
            for s in self._subscriptions.matching(published.event_type)
            if subscription_id is None or s.id == subscription_id
        ]
        for subscription in targets:
            self._dispatcher.submit(Delivery(published, subscription.id))
        return len(targets)

    def inject(self, injection: Injection) -> None:
        self.injection = injection
        if not injection.reorder:
            self.flush()

    def flush(self) -> int:
        """Release the held batch newest first, so older events arrive after newer ones."""
        held, self._held = self._held, []
        for delivery in reversed(held):
            self._dispatcher.submit(delivery)
        return len(held)

    def reset(self) -> int:
        """Back to normal: release anything held and cut injected delays short."""
        self.injection = NORMAL
        self._dispatcher.cut_delays()
        return self.flush()


PUBLISHER = web.AppKey("sandbox_ess_publisher", Publisher)

__all__ = ["EVENT_HISTORY_LIMIT", "PUBLISHER", "Publisher"]
