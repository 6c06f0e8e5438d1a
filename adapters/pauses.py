"""Routes Concur has throttled, paused for as long as its ``Retry-After`` said.

A 429 is Concur telling the whole company app to wait, not one request: every other
in-flight read that retried into the same route would earn another 429 and prolong the
throttle. So the transport asks ``RoutePauses`` before each attempt and tells it of each
429; a paused route fails fast with ``RoutePaused`` (a ``RateLimited`` that is never retried:
the wait is the caller's). ``LocalPauses`` keeps them in this process; the gateway injects
one shared by every replica (``gateway.budget.pauses``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from adapters.errors import RateLimited


class RoutePaused(RateLimited):
    """The route is paused after Concur's 429: nothing was sent; retry after ``retry_after``."""


class RoutePauses(Protocol):
    """Where pauses are kept; ``route`` is a request's endpoint (method, origin, template)."""

    async def paused_for(self, route: str) -> float | None:
        """Seconds left of the route's pause, or None when it is not paused."""
        ...

    async def pause(self, route: str, seconds: float) -> None:
        """Pause the route for ``seconds`` (a longer pause already in place is kept)."""
        ...


class LocalPauses:
    """Pauses of this process only, timed on ``clock``."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._until: dict[str, float] = {}

    async def paused_for(self, route: str) -> float | None:
        until = self._until.get(route)
        if until is None:
            return None
        left = until - self._clock()
        if left <= 0:
            del self._until[route]
            return None
        return left

    async def pause(self, route: str, seconds: float) -> None:
        if seconds <= 0:
            return
        until = self._clock() + seconds
        self._until[route] = max(until, self._until.get(route, until))


__all__ = ["LocalPauses", "RoutePaused", "RoutePauses"]
