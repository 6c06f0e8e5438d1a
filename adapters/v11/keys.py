"""The v1.1 report keys Concur handed each caller, and how to find one that is missing.

Why this exists: every v1.1 report route takes the *encrypted* ``RptKey``, which Concur hands
out only inside its own answers (ReportsList ``Report-Details-Url`` and
``Report-Full-Details-Url``, full details ``RptKey``), never derivable from the plain id the
graph is addressed by. v2.0 details, which take the plain id, are documented for Company and
Web Services Administrators only, so a traveler or a plain approver reaches a report's
details through the key alone.

Why here: the book belongs to one ``HttpConcurClient`` (one per app), never to a module
(no process-wide state) and never to a request (a key learnt by one request must serve the
next: keys are stable, and finding one costs list calls). It is scoped per caller (user id
and token kind) because Concur issues keys per consumer: a key one caller was shown is
never offered to another. It is bounded (least recently used keys go first) and so is the
memory of misses, which is short: a report enters a caller's lists when it is submitted to
them, and a miss must not hide it for long.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Final

from cachetools import LRUCache, TTLCache

from adapters.client import Credentials
from adapters.errors import BadUserInput, Forbidden, NotFound
from adapters.models import ReportSummary, ReportView

logger = logging.getLogger(__name__)

LOOKUP_VIEWS: Final = (ReportView.TOAPPROVE, ReportView.ACTIVE, ReportView.PAID)
"""Where a missing key is looked for, in order: the approver's queue first (the common
reason to read someone else's report), then the owner's reports not yet paid, then the paid
ones (together every report the caller owns, whatever its age)."""
MAX_KEYS: Final = 20_000
"""Keys remembered across all callers (one key is a short string)."""
MAX_MISSES: Final = 5_000
MISS_TTL_S: Final = 15.0
"""How long "not in this caller's lists" is believed: long enough that a burst of reads of a
report the caller cannot list costs its list calls once, short enough to notice a report
submitted to the caller a moment later."""

Caller = str
ListView = Callable[[ReportView], Awaitable[list[ReportSummary]]]


def caller_of(creds: Credentials) -> Caller:
    return f"{creds.kind.value}:{creds.user_id.lower()}"


class ReportKeyBook:
    """Per-caller ``report id → RptKey``, filled from every ReportsList answer seen."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        max_keys: int = MAX_KEYS,
        max_misses: int = MAX_MISSES,
        miss_ttl_s: float = MISS_TTL_S,
    ) -> None:
        self._keys: LRUCache[tuple[Caller, str], str] = LRUCache(maxsize=max_keys)
        self._misses: TTLCache[tuple[Caller, str], bool] = TTLCache(
            maxsize=max_misses, ttl=miss_ttl_s, timer=clock
        )
        self._listing: dict[tuple[Caller, ReportView], asyncio.Task[list[ReportSummary]]] = {}

    def learn(self, creds: Credentials, summaries: Iterable[ReportSummary]) -> None:
        """Remember the keys a list answer named (a report listed is no longer a miss)."""
        caller = caller_of(creds)
        for summary in summaries:
            if summary.report_key:
                self.remember(caller, summary.id, summary.report_key)

    def remember(self, caller: Caller, report_id: str, report_key: str) -> None:
        self._keys[(caller, report_id)] = report_key
        self._misses.pop((caller, report_id), None)

    def forget(self, creds: Credentials, report_id: str) -> None:
        """Drop a key Concur no longer answers to (the report is gone from the caller's
        sight): the next read looks it up again instead of trusting it."""
        self._keys.pop((caller_of(creds), report_id), None)

    def known(self, creds: Credentials, report_id: str) -> str | None:
        return self._keys.get((caller_of(creds), report_id))

    async def find(self, creds: Credentials, report_id: str, list_view: ListView) -> str | None:
        """The caller's key for the report: from the book, else from the caller's lists
        (each view listed once, shared by concurrent look-ups; ``list_view`` is expected to
        ``learn`` what it lists). None when no list names it; that is remembered briefly."""
        caller = caller_of(creds)
        key = self._keys.get((caller, report_id))
        if key is not None or (caller, report_id) in self._misses:
            return key
        for view in LOOKUP_VIEWS:
            await self._list(caller, view, list_view)
            key = self._keys.get((caller, report_id))
            if key is not None:
                return key
        self._misses[(caller, report_id)] = True
        return None

    async def _list(self, caller: Caller, view: ReportView, list_view: ListView) -> None:
        """One list call per (caller, view) at a time; a view Concur refuses is skipped."""
        flight = (caller, view)
        task = self._listing.get(flight)
        if task is None:
            task = asyncio.ensure_future(list_view(view))
            self._listing[flight] = task
            task.add_done_callback(lambda done: self._landed(flight, done))
        try:
            await asyncio.shield(task)
        except (Forbidden, NotFound, BadUserInput) as exc:
            logger.info("report list view unavailable", extra={"view": view.value, "error": exc})

    def _landed(
        self, flight: tuple[Caller, ReportView], task: asyncio.Task[list[ReportSummary]]
    ) -> None:
        if self._listing.get(flight) is task:
            del self._listing[flight]
        if not task.cancelled():
            task.exception()  # retrieved here: every waiter may have gone


__all__ = ["LOOKUP_VIEWS", "MISS_TTL_S", "ReportKeyBook", "caller_of"]
