"""``HttpConcurClient``: the ``ConcurClient`` that talks to Concur (or the sandbox) over HTTP.

Which call serves what:

- ``get_report`` → v4 report header; ``reports_to_approve`` → v4 ``reportsToApprove``;
  ``cost_objects`` → v4 ``costObjectsForApprover``
- ``get_report_details`` → the details this caller may see. With the encrypted v1.1 key
  (``RptKey``) Concur handed this caller → v1.1 Report Full Details; the key comes from the
  client's ``ReportKeyBook`` (filled from every ReportsList answer, and on a miss looked up
  through the caller's lists: TOAPPROVE, then the owner's views). With no key → v2.0 details
  by plain id, which Concur serves to Company / Web Services Administrators (and company
  tokens) only: anyone else gets its 403. v2.0's unencrypted ``ReportKey`` is never used
  as a v1.1 key.
- ``list_reports`` → v1.1 ``ReportsList`` (its keys go into the book); ``get_entry`` /
  ``add_entries`` → v1.1, by the encrypted keys (``RptKey``, ``RpeKey``)
- ``approve`` / ``send_back`` → v4 (short URL with a company token, long URL with a user
  token) or v1.1 ``WorkflowAction`` at the report's ``WorkflowActionURL``
- ``recall`` / ``submit`` / ``create_report`` / ``update_report`` → v4
- ``verify_token`` → local RS256 check against Concur's JWKS

The caller's token is passed through (``Bearer`` on v4, ``OAuth`` on XML). A
``WorkflowActionURL`` is only ever followed to the configured XML origin (or a Concur
host over https) and to a workflow-action path, since the caller's token goes with it; any
other URL is Concur's fault (``UpstreamBadResponse``) and nothing is sent.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Final

import aiohttp
from yarl import URL

from adapters.breaker import BreakerRegistry, BreakerState
from adapters.client import ConcurClient, Credentials
from adapters.comments import check_comment
from adapters.config import CompanyAuthSettings, UpstreamSettings
from adapters.errors import BadUserInput, NotFound, Unauthenticated, UpstreamBadResponse
from adapters.http import (
    Family,
    Operation,
    Transport,
    UpstreamCallHook,
    UpstreamRequest,
    UpstreamResponse,
    open_sessions,
)
from adapters.models import (
    CostObject,
    Entry,
    EntryResult,
    NewEntry,
    NewReport,
    Protocol,
    Report,
    ReportContext,
    ReportDetails,
    ReportSummary,
    ReportView,
    WorkflowActionKind,
)
from adapters.oauth import JwksVerifier, TokenProvider
from adapters.paths import build_url
from adapters.pauses import LocalPauses, RoutePauses
from adapters.revocations import TokenRevocations
from adapters.tracing import UpstreamTracer
from adapters.transport_errors import unknown_outcome_if_unreadable
from adapters.v4 import cost_objects as v4_cost_objects
from adapters.v4 import reports as v4_reports
from adapters.v4 import workflow as v4_workflow
from adapters.v11 import details as v11_details
from adapters.v11 import entries as v11_entries
from adapters.v11 import full_details as v11_full_details
from adapters.v11 import reports_list as v11_reports_list
from adapters.v11 import workflow_action as v11_workflow
from adapters.v11.keys import ReportKeyBook

DETAILS_ROUTE: Final = "/api/expense/expensereport/v2.0/report/{reportId}"
FULL_DETAILS_ROUTE: Final = "/api/expense/expensereport/v1.1/reportfulldetails/{reportKey}"
REPORTS_LIST_ROUTE: Final = "/api/expense/expensereport/v1.1/ReportsList/{view}"
ENTRY_ROUTE: Final = "/api/expense/expensereport/v1.1/report/{reportKey}/entry/{entryId}"
ENTRIES_ROUTE: Final = "/api/expense/expensereport/v1.1/report/{reportKey}/entry"
WORKFLOW_ACTION_ROUTE: Final = "/api/expense/expensereport/v1.1/report/{stepKey}/workflowaction"
_WORKFLOW_ACTION_PATH = re.compile(
    r"/api/expense/expensereport/v1\.1/report/[^/]+/workflowaction$", re.IGNORECASE
)
_CONCUR_HOST_SUFFIX: Final = ".concursolutions.com"
_JSON: Final = "application/json"
_XML: Final = "application/xml; charset=utf-8"
_CREATE_CONTEXTS: Final = frozenset({ReportContext.TRAVELER, ReportContext.PROXY})


@dataclass(frozen=True, slots=True)
class UpstreamOrigins:
    """Base URLs per family; XML and OAuth default to the v4 origin."""

    v4: URL
    xml: URL
    oauth: URL

    @classmethod
    def from_settings(cls, upstream: UpstreamSettings) -> UpstreamOrigins:
        if not upstream.base_url:
            raise ValueError("upstream.base_url is empty: start the sandbox or name Concur")
        base = URL(upstream.base_url)
        return cls(
            v4=base,
            xml=URL(upstream.xml_base_url) if upstream.xml_base_url else base,
            oauth=URL(upstream.oauth_base_url) if upstream.oauth_base_url else base,
        )


class HttpConcurClient(ConcurClient):
    """Every ``ConcurClient`` method over one ``Transport``; see the module docstring."""

    def __init__(
        self,
        *,
        transport: Transport,
        origins: UpstreamOrigins,
        tokens: TokenProvider,
        verifier: JwksVerifier,
        keys: ReportKeyBook | None = None,
    ) -> None:
        self._transport = transport
        self._origins = origins
        self._tokens = tokens
        self._verifier = verifier
        self._keys = keys if keys is not None else ReportKeyBook(clock=time.monotonic)

    # -- plumbing ---------------------------------------------------------------------

    async def _send(self, request: UpstreamRequest) -> UpstreamResponse:
        """Send as the caller; a token Concur refuses is revoked (``JwksVerifier.revoke``)."""
        try:
            return await self._transport.send(request)
        except Unauthenticated:
            if request.token is not None:
                await self._verifier.revoke(request.token)
            raise

    async def _v4(
        self,
        method: str,
        route: str,
        creds: Credentials,
        *,
        operation: Operation = Operation.READ,
        body: bytes | None = None,
        expected_step: bool = False,
        **ids: str,
    ) -> UpstreamResponse:
        return await self._send(
            UpstreamRequest(
                family=Family.V4,
                method=method,
                url=build_url(self._origins.v4, route, **ids),
                route=route,
                operation=operation,
                token=creds.token,
                body=body,
                content_type=_JSON if body is not None else None,
                expected_step=expected_step,
            )
        )

    async def _xml(
        self,
        method: str,
        route: str,
        creds: Credentials,
        *,
        url: URL | None = None,
        operation: Operation = Operation.READ,
        body: bytes | None = None,
        **ids: str,
    ) -> UpstreamResponse:
        return await self._send(
            UpstreamRequest(
                family=Family.XML,
                method=method,
                url=url if url is not None else build_url(self._origins.xml, route, **ids),
                route=route,
                operation=operation,
                token=creds.token,
                body=body,
                content_type=_XML if body is not None else None,
            )
        )

    def _workflow_action_url(self, url: str | None) -> URL:
        """The report's ``WorkflowActionURL``, verbatim, if it is safe to send a token to.

        No URL means the caller has no action at this step: a refusal the caller can act on.
        A URL off Concur's origin, or not to a workflow action, came from Concur's answer, not
        from the caller: ``UpstreamBadResponse``, and the token is not sent.
        """
        if not url:
            raise BadUserInput(
                "An XML workflow action needs the report's workflow action URL: read the "
                "report details first (no URL means the caller has no action at this step).",
                field="workflow_action_url",
            )
        target = URL(url.strip(), encoded=True)
        xml = self._origins.xml
        same_origin = target.absolute and target.origin() == xml.origin()
        concur_host = (
            target.scheme == "https"
            and target.host is not None
            and target.host.lower().endswith(_CONCUR_HOST_SUFFIX)
        )
        if not (same_origin or concur_host) or not _WORKFLOW_ACTION_PATH.search(target.path):
            raise UpstreamBadResponse(
                "Concur's report details name a workflow action URL off Concur's origin or "
                "not to a workflow action: nothing was sent."
            )
        return target

    async def _xml_action(
        self,
        creds: Credentials,
        action: WorkflowActionKind,
        comment: str | None,
        workflow_action_url: str | None,
    ) -> None:
        response = await self._xml(
            "POST",
            WORKFLOW_ACTION_ROUTE,
            creds,
            url=self._workflow_action_url(workflow_action_url),
            operation=Operation.WORKFLOW,
            body=v11_workflow.build_workflow_action(action, comment),
        )
        with unknown_outcome_if_unreadable(response.correlation_id):
            v11_workflow.check_action_status(response.body, correlation_id=response.correlation_id)

    async def _v4_action(
        self,
        creds: Credentials,
        report_id: str,
        action: WorkflowActionKind,
        *,
        comment: str | None,
        expense_rejected_comment: str | None = None,
        expected_step_code: str | None,
        expected_step_sequence: str | None,
    ) -> None:
        await self._v4(
            "PATCH",
            v4_workflow.action_route(action, creds.kind),
            creds,
            operation=Operation.WORKFLOW,
            body=v4_workflow.action_body(
                comment=comment,
                expense_rejected_comment=expense_rejected_comment,
                expected_step_code=expected_step_code,
                expected_step_sequence=expected_step_sequence,
            ),
            expected_step=expected_step_code is not None or expected_step_sequence is not None,
            userId=creds.user_id,
            reportId=report_id,
        )

    def breaker_states(self) -> dict[str, BreakerState]:
        """The circuit state per endpoint called so far (``METHOD origin/route``), for
        metrics."""
        return self._transport.breaker_states()

    # -- tokens -----------------------------------------------------------------------

    async def app_token(self) -> str:
        return await self._tokens.app_token()

    async def company_token(self) -> str:
        return await self._tokens.company_token()

    async def verify_token(self, token: str) -> Credentials:
        return await self._verifier.verify(token)

    # -- reads ------------------------------------------------------------------------

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

    # -- workflow actions (never retried) ---------------------------------------------

    async def approve(
        self,
        creds: Credentials,
        report_id: str,
        *,
        protocol: Protocol,
        comment: str | None = None,
        expense_rejected_comment: str | None = None,
        expected_step_code: str | None = None,
        expected_step_sequence: str | None = None,
        workflow_action_url: str | None = None,
    ) -> None:
        check_comment(comment)
        if protocol is Protocol.XML:
            await self._xml_action(creds, WorkflowActionKind.APPROVE, comment, workflow_action_url)
            return
        await self._v4_action(
            creds,
            report_id,
            WorkflowActionKind.APPROVE,
            comment=comment,
            expense_rejected_comment=expense_rejected_comment,
            expected_step_code=expected_step_code,
            expected_step_sequence=expected_step_sequence,
        )

    async def send_back(
        self,
        creds: Credentials,
        report_id: str,
        *,
        protocol: Protocol,
        comment: str,
        expected_step_code: str | None = None,
        expected_step_sequence: str | None = None,
        workflow_action_url: str | None = None,
    ) -> None:
        check_comment(comment, required=True)
        if protocol is Protocol.XML:
            await self._xml_action(
                creds, WorkflowActionKind.SEND_BACK, comment, workflow_action_url
            )
            return
        await self._v4_action(
            creds,
            report_id,
            WorkflowActionKind.SEND_BACK,
            comment=comment,
            expected_step_code=expected_step_code,
            expected_step_sequence=expected_step_sequence,
        )

    async def recall(self, creds: Credentials, report_id: str, context: ReportContext) -> None:
        await self._v4(
            "PATCH",
            v4_workflow.RECALL_ROUTE,
            creds,
            operation=Operation.WORKFLOW,
            userId=creds.user_id,
            contextType=v4_workflow.recall_context(context).value,
            reportId=report_id,
        )

    async def submit(self, creds: Credentials, report_id: str) -> None:
        await self._v4(
            "PATCH",
            v4_workflow.SUBMIT_ROUTE,
            creds,
            operation=Operation.WRITE,
            userId=creds.user_id,
            reportId=report_id,
        )

    # -- writes (never retried) -------------------------------------------------------

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


@asynccontextmanager
async def open_concur_client(
    upstream: UpstreamSettings,
    company: CompanyAuthSettings,
    *,
    on_upstream_call: UpstreamCallHook | None = None,
    trace_configs: Sequence[aiohttp.TraceConfig] = (),
    tracer: UpstreamTracer | None = None,
    clock: Callable[[], float] | None = None,
    revocations: TokenRevocations | None = None,
    pauses: RoutePauses | None = None,
) -> AsyncIterator[HttpConcurClient]:
    """A ready client with one session per upstream family, all closed on exit.

    ``on_upstream_call`` receives one ``UpstreamCallEvent`` per attempt; ``trace_configs``
    are added to every session; ``tracer`` makes a client span per attempt and sends its
    ``traceparent`` upstream; ``clock`` (the loop's by default) times breakers and token
    expiry, so tests can move it; ``revocations`` shares revoked tokens (default: this
    process); ``pauses`` shares the routes Concur throttled (default: this process).
    """
    origins = UpstreamOrigins.from_settings(upstream)
    clock = clock or asyncio.get_running_loop().time
    async with open_sessions(upstream, trace_configs=trace_configs) as sessions:
        transport = Transport(
            sessions=sessions,
            settings=upstream,
            breakers=BreakerRegistry(
                failure_threshold=upstream.breaker_failure_threshold,
                reset_s=upstream.breaker_reset_s,
                half_open_trials=upstream.breaker_half_open_trials,
                clock=clock,
            ),
            on_upstream_call=on_upstream_call,
            tracer=tracer,
            pauses=pauses if pauses is not None else LocalPauses(clock),
        )
        yield HttpConcurClient(
            transport=transport,
            origins=origins,
            tokens=TokenProvider(transport, origins.oauth, company, clock=clock),
            verifier=JwksVerifier(transport, origins.oauth, clock=clock, revocations=revocations),
        )


__all__ = ["HttpConcurClient", "UpstreamOrigins", "open_concur_client"]
