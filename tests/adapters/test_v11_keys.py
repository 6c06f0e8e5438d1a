"""The key book on its own: ``list_view`` stands in for Concur's ReportsList answers (the
client's real list call is exercised against the sandbox in ``test_concur_sandbox``)."""

from __future__ import annotations

import asyncio

import pytest

from adapters.client import Credentials
from adapters.errors import BadUserInput, Forbidden, UpstreamUnavailable
from adapters.models import ReportSummary, ReportView, TokenKind
from adapters.v11.keys import LOOKUP_VIEWS, ReportKeyBook

MANAGER = Credentials(token="t-m", user_id="Manager-1", kind=TokenKind.USER)
TRAVELER = Credentials(token="t-t", user_id="traveler-1", kind=TokenKind.USER)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Lists:
    """What each view lists, and how often each view was asked for."""

    def __init__(self, book: ReportKeyBook, creds: Credentials) -> None:
        self.book = book
        self.creds = creds
        self.rows: dict[ReportView, list[ReportSummary]] = {}
        self.asked: list[ReportView] = []
        self.gate: asyncio.Event | None = None
        self.refuse: dict[ReportView, Exception] = {}

    async def __call__(self, view: ReportView) -> list[ReportSummary]:
        self.asked.append(view)
        if self.gate is not None:
            await self.gate.wait()
        if view in self.refuse:
            raise self.refuse[view]
        rows = self.rows.get(view, [])
        self.book.learn(self.creds, rows)  # as ``HttpConcurClient.list_reports`` does
        return rows


def row(report_id: str, key: str) -> ReportSummary:
    return ReportSummary(id=report_id, report_key=key)


async def test_a_listed_key_is_known_to_that_caller_only() -> None:
    book = ReportKeyBook(clock=Clock())
    book.learn(MANAGER, [row("R1", "enc$1"), ReportSummary(id="R2")])
    assert book.known(MANAGER, "R1") == "enc$1"
    assert book.known(Credentials("x", "MANAGER-1", TokenKind.USER), "R1") == "enc$1"
    assert book.known(MANAGER, "R2") is None
    assert book.known(TRAVELER, "R1") is None
    assert book.known(Credentials("x", "Manager-1", TokenKind.COMPANY), "R1") is None


async def test_a_miss_is_looked_up_view_by_view_and_stops_at_the_first_hit() -> None:
    book = ReportKeyBook(clock=Clock())
    lists = Lists(book, TRAVELER)
    lists.rows[ReportView.ACTIVE] = [row("R1", "enc$1"), row("R2", "enc$2")]
    assert await book.find(TRAVELER, "R1", lists) == "enc$1"
    assert lists.asked == [ReportView.TOAPPROVE, ReportView.ACTIVE]
    assert await book.find(TRAVELER, "R2", lists) == "enc$2"  # the same list named it
    assert lists.asked == [ReportView.TOAPPROVE, ReportView.ACTIVE]


async def test_a_miss_is_remembered_briefly() -> None:
    clock = Clock()
    book = ReportKeyBook(clock=clock, miss_ttl_s=15)
    lists = Lists(book, TRAVELER)
    assert await book.find(TRAVELER, "R9", lists) is None
    assert lists.asked == list(LOOKUP_VIEWS)
    clock.now = 14
    assert await book.find(TRAVELER, "R9", lists) is None
    assert len(lists.asked) == len(LOOKUP_VIEWS)
    clock.now = 16  # submitted to the caller meanwhile: found on the next look-up
    lists.rows[ReportView.TOAPPROVE] = [row("R9", "enc$9")]
    assert await book.find(TRAVELER, "R9", lists) == "enc$9"


async def test_a_later_list_clears_a_remembered_miss() -> None:
    book = ReportKeyBook(clock=Clock())
    lists = Lists(book, TRAVELER)
    assert await book.find(TRAVELER, "R9", lists) is None
    book.learn(TRAVELER, [row("R9", "enc$9")])
    assert await book.find(TRAVELER, "R9", lists) == "enc$9"


async def test_concurrent_misses_share_one_call_per_view() -> None:
    book = ReportKeyBook(clock=Clock())
    lists = Lists(book, MANAGER)
    lists.gate = asyncio.Event()
    lists.rows[ReportView.TOAPPROVE] = [row(f"R{i}", f"enc${i}") for i in range(5)]
    finds = [asyncio.ensure_future(book.find(MANAGER, f"R{i}", lists)) for i in range(5)]
    await asyncio.sleep(0)  # let every find reach the shared list call
    lists.gate.set()
    assert await asyncio.gather(*finds) == [f"enc${i}" for i in range(5)]
    assert lists.asked == [ReportView.TOAPPROVE]


async def test_a_refused_view_is_skipped_and_a_failing_one_fails_the_read() -> None:
    book = ReportKeyBook(clock=Clock())
    lists = Lists(book, TRAVELER)
    lists.refuse[ReportView.TOAPPROVE] = Forbidden("not an approver")
    lists.refuse[ReportView.ACTIVE] = BadUserInput("unknown view")
    lists.rows[ReportView.PAID] = [row("R1", "enc$1")]
    assert await book.find(TRAVELER, "R1", lists) == "enc$1"
    lists.refuse[ReportView.TOAPPROVE] = UpstreamUnavailable("Concur is down")
    with pytest.raises(UpstreamUnavailable):
        await book.find(TRAVELER, "R2", lists)
    assert book.known(TRAVELER, "R2") is None


async def test_a_forgotten_key_is_looked_up_again() -> None:
    book = ReportKeyBook(clock=Clock())
    lists = Lists(book, TRAVELER)
    book.learn(TRAVELER, [row("R1", "old")])
    book.forget(TRAVELER, "R1")
    lists.rows[ReportView.ACTIVE] = [row("R1", "new")]
    assert await book.find(TRAVELER, "R1", lists) == "new"


async def test_the_book_is_bounded() -> None:
    book = ReportKeyBook(clock=Clock(), max_keys=2)
    book.learn(MANAGER, [row("R1", "k1"), row("R2", "k2")])
    assert book.known(MANAGER, "R1") == "k1"  # R1 used last: R2 goes first
    book.learn(MANAGER, [row("R3", "k3")])
    assert book.known(MANAGER, "R2") is None
    assert (book.known(MANAGER, "R1"), book.known(MANAGER, "R3")) == ("k1", "k3")
