"""At-least-once webhook delivery: one lane per subscription, retries with backoff, a log.

Concur holds a subscription's queue while it retries an event (5xx, 401, 403, 429, I/O
errors) and moves on only once the event is delivered, refused (any other 4xx) or expired.
The sandbox does the same per subscription: each has its own lane (queue + worker task), so
a slow or failing endpoint delays only its own events, and within a lane events go out in
the order they were queued (which is what lets fault injection reorder them predictably).
Expiry is ``ess_max_attempts`` attempts instead of Concur's 72 hours.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from sandbox.config import SandboxConfig
from sandbox.ess.envelope import PublishedEvent, timestamp
from sandbox.ess.signing import SigningKeys
from sandbox.ess.subscriptions import SubscriptionRegistry

logger = logging.getLogger(__name__)

ATTEMPT_LOG_LIMIT = 2000  # a long-running sandbox must not grow without bound
RETRIED_STATUSES = frozenset({401, 403, 429})


def should_retry(status: int) -> bool:
    """Concur's documented rule: retry 5xx, 401, 403, 429; any other non-2xx is final."""
    return status >= 500 or status in RETRIED_STATUSES


@dataclass(frozen=True)
class Delivery:
    """One event owed to one subscription; ``delay_s`` is injected latency before sending."""

    event: PublishedEvent
    subscription_id: str
    delay_s: float = 0.0


@dataclass(frozen=True)
class RetryPolicy:
    initial_s: float
    max_s: float
    max_attempts: int
    timeout_s: float

    @classmethod
    def from_config(cls, config: SandboxConfig) -> RetryPolicy:
        return cls(
            initial_s=config.ess_retry_initial_s,
            max_s=config.ess_retry_max_s,
            max_attempts=max(1, config.ess_max_attempts),
            timeout_s=config.ess_timeout_s,
        )


@dataclass(frozen=True)
class Attempt:
    """One POST to a webhook and what came of it (Concur logs these for 30 days)."""

    event_id: str
    event_type: str
    subscription_id: str
    endpoint: str
    attempt: int
    status: int | None
    error: str | None
    will_retry: bool
    at: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "eventId": self.event_id,
            "eventType": self.event_type,
            "subscriptionId": self.subscription_id,
            "endpoint": self.endpoint,
            "attempt": self.attempt,
            "status": self.status,
            "error": self.error,
            "willRetry": self.will_retry,
            "timeStamp": self.at,
        }


class _RetryableFailure(Exception):
    """Raised inside the retry loop so tenacity schedules the next attempt."""


class _Lane:
    """A subscription's queue and the task that works through it."""

    def __init__(self, work: Callable[[_Lane], Coroutine[Any, Any, None]], name: str) -> None:
        self.queue: asyncio.Queue[Delivery] = asyncio.Queue()
        self.busy = False
        self.task = asyncio.create_task(work(self), name=name)

    @property
    def pending(self) -> int:
        return self.queue.qsize() + int(self.busy)


