"""Writes: create and merge-patch a report (v4), post entries (v1.1); never retried."""

from __future__ import annotations

from typing import Final

from adapters.client import Credentials
from adapters.concur_calls import ConcurCalls
from adapters.errors import BadUserInput, NotFound
from adapters.http import Operation
from adapters.models import EntryResult, NewEntry, NewReport, ReportContext
from adapters.transport_errors import unknown_outcome_if_unreadable
from adapters.v4 import reports as v4_reports
from adapters.v11 import entries as v11_entries

ENTRIES_ROUTE: Final = "/api/expense/expensereport/v1.1/report/{reportKey}/entry"
_CREATE_CONTEXTS: Final = frozenset({ReportContext.TRAVELER, ReportContext.PROXY})


class ReportWrites(ConcurCalls):
    """The report and entry writes of ``ConcurClient``."""

    async def create_report(
        self, creds: Credentials, report: NewReport, context: ReportContext
    ) -> str:
        if context not in _CREATE_CONTEXTS:
            raise BadUserInput(
                "A report can be created only as its owner (TRAVELER) or a proxy (PROXY).",
                field="context",
            )
        response = await self._v4(
            "POST",
            v4_reports.REPORTS_ROUTE,
            creds,
            operation=Operation.WRITE,
            body=v4_reports.new_report_body(report),
            userId=creds.user_id,
            contextType=context.value,
        )
        with unknown_outcome_if_unreadable(response.correlation_id):
            return v4_reports.parse_created_id(
                response.body, correlation_id=response.correlation_id
            )

    async def update_report(
        self,
        creds: Credentials,
        report_id: str,
        patch: dict[str, object],
        context: ReportContext,
    ) -> None:
        await self._v4(
            "PATCH",
            v4_reports.REPORT_ROUTE,
            creds,
            operation=Operation.WRITE,
            body=v4_reports.update_report_body(patch),
            userId=creds.user_id,
            contextType=context.value,
            reportId=report_id,
        )

    async def add_entries(
        self, creds: Credentials, report_key: str | None, entries: list[NewEntry]
    ) -> list[EntryResult]:
        if report_key is None:
            raise NotFound(
                "Concur has not listed this report to the caller, so it has no v1.1 key to "
                "post entries with: only the report's owner adds entries."
            )
        response = await self._xml(
            "POST",
            ENTRIES_ROUTE,
            creds,
            operation=Operation.WRITE,
            body=v11_entries.build_report_entries(entries),
            reportKey=report_key,
        )
        with unknown_outcome_if_unreadable(response.correlation_id):
            return v11_entries.parse_entry_status_list(
                response.body, correlation_id=response.correlation_id
            )


__all__ = ["ReportWrites"]
