"""Share one in-flight coroutine among concurrent callers.

When a cached token expires under load, a hundred requests notice at once; without this
each would ask Concur for a new token (and, with rotating refresh tokens, all but one would
then fail). The first caller starts the work as a task; later callers await the same task
until it finishes, success or failure. Each waiter is shielded, so one caller giving up
does not cancel the work the others wait for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")


class SingleFlight(Generic[_T]):
    def __init__(self) -> None:
        self._task: asyncio.Task[_T] | None = None

    @property
    def in_flight(self) -> bool:
        return self._task is not None

    async def run(self, work: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
        """Await the running ``work`` if any, else start it; everyone gets its outcome."""
        task = self._task
        if task is None:
            task = asyncio.create_task(work())
            self._task = task
            task.add_done_callback(self._finished)
        return await asyncio.shield(task)

    def _finished(self, task: asyncio.Task[_T]) -> None:
        if self._task is task:
            self._task = None
        if not task.cancelled():
            task.exception()  # retrieved here: waiters may all have gone


__all__ = ["SingleFlight"]
