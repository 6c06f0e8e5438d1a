"""The sandbox's in-memory company: users, reports, entries, workflow, cost objects.

Everything the sandbox serves is read from one ``Store``; every change goes through
``sandbox.engine`` so versions, timestamps and events stay consistent. Protocol handlers
render these objects into their own wire format (v4 JSON, v1.1/v2.0 XML); nothing here
knows a wire format.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.records import (
    PLAIN_REPORT_KEY_BASE,
    EventListener,
    SandboxApp,
    SandboxClock,
    SandboxCompany,
    SandboxEvent,
    SandboxReport,
    SandboxUser,
)

_KEY_ALPHABET = string.ascii_letters + string.digits


class Store:
    """The sandbox company. One per sandbox app; nothing global."""

    def __init__(self, *, seed: int = 7, base_url: str = "") -> None:
        self.base_url = base_url
        self.listeners: list[EventListener] = []
        self.clock = SandboxClock()
        self._muted = 0
        self.clear(seed=seed)

    def clear(self, *, seed: int) -> None:
        """Forget every user, app and report (in place: holders of this Store stay valid).

        Listeners, the base URL and the clock survive, since they belong to the running app.
        """
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - ids for an emulator, not secrets
        self.company = SandboxCompany(id="", name="", auth_token="")
        self.users: dict[str, SandboxUser] = {}
        self.apps: dict[str, SandboxApp] = {}
        self.reports: dict[str, SandboxReport] = {}
        self.deleted_reports: set[str] = set()
        self._by_key: dict[str, str] = {}
        self._by_step_key: dict[str, str] = {}
        self._report_numbers = 0
        self._plain_keys = 0

    # ids -------------------------------------------------------------------------------
    def hex_id(self, length: int) -> str:
        return format(self.rng.getrandbits(length * 4), f"0{length}X")

    def new_report_id(self) -> str:
        return self.hex_id(20)

    def new_expense_id(self) -> str:
        return self.hex_id(32)

    def opaque_key(self) -> str:
        """A v1.1-style encrypted key, e.g. ``nYO0ck05r5fATbnjrMBf0d$sCIBqX8WQYw``.

        It starts with a lower-case ``n`` and holds a ``$``, so it can never equal a plain
        id (upper-case hex or digits): a plain id sent where a key belongs finds nothing.
        """
        body = "".join(self.rng.choices(_KEY_ALPHABET, k=30))
        cut = self.rng.randrange(8, 24)
        return "n" + body[:cut] + "$" + body[cut:]

    def plain_report_key(self) -> str:
        """The unencrypted numeric ``ReportKey`` of a new report (unique in the company)."""
        self._plain_keys += 1
        return str(PLAIN_REPORT_KEY_BASE + self._plain_keys)

    def next_report_number(self) -> str:
        self._report_numbers += 1
        return f"RPT{self._report_numbers:06d}"

    # lookups ---------------------------------------------------------------------------
    def user_by_login(self, login: str) -> SandboxUser | None:
        login = login.lower()
        return next((u for u in self.users.values() if u.login.lower() == login), None)

    def user(self, user_id: str) -> SandboxUser | None:
        return self.users.get(user_id.lower())

    def report(self, report_id: str) -> SandboxReport | None:
        return self.reports.get(report_id.upper())

    def report_by_rpt_key(self, rpt_key: str) -> SandboxReport | None:
        """The report whose encrypted v1.1 key is ``rpt_key``; a plain id finds nothing."""
        report_id = self._by_key.get(rpt_key)
        return self.reports.get(report_id) if report_id else None

    def report_by_step_key(self, step_key: str) -> SandboxReport | None:
        """The report whose *current* step has this key; stale keys find nothing."""
        report_id = self._by_step_key.get(step_key)
        report = self.reports.get(report_id) if report_id else None
        if report is None or report.workflow.step_key != step_key:
            return None
        return report

    def add_report(self, report: SandboxReport) -> None:
        self.reports[report.report_id] = report
        self._by_key[report.rpt_key] = report.report_id
        if report.workflow.step_key:
            self._by_step_key[report.workflow.step_key] = report.report_id

    def remove_report(self, report: SandboxReport) -> None:
        self.reports.pop(report.report_id, None)
        self._by_key.pop(report.rpt_key, None)
        self._by_step_key.pop(report.workflow.step_key, None)
        self.deleted_reports.add(report.report_id)

    def rotate_step_key(self, report: SandboxReport) -> None:
        """Give the report's new step a fresh opaque key; the old URL goes stale."""
        self._by_step_key.pop(report.workflow.step_key, None)
        report.workflow.step_key = self.opaque_key()
        self._by_step_key[report.workflow.step_key] = report.report_id

    @contextmanager
    def muted(self) -> Iterator[None]:
        """Drop events while seeding: a seeded company has no history to publish."""
        self._muted += 1
        try:
            yield
        finally:
            self._muted -= 1

    def emit(self, event: SandboxEvent) -> None:
        if self._muted:
            return
        for listener in list(self.listeners):
            listener(event)


__all__ = ["Store"]
