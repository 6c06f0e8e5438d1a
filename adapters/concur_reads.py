"""Reads: the v4 report header, approvals and cost objects; v1.1/v2.0 details and entries.

Details come by the caller's own encrypted v1.1 key when Concur handed one (the client's
``ReportKeyBook``, filled from every ``ReportsList`` answer), else by plain id from v2.0,
which Concur serves to administrators and company tokens only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Final

from adapters.client import Credentials
from adapters.concur_calls import ConcurCalls
from adapters.errors import Forbidden, NotFound, UpstreamBadResponse
from adapters.models import (
    CostObject,
    Entry,
    Report,
    ReportContext,
    ReportDetails,
    ReportSummary,
    ReportView,
)
from adapters.paths import build_url
from adapters.v4 import cost_objects as v4_cost_objects
from adapters.v4 import reports as v4_reports
from adapters.v11 import details as v11_details
from adapters.v11 import entries as v11_entries
from adapters.v11 import full_details as v11_full_details
from adapters.v11 import reports_list as v11_reports_list

DETAILS_ROUTE: Final = "/api/expense/expensereport/v2.0/report/{reportId}"
FULL_DETAILS_ROUTE: Final = "/api/expense/expensereport/v1.1/reportfulldetails/{reportKey}"
REPORTS_LIST_ROUTE: Final = "/api/expense/expensereport/v1.1/ReportsList/{view}"
ENTRY_ROUTE: Final = "/api/expense/expensereport/v1.1/report/{reportKey}/entry/{entryId}"
ADMIN_REPORTS_ROUTE: Final = "/api/expense/expensereport/v2.0/Reports"


class ReportReads(ConcurCalls):
    """Every read of ``ConcurClient`` (retried by the transport when safe)."""

    async def get_report(
        self, creds: Credentials, report_id: str, context: ReportContext
    ) -> Report:
        response = await self._v4(
            "GET",
            v4_reports.REPORT_ROUTE,
            creds,
            userId=creds.user_id,
            contextType=context.value,
            reportId=report_id,
        )
        return v4_reports.parse_report(response.body, correlation_id=response.correlation_id)

    async def get_report_details(self, creds: Credentials, report_id: str) -> ReportDetails:
        """v1.1 full details by the caller's own key if Concur handed them one (see
        ``ReportKeyBook``), else v2.0 details by plain id (administrators only)."""
        report_key = await self._keys.find(creds, report_id, partial(self.list_reports, creds))
        if report_key is None:
            return await self._v20_details(creds, report_id)
        try:
            response = await self._xml("GET", FULL_DETAILS_ROUTE, creds, reportKey=report_key)
        except NotFound:
            self._keys.forget(creds, report_id)
            raise
        details = v11_full_details.parse_full_details(
            response.body, correlation_id=response.correlation_id
        )
        if details.report_id != report_id:
            raise UpstreamBadResponse(
                "Concur's full details name another report than the one asked for.",
                correlation_id=response.correlation_id,
            )
        return details

    async def _v20_details(self, creds: Credentials, report_id: str) -> ReportDetails:
        response = await self._xml("GET", DETAILS_ROUTE, creds, reportId=report_id)
        return v11_details.parse_report_details(
            response.body, correlation_id=response.correlation_id
        )

    async def list_reports(self, creds: Credentials, view: ReportView) -> list[ReportSummary]:
        response = await self._xml("GET", REPORTS_LIST_ROUTE, creds, view=view.value)
        summaries = v11_reports_list.parse_reports_list(
            response.body, correlation_id=response.correlation_id
        )
        self._keys.learn(creds, summaries)
        return summaries

    async def is_administrator(self, creds: Credentials) -> bool:
        """Asked of Concur itself: the v2.0 list is admin-only. ``ModifiedAfterDate`` a day
        ahead keeps the answer empty, since only whether it is served matters."""
        ahead = datetime.now(UTC) + timedelta(days=1)
        url = build_url(self._origins.xml, ADMIN_REPORTS_ROUTE).with_query(
            ModifiedAfterDate=ahead.strftime("%Y-%m-%dT%H:%M:%S")
        )
        try:
            await self._xml("GET", ADMIN_REPORTS_ROUTE, creds, url=url)
        except Forbidden:
            return False
        return True

    async def reports_to_approve(self, creds: Credentials) -> list[ReportSummary]:
        response = await self._v4("GET", v4_reports.TO_APPROVE_ROUTE, creds, userId=creds.user_id)
        return v4_reports.parse_reports_to_approve(
            response.body, correlation_id=response.correlation_id
        )

    async def get_entry(
        self,
        creds: Credentials,
        report_key: str,
        entry_id: str,
        *,
        report_id: str | None = None,
        currency_code: str | None = None,
    ) -> Entry:
        response = await self._xml(
            "GET", ENTRY_ROUTE, creds, reportKey=report_key, entryId=entry_id
        )
        return v11_entries.parse_expense_entry(
            response.body,
            report_id=report_id,
            currency=currency_code,
            correlation_id=response.correlation_id,
        )

    async def cost_objects(self, creds: Credentials, report_id: str) -> list[CostObject]:
        response = await self._v4(
            "GET",
            v4_cost_objects.COST_OBJECTS_ROUTE,
            creds,
            userId=creds.user_id,
            reportId=report_id,
        )
        return v4_cost_objects.parse_cost_objects(
            response.body, correlation_id=response.correlation_id
        )


__all__ = ["ReportReads"]
