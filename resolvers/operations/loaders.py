"""Per-request DataLoaders: every upstream read of a request goes through one of these.

Concur has no batch endpoints, so a "batch" is a parallel fan-out of single reads, bounded
by a semaphore so one wide query cannot open hundreds of upstream calls at once. Identical
reads within a request happen once (the loader's cache lives as long as the request), and
one failing key does not fail its batch: its exception goes to that key's awaiters only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Final, TypeVar

from pydantic import TypeAdapter
from strawberry.dataloader import DataLoader

from adapters.client import ConcurClient, Credentials
from adapters.errors import credentials_required
from adapters.models import CostObject, Entry, Report, ReportContext, ReportDetails
from resolvers.operations.cache import CacheKey, ReadCache, principal_of
from resolvers.operations.resources import Resource

K = TypeVar("K")
T = TypeVar("T")

ReportKey = tuple[str, ReportContext]
"""A report header is read in a context (TRAVELER, MANAGER...): Concur's view differs."""
EntryKey = tuple[str, str, str, str | None]
"""An entry: the report's plain id (what invalidation names), the report's encrypted v1.1
key (``RptKey``, what v1.1 addresses), the entry's ``RpeKey``, and the report currency (the
v1.1 entry names none, and its posted amounts are in it)."""

REPORT_CODEC: Final = TypeAdapter(Report)
DETAILS_CODEC: Final = TypeAdapter(ReportDetails)
ENTRY_CODEC: Final = TypeAdapter(Entry)
COST_OBJECTS_CODEC: Final = TypeAdapter(list[CostObject])


def _discard(loader: DataLoader[K, T], key: K) -> None:
    """``clear`` that tolerates a key never loaded (Strawberry's raises ``KeyError``)."""
    if loader.cache_map.get(key) is not None:
        loader.clear(key)


class Loaders:
    """The loaders of one request, all reading as one caller.

    Each loader (and the fan-out gate) is made on first use: most requests read one or two
    kinds of thing, and building all four up front was a measurable part of a request.
    """

    __slots__ = (
        "_cache",
        "_client",
        "_concurrency",
        "_cost_objects",
        "_credentials",
        "_details",
        "_entry",
        "_gate",
        "_principal",
        "_report",
    )

    def __init__(
        self,
        *,
        client: ConcurClient,
        credentials: Credentials | None,
        cache: ReadCache,
        concurrency: int,
    ) -> None:
        self._client = client
        self._credentials = credentials
        self._cache = cache
        self._concurrency = max(1, concurrency)
        self._gate: asyncio.Semaphore | None = None
        self._principal = principal_of(credentials) if credentials is not None else ""
        self._report: DataLoader[ReportKey, Report] | None = None
        self._details: DataLoader[str, ReportDetails] | None = None
        self._entry: DataLoader[EntryKey, Entry] | None = None
        self._cost_objects: DataLoader[str, list[CostObject]] | None = None

    @property
    def report(self) -> DataLoader[ReportKey, Report]:
        if self._report is None:
            self._report = DataLoader(load_fn=self._load_reports)
        return self._report

    @property
    def details(self) -> DataLoader[str, ReportDetails]:
        if self._details is None:
            self._details = DataLoader(load_fn=self._load_details)
        return self._details

    @property
    def entry(self) -> DataLoader[EntryKey, Entry]:
        if self._entry is None:
            self._entry = DataLoader(load_fn=self._load_entries)
        return self._entry

    @property
    def cost_objects(self) -> DataLoader[str, list[CostObject]]:
        if self._cost_objects is None:
            self._cost_objects = DataLoader(load_fn=self._load_cost_objects)
        return self._cost_objects

    def forget(self, report_id: str) -> None:
        """Drop what this request read about a report (after a change to it)."""
        if self._report is not None:
            for context in ReportContext:
                _discard(self._report, (report_id, context))
        if self._details is not None:
            _discard(self._details, report_id)
        if self._cost_objects is not None:
            _discard(self._cost_objects, report_id)
        if self._entry is not None:
            self._entry.clear_all()

    def _creds(self) -> Credentials:
        if self._credentials is None:
            raise credentials_required()
        return self._credentials

    async def _fan_out(
        self, keys: Sequence[K], fetch: Callable[[K], Awaitable[T]]
    ) -> list[T | BaseException]:
        if self._gate is None:
            self._gate = asyncio.Semaphore(self._concurrency)
        gate = self._gate

        async def one(key: K) -> T:
            async with gate:
                return await fetch(key)

        if len(keys) == 1:  # the common case: skip gather's task per key
            try:
                return [await one(keys[0])]
            except Exception as exc:  # handed to the key's awaiters by the loader
                return [exc]
        return await asyncio.gather(*map(one, keys), return_exceptions=True)

    async def _load_reports(self, keys: list[ReportKey]) -> list[Report | BaseException]:
        creds = self._creds()

        def fetch(key: ReportKey) -> Awaitable[Report]:
            report_id, context = key
            return self._cache.read(
                CacheKey(self._principal, Resource.REPORT, report_id, context.value),
                REPORT_CODEC,
                lambda: self._client.get_report(creds, report_id, context),
            )

        return await self._fan_out(keys, fetch)

    async def _load_details(self, keys: list[str]) -> list[ReportDetails | BaseException]:
        creds = self._creds()

        def fetch(report_id: str) -> Awaitable[ReportDetails]:
            return self._cache.read(
                CacheKey(self._principal, Resource.DETAILS, report_id),
                DETAILS_CODEC,
                lambda: self._client.get_report_details(creds, report_id),
            )

        return await self._fan_out(keys, fetch)

    async def _load_entries(self, keys: list[EntryKey]) -> list[Entry | BaseException]:
        creds = self._creds()

        def fetch(key: EntryKey) -> Awaitable[Entry]:
            report_id, report_key, entry_id, currency = key
            return self._cache.read(
                CacheKey(self._principal, Resource.ENTRY, report_id, f"{report_key}/{entry_id}"),
                ENTRY_CODEC,
                lambda: self._client.get_entry(
                    creds, report_key, entry_id, report_id=report_id, currency_code=currency
                ),
            )

        return await self._fan_out(keys, fetch)

    async def _load_cost_objects(self, keys: list[str]) -> list[list[CostObject] | BaseException]:
        creds = self._creds()

        def fetch(report_id: str) -> Awaitable[list[CostObject]]:
            return self._cache.read(
                CacheKey(self._principal, Resource.COST_OBJECTS, report_id),
                COST_OBJECTS_CODEC,
                lambda: self._client.cost_objects(creds, report_id),
            )

        return await self._fan_out(keys, fetch)


__all__ = ["EntryKey", "Loaders", "ReportKey"]
