"""``CostGate``: the company app's budget of upstream calls, and each caller's share of it.

Built on ``limits`` (sliding window counters with a ``cost`` per hit, in process or in Redis
shared by every replica) rather than hand-written Lua: it already does the atomic
check-and-spend in Redis and its window stats give ``remaining`` and the reset time. The
sliding window counter is chosen over the moving window because it keeps two counters per
key whatever a request costs, where the moving window stores one entry per call spent.

Fairness: a request is charged to the app's window and to its caller's, and each caller's
window holds ``caller_share`` of the app's. So no caller can spend more than its share, and
the rest of the app's window always stays for the others; as long as others are idle, a busy
caller may use its whole share (far more than an even split), which is how idle shares are
lent without reservations to take back.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from cachetools import LRUCache
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.errors import RateLimited
from adapters.pauses import LocalPauses, RoutePauses
from gateway.budget.pauses import RedisPauses
from gateway.settings.budget import BudgetSettings
from resolvers.operations.cost import BudgetStatus
from resolvers.operations.pricing import Pricer

logger = logging.getLogger(__name__)

_STORE_ERRORS: Final = (RedisError, OSError)
_APP: Final = "app"
_CALLER: Final = "caller"
_TRACKED_CALLERS: Final = 1_000
STATUS_REFRESH_S: Final = 1.0
"""How old a caller's remaining-share gauge may grow before a charge reads it back."""


class RecordedPauses:
    """Pauses as this replica last saw them (for the pause gauge), over the shared store."""

    def __init__(self, inner: RoutePauses, clock: Callable[[], float]) -> None:
        self._inner = inner
        self._clock = clock
        self._until: LRUCache[str, float] = LRUCache(maxsize=_TRACKED_CALLERS)

    async def paused_for(self, route: str) -> float | None:
        left = await self._inner.paused_for(route)
        self._until[route] = self._clock() + (left or 0.0)
        return left

    async def pause(self, route: str, seconds: float) -> None:
        await self._inner.pause(route, seconds)
        self._until[route] = max(self._until.get(route, 0.0), self._clock() + seconds)

    def seconds_left(self) -> dict[str, float]:
        now = self._clock()
        return {route: max(0.0, until - now) for route, until in self._until.items()}


class CostGate:
    """Prices, admits and refuses requests; ``start`` moves it to Redis when there is one."""

    def __init__(self, settings: BudgetSettings, *, clock: Callable[[], float] = time.time):
        self.settings = settings
        self.pricer = Pricer(list_size=settings.list_size)
        self._clock = clock
        self._app_item: RateLimitItem = RateLimitItemPerSecond(
            settings.calls_per_window, settings.window_s
        )
        self._caller_item: RateLimitItem = RateLimitItemPerSecond(
            settings.caller_calls, settings.window_s
        )
        self._redis: Redis | None = None
        self._use(MemoryStorage(), "local", LocalPauses(time.monotonic))
        self.app_remaining = settings.calls_per_window
        self.caller_remaining: LRUCache[str, int] = LRUCache(maxsize=_TRACKED_CALLERS)
        self._status_read: LRUCache[str, float] = LRUCache(maxsize=_TRACKED_CALLERS)

    def _use(self, storage: Storage, namespace: str, pauses: RoutePauses) -> None:
        self._storage = storage
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._namespace = namespace
        self.pauses = RecordedPauses(pauses, time.monotonic)

    async def start(self, redis_url: str, namespace: str) -> None:
        """Share the budget and the pauses through Redis (none: this process only)."""
        if not redis_url:
            return
        self._redis = Redis.from_url(redis_url)
        storage = RedisStorage(
            f"async+{redis_url}", implementation="redispy", key_prefix=f"{namespace}:budget"
        )
        self._use(storage, namespace, RedisPauses(self._redis, f"{namespace}:budget"))

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def admit(
        self, principal: str, price: int, *, status_wanted: bool = False
    ) -> BudgetStatus | None:
        """Spend ``price`` calls from the caller's share and the app's budget, or raise
        ``RateLimited`` with the seconds until they can cover it. A request the caller's
        share refuses spends nothing; one the app's budget refuses still counts against
        its caller's share (``limits`` takes nothing back), so callers of an exhausted app
        back off too.

        With Redis unreachable the request is admitted (None: no status to show): the
        budget protects Concur's limit, it must not become an outage of its own, and
        Concur's own 429s still pause routes.

        The share as it stands is read back only when the request asks for it
        (``rateLimit``) or the caller's gauge is over ``STATUS_REFRESH_S`` old: two more
        reads of the store on every request would cost more than the charge itself."""
        if not self.settings.enabled:
            return None  # priced and reported only: no store is asked
        try:
            return await self._admit(principal, price, status_wanted)
        except _STORE_ERRORS as exc:
            logger.warning(
                "budget store unreachable: request admitted unpriced",
                extra={"error": type(exc).__name__},
            )
            return None

    async def _admit(self, principal: str, price: int, status_wanted: bool) -> BudgetStatus | None:
        if price > 0:
            caller = (self._caller_item, _CALLER, principal)
            app = (self._app_item, _APP)
            # Each hit is atomic (in Redis too); the caller's first, so a flood beyond its
            # share never touches the app's budget the others draw on.
            if not await self._limiter.hit(*caller, cost=price):
                raise await self._refusal(self._caller_item, (_CALLER, principal), "your share")
            if not await self._limiter.hit(*app, cost=price):
                raise await self._refusal(self._app_item, (_APP,), "the company app's budget")
        now = time.monotonic()
        if not status_wanted and now - self._status_read.get(principal, -math.inf) < (
            STATUS_REFRESH_S
        ):
            return None
        self._status_read[principal] = now
        return await self._status(principal)

    async def status(self, principal: str) -> BudgetStatus | None:
        """The caller's share as it stands (no spending); None when the store is down."""
        try:
            return await self._status(principal)
        except _STORE_ERRORS as exc:
            logger.warning(
                "budget store unreachable: no status", extra={"error": type(exc).__name__}
            )
            return None

    async def _status(self, principal: str) -> BudgetStatus:
        caller = await self._limiter.get_window_stats(self._caller_item, _CALLER, principal)
        app = await self._limiter.get_window_stats(self._app_item, _APP)
        self.app_remaining = app.remaining
        self.caller_remaining[principal] = caller.remaining
        now = self._clock()
        reset = max(caller.reset_time, app.reset_time)
        return BudgetStatus(
            limit=self._caller_item.amount,
            remaining=min(caller.remaining, app.remaining),
            reset_at=datetime.fromtimestamp(reset if reset > now else now, UTC),
        )

    async def _refusal(
        self, item: RateLimitItem, identifiers: tuple[str, ...], whose: str
    ) -> RateLimited:
        stats = await self._limiter.get_window_stats(item, *identifiers)
        retry_after = max(1, math.ceil(stats.reset_time - self._clock()))
        return RateLimited(
            f"This request would spend more of Concur's rate limit than {whose} has left: "
            f"retry after {retry_after} seconds.",
            retry_after=retry_after,
        )


__all__ = ["CostGate", "RecordedPauses"]
