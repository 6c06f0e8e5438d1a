"""``concur_gateway.v1.ReportService``: thin, like the Strawberry resolvers beside it.

Each method authenticates the caller, builds the same per-call ``Context`` the GraphQL
view builds per request (fresh loaders over the shared cache, guard and idempotency store),
calls one protocol-agnostic operation and converts its models. Tracing, correlation ids,
deadlines and the error statuses are the interceptor's (``gateway.grpc.interceptor``).

A workflow action's expected failures come back from the operation as data (the graph's
``userErrors``); here they become the status of the first one, with every one and the
current report in an ``ActionRefusal`` detail.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc
from typing_extensions import override

from adapters.correlation import CORRELATION_ID
from adapters.models import ReportEvent
from gateway.error_codes import SHUTTING_DOWN_CODE
from gateway.grpc import audit, convert, errors
from gateway.grpc import bulk as bulk_messages
from gateway.grpc.auth import authenticate
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2_grpc as service_grpc
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from gateway.grpc.metadata import correlation_metadata
from gateway.grpc.reports import expanded, expanded_all, wants
from resolvers.context import Context
from resolvers.operations import actions, audit_reads, bulk, events, reads
from resolvers.operations.event_source import EventSource
from resolvers.operations.outcome import Outcome, Problem
from resolvers.operations.prefetch import Wants
from resolvers.operations.requests import ActionRequest
from resolvers.operations.services import Operations

ServicerContext = grpc.aio.ServicerContext[Any, Any]
SHUTTING_DOWN_MESSAGE = "The gateway is shutting down: watch again."


class CallEvents:
    """One watch's view of the app's event source.

    Sends the call's response headers as soon as the subscription is in place, so a client
    that has seen them knows every later event reaches it; and ends the stream when the
    server begins to shut down, rather than holding the shutdown for its whole grace.
    """

    def __init__(
        self,
        source: EventSource,
        *,
        on_subscribed: Callable[[], Awaitable[None]],
        closing: asyncio.Event,
    ) -> None:
        self._source = source
        self._on_subscribed = on_subscribed
        self._closing = closing

    @asynccontextmanager
    async def subscribe(
        self, report_id: str | None, event_types: frozenset[str] | None
    ) -> AsyncIterator[AsyncIterator[ReportEvent]]:
        async with self._source.subscribe(report_id, event_types) as stream:
            await self._on_subscribed()
            yield self._until_closing(stream)

    async def _until_closing(
        self, stream: AsyncIterator[ReportEvent]
    ) -> AsyncIterator[ReportEvent]:
        closing = asyncio.ensure_future(self._closing.wait())
        following: asyncio.Future[ReportEvent] | None = None
        try:
            while True:
                following = asyncio.ensure_future(anext(stream))
                await asyncio.wait((following, closing), return_when=asyncio.FIRST_COMPLETED)
                if not following.done():
                    return  # shutting down
                try:
                    event = following.result()
                except StopAsyncIteration:
                    return
                following = None
                yield event
        finally:  # closed early (the caller left) or shutting down: leave nothing running
            for pending in (following, closing):
                if pending is not None and not pending.done():
                    pending.cancel()


class ReportServicer(service_grpc.ReportServiceServicer):
    """The service over one app's ``Operations``."""

    def __init__(self, operations: Operations) -> None:
        self._operations = operations
        self._closing = asyncio.Event()

    def begin_shutdown(self) -> None:
        """End every event stream now (with ``UNAVAILABLE``: watch again elsewhere)."""
        self._closing.set()

    async def _context(
        self, call: ServicerContext, operations: Operations | None = None
    ) -> Context:
        credentials = await authenticate(call.invocation_metadata(), self._operations.client)
        return Context.build(operations or self._operations, credentials, CORRELATION_ID.get())

    async def _act(self, ctx: Context, request: ActionRequest) -> pb.Report | None:
        outcome: Outcome = await actions.perform(ctx, request)
        if outcome.problems:
            raise errors.Refused(outcome)
        return None if outcome.report is None else convert.report(outcome.report)

    @override
    async def GetReport(
        self, request: service_pb2.GetReportRequest, context: ServicerContext
    ) -> pb.Report:
        ctx = await self._context(context)
        report_id = convert.required(request.report_id, "reportId")
        report_context = convert.REPORT_CONTEXT.from_proto(request.context, "context")
        found = await reads.report(ctx, report_id, report_context, wants(request.include))
        return await expanded(ctx, found, request.include)

    @override
    async def ListReports(
        self, request: service_pb2.ListReportsRequest, context: ServicerContext
    ) -> service_pb2.ListReportsResponse:
        ctx = await self._context(context)
        view = convert.REPORT_VIEW.from_proto(request.view, "view")
        found = await reads.reports(ctx, view, wants(request.include))
        return service_pb2.ListReportsResponse(
            reports=await expanded_all(ctx, found, request.include)
        )

    @override
    async def ListReportsToApprove(
        self, request: service_pb2.ListReportsToApproveRequest, context: ServicerContext
    ) -> service_pb2.ListReportsToApproveResponse:
        ctx = await self._context(context)
        found = await reads.reports_to_approve(ctx, wants(request.include))
        return service_pb2.ListReportsToApproveResponse(
            reports=await expanded_all(ctx, found, request.include)
        )

    @override
    async def GetEntry(
        self, request: service_pb2.GetEntryRequest, context: ServicerContext
    ) -> pb.Entry:
        ctx = await self._context(context)
        report_id = convert.required(request.report_id, "reportId")
        entry_id = convert.required(request.entry_id, "entryId")
        return convert.entry(await reads.entry(ctx, report_id, entry_id))

    @override
    async def ListCostObjects(
        self, request: service_pb2.ListCostObjectsRequest, context: ServicerContext
    ) -> service_pb2.ListCostObjectsResponse:
        ctx = await self._context(context)
        report_id = convert.required(request.report_id, "reportId")
        found = await reads.cost_objects(ctx, report_id)
        return service_pb2.ListCostObjectsResponse(
            cost_objects=[convert.cost_object(c) for c in found]
        )

    @override
    async def ApproveReport(
        self, request: service_pb2.ApproveReportRequest, context: ServicerContext
    ) -> service_pb2.ApproveReportResponse:
        ctx = await self._context(context)
        report = await self._act(ctx, convert.approve_request(request))
        return service_pb2.ApproveReportResponse(report=report)

    @override
    async def SendBackReport(
        self, request: service_pb2.SendBackReportRequest, context: ServicerContext
    ) -> service_pb2.SendBackReportResponse:
        ctx = await self._context(context)
        report = await self._act(ctx, convert.send_back_request(request))
        return service_pb2.SendBackReportResponse(report=report)

    @override
    async def RecallReport(
        self, request: service_pb2.RecallReportRequest, context: ServicerContext
    ) -> service_pb2.RecallReportResponse:
        ctx = await self._context(context)
        report = await self._act(ctx, convert.recall_request(request))
        return service_pb2.RecallReportResponse(report=report)

    @override
    async def SubmitReport(
        self, request: service_pb2.SubmitReportRequest, context: ServicerContext
    ) -> service_pb2.SubmitReportResponse:
        ctx = await self._context(context)
        report = await self._act(ctx, convert.submit_request(request))
        return service_pb2.SubmitReportResponse(report=report)

    @override
    async def BulkAct(
        self, request: service_pb2.BulkActRequest, context: ServicerContext
    ) -> AsyncIterator[service_pb2.BulkActItemResult]:
        ctx = await self._context(context)
        batch_key = request.batch_key if request.HasField("batch_key") else None
        items = bulk.prepare(ctx, bulk_messages.requests(request), batch_key)  # or BadUserInput
        async for result in bulk.results(ctx, items):
            yield bulk_messages.item_result(result)

    @override
    async def GetReportAuditTrail(
        self, request: service_pb2.GetReportAuditTrailRequest, context: ServicerContext
    ) -> service_pb2.AuditTrail:
        ctx = await self._context(context)
        report_id = convert.required(request.report_id, "reportId")
        report_context = convert.REPORT_CONTEXT.from_proto(request.context, "context")
        await reads.report(ctx, report_id, report_context, Wants())  # may the caller read it?
        page = await audit_reads.report_trail(
            ctx, report_id, audit.page_size(request.page_size), audit.page_token(request.page_token)
        )
        return audit.trail(page)

    @override
    async def ListAuditRecords(
        self, request: service_pb2.ListAuditRecordsRequest, context: ServicerContext
    ) -> service_pb2.AuditTrail:
        ctx = await self._context(context)
        page = await audit_reads.search(
            ctx,
            audit.audit_filter(request),
            audit.page_size(request.page_size),
            audit.page_token(request.page_token),
        )
        return audit.trail(page)

    @override
    async def WatchReportEvents(
        self, request: service_pb2.WatchReportEventsRequest, context: ServicerContext
    ) -> AsyncIterator[pb.ReportEvent]:
        async def subscribed() -> None:
            await context.send_initial_metadata(correlation_metadata())

        source = CallEvents(
            self._operations.events, on_subscribed=subscribed, closing=self._closing
        )
        ctx = await self._context(context, dataclasses.replace(self._operations, events=source))
        report_id = (
            convert.required(request.report_id, "reportId")
            if request.HasField("report_id")
            else None
        )
        event_types = convert.event_types(request.event_types)
        async for event in events.watch(ctx, report_id, event_types):
            yield convert.report_event(event)
        if self._closing.is_set():
            status = errors.rich_status(
                [Problem(code=SHUTTING_DOWN_CODE, message=SHUTTING_DOWN_MESSAGE)],
                correlation_id=CORRELATION_ID.get(),
            )
            await errors.abort(context, status)


__all__ = ["CallEvents", "ReportServicer"]