class Dispatcher:
    """Queues deliveries without blocking the caller and works them off in the background."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        subscriptions: SubscriptionRegistry,
        keys: SigningKeys,
        policy: RetryPolicy,
        clock: Callable[[], datetime],
    ) -> None:
        self._session = session
        self._subscriptions = subscriptions
        self._keys = keys
        self._policy = policy
        self._clock = clock
        self._lanes: dict[str, _Lane] = {}
        self._retired: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._cut_delays = asyncio.Event()
        self.attempts: deque[Attempt] = deque(maxlen=ATTEMPT_LOG_LIMIT)

    # queueing --------------------------------------------------------------------------
    def submit(self, delivery: Delivery) -> None:
        """Queue ``delivery`` on its subscription's lane; never waits (called from handlers)."""
        sub_id = delivery.subscription_id
        lane = self._lanes.get(sub_id)
        if lane is None:
            lane = self._lanes[sub_id] = _Lane(self._work, f"ess-lane-{sub_id}")
        lane.queue.put_nowait(delivery)
        self._idle.clear()

    @property
    def pending(self) -> int:
        """Deliveries queued or in flight (including ones waiting out a retry or a delay)."""
        return sum(lane.pending for lane in self._lanes.values())

    async def drain(self, timeout_s: float) -> bool:
        """Wait until nothing is pending, at most ``timeout_s``; True when drained."""
        if self._idle.is_set():
            return True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            return False
        return True

    def cut_delays(self) -> None:
        """Send deliveries that are waiting out an injected delay right away."""
        self._cut_delays.set()
        self._cut_delays = asyncio.Event()

    def drop_subscription(self, sub_id: str) -> None:
        """Forget a deleted subscription's queue; its in-flight attempt is cancelled."""
        lane = self._lanes.pop(sub_id, None)
        if lane is not None:
            lane.task.cancel()
            self._retired.add(lane.task)
            lane.task.add_done_callback(self._retired.discard)
        self._update_idle()

    async def close(self) -> None:
        """Cancel every lane and wait for them, so nothing outlives the app."""
        lanes = list(self._lanes.values())
        self._lanes.clear()
        tasks = [*(lane.task for lane in lanes), *self._retired]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._update_idle()

    def _update_idle(self) -> None:
        if self.pending == 0:
            self._idle.set()
        else:
            self._idle.clear()

    # working ---------------------------------------------------------------------------
    async def _work(self, lane: _Lane) -> None:
        while True:
            delivery = await lane.queue.get()
            lane.busy = True
            try:
                await self._deliver(delivery)
            finally:
                lane.busy = False
                self._update_idle()

    async def _deliver(self, delivery: Delivery) -> None:
        if delivery.delay_s > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._cut_delays.wait(), delivery.delay_s)
        policy = self._policy
        retrying = AsyncRetrying(
            stop=stop_after_attempt(policy.max_attempts),
            wait=wait_exponential(multiplier=policy.initial_s, max=policy.max_s),
            retry=retry_if_exception_type(_RetryableFailure),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._attempt(delivery, attempt.retry_state.attempt_number)
        except _RetryableFailure:
            logger.warning(
                "ESS gave up on event %s for subscription %s after %d attempts",
                delivery.event.event_id,
                delivery.subscription_id,
                policy.max_attempts,
            )

    async def _attempt(self, delivery: Delivery, number: int) -> None:
        subscription = self._subscriptions.get(delivery.subscription_id)
        if subscription is None:
            return  # deleted while queued: nothing is owed any more
        event = delivery.event
        status: int | None = None
        error: str | None = None
        headers = {
            "Content-Type": "application/json",
            "Concur-Correlationid": event.correlation_id,
            "Concur-Signature": self._keys.sign(event.body),
        }
        try:
            async with self._session.post(
                subscription.endpoint,
                data=event.body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self._policy.timeout_s),
            ) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        retryable = error is not None or (status is not None and should_retry(status))
        will_retry = retryable and number < self._policy.max_attempts
        record = Attempt(
            event_id=event.event_id,
            event_type=event.event_type,
            subscription_id=subscription.id,
            endpoint=subscription.endpoint,
            attempt=number,
            status=status,
            error=error,
            will_retry=will_retry,
            at=timestamp(self._clock()),
        )
        self.attempts.append(record)
        logger.info(
            "ESS delivery of %s to subscription %s, attempt %d: %s",
            event.event_id,
            subscription.id,
            number,
            status if error is None else error,
            extra={"ess_attempt": record.to_wire()},
        )
        if retryable:
            raise _RetryableFailure(error or f"HTTP {status}")


DISPATCHER = web.AppKey("sandbox_ess_dispatcher", Dispatcher)

__all__ = [
    "ATTEMPT_LOG_LIMIT",
    "DISPATCHER",
    "Attempt",
    "Delivery",
    "Dispatcher",
    "RetryPolicy",
    "should_retry",
]
