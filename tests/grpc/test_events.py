"""``WatchReportEvents``: events from real, signed ESS deliveries, only for readable reports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import grpc
import pytest

from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from gateway.settings import GrpcSettings
from gateway.settings.events import EssSettings
from sandbox import seed
from sandbox.embedded import running_sandbox
from tests.support.events import FAST_ESS, KEY_PATH, WAIT_S, EssControl
from tests.support.gateway import MANAGER, TRAVELER, TRAVELER2, gateway_settings, pick_report
from tests.support.grpc import GrpcGateway, auth, rich, running_grpc_gateway
from tests.support.sandbox import ADMIN_TOKEN, SandboxHarness

Stream = Any  # grpc.aio.UnaryStreamCall[WatchReportEventsRequest, ReportEvent]


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxHarness]:
    """A sandbox whose ESS retries are short enough for tests."""
    async with (
        running_sandbox(FAST_ESS.model_copy()) as running,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        yield SandboxHarness(
            base_url=running.base_url,
            store=running.store,
            engine=running.engine,
            admin_token=ADMIN_TOKEN,
            session=session,
        )


@pytest.fixture
def ess(sandbox: SandboxHarness) -> EssControl:
    return EssControl(sandbox)


@pytest.fixture
async def gw(sandbox: SandboxHarness, ess: EssControl) -> AsyncIterator[GrpcGateway]:
    """A gateway serving gRPC whose ESS webhook the sandbox delivers to."""
    settings = gateway_settings(
        sandbox.base_url,
        ess=EssSettings(public_keys=[sandbox.base_url + KEY_PATH], key_refetch_min_s=0.0),
        grpc=GrpcSettings(port=0, grace_s=WAIT_S),
    )
    async with running_grpc_gateway(sandbox, settings) as running:
        await ess.subscribe(running.http)
        yield running


async def watch(gw: GrpcGateway, token: str, **request: Any) -> Stream:
    """A live watch: its headers arrive once the subscription is in place."""
    call = gw.stub.WatchReportEvents(
        service_pb2.WatchReportEventsRequest(**request), metadata=auth(token)
    )
    await asyncio.wait_for(call.initial_metadata(), WAIT_S)
    return call


async def next_event(call: Stream) -> pb.ReportEvent:
    event = await asyncio.wait_for(call.read(), WAIT_S)
    assert isinstance(event, pb.ReportEvent), event
    return event


async def test_an_approval_reaches_the_owners_watch(gw: GrpcGateway, ess: EssControl) -> None:
    owner = await gw.token(TRAVELER)
    manager = await gw.token(MANAGER)
    report_id = pick_report(gw.sandbox, "A_PEND", with_cost_objects=False)
    call = await watch(gw, owner, report_id=report_id)

    await gw.stub.ApproveReport(  # over gRPC too: Concur announces it through ESS
        service_pb2.ApproveReportRequest(report_id=report_id, expected_status="A_PEND"),
        metadata=auth(manager),
    )
    await ess.drain()

    event = await next_event(call)
    assert event.event_type == pb.REPORT_EVENT_TYPE_STATUS_CHANGED
    assert event.report_id == report_id
    assert event.approval_status == "A_ACCO"
    assert event.owner.id == seed.TRAVELER_ID
    assert event.occurred_at.seconds > 0
    (published,) = await ess.events("statusChanged")
    assert event.id == published["id"]
    call.cancel()


async def test_filters_and_sight(gw: GrpcGateway, ess: EssControl) -> None:
    """Only the asked-for event types, and only for reports the caller may read."""
    stranger = await gw.token(TRAVELER2)
    call = await watch(gw, stranger, event_types=[pb.REPORT_EVENT_TYPE_REPORT_UPDATED])
    theirs = pick_report(gw.sandbox, "A_PEND", owner=seed.TRAVELER_ID)
    own = pick_report(gw.sandbox, "A_PEND", owner=seed.TRAVELER2_ID)
    await ess.emit("reportUpdated", theirs)  # not theirs to see
    await ess.emit("reportCreated", own)  # not an asked-for type
    await ess.drain()
    probe = await ess.emit("reportUpdated", own)
    await ess.drain()
    event = await next_event(call)
    assert (event.id, event.report_id) == (probe["id"], own)
    assert event.event_type == pb.REPORT_EVENT_TYPE_REPORT_UPDATED
    call.cancel()


async def test_watching_a_report_out_of_sight_is_refused(gw: GrpcGateway) -> None:
    stranger = await gw.token(TRAVELER2)
    report_id = pick_report(gw.sandbox, "A_PEND", owner=seed.TRAVELER_ID)
    call = gw.stub.WatchReportEvents(
        service_pb2.WatchReportEventsRequest(report_id=report_id), metadata=auth(stranger)
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await asyncio.wait_for(call.read(), WAIT_S)
    assert rich(caught.value).reason in ("FORBIDDEN", "NOT_FOUND")


async def test_an_anonymous_watch_is_unauthenticated(gw: GrpcGateway) -> None:
    call = gw.stub.WatchReportEvents(service_pb2.WatchReportEventsRequest())
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await asyncio.wait_for(call.read(), WAIT_S)
    assert (caught.value.code(), rich(caught.value).reason) == (
        grpc.StatusCode.UNAUTHENTICATED,
        "UNAUTHENTICATED",
    )
