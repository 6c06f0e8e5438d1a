"""``LocalPauses``: a route is paused for as long as it was told, the longest pause wins."""

from __future__ import annotations

from adapters.pauses import LocalPauses, RoutePaused
from adapters.retry import is_retryable


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_pause_ends_when_its_time_is_up() -> None:
    clock = Clock()
    pauses = LocalPauses(clock)
    assert await pauses.paused_for("GET /r") is None
    await pauses.pause("GET /r", 2)
    assert await pauses.paused_for("GET /r") == 2
    assert await pauses.paused_for("GET /other") is None
    clock.now += 2
    assert await pauses.paused_for("GET /r") is None


async def test_a_shorter_pause_never_cuts_a_longer_one() -> None:
    clock = Clock()
    pauses = LocalPauses(clock)
    await pauses.pause("GET /r", 5)
    await pauses.pause("GET /r", 1)
    assert await pauses.paused_for("GET /r") == 5
    await pauses.pause("GET /r", 0)
    assert await pauses.paused_for("GET /r") == 5


def test_a_paused_route_is_never_retried_into() -> None:
    assert not is_retryable(RoutePaused("paused", retry_after=1))
