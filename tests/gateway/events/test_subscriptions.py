"""``Subscription.reportEvents`` over a real graphql-transport-ws WebSocket."""

from __future__ import annotations

import asyncio

from adapters.models import ReportEvent
from gateway.events.broker import EventBroker
from gateway.events.stats import EssStats
from gateway.settings.events import Overflow, SubscriptionSettings
from sandbox.workflow_terms import Actor
from tests.support.events import (
    WAIT_S,
    EssControl,
    ess_gateway_settings,
    graphql_ws,
    subscribed_gateway,
    wait_for_subscribers,
)
from tests.support.gateway import TRAVELER, TRAVELER2, GatewayHarness, pick_report
from tests.support.sandbox import DEMO, SandboxHarness

EVENTS = """
subscription($id: ID, $types: [ReportEventType!]) {
  reportEvents(reportId: $id, eventTypes: $types) {
    id eventType reportId occurredAt owner { id }
    approvalStatus paymentStatus stepCode roleCode processId assignees
    report { id approvalStatus { code } workflow { stepCode } }
  }
}
"""
MANAGER = Actor(DEMO.manager, "user")


async def test_a_subscriber_receives_the_change_with_a_fresh_report(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    report = sandbox.report_named("London Partner Summit")
    token = await sandbox.user_token(TRAVELER)
    async with graphql_ws(gateway, token) as ws:
        await ws.subscribe("1", EVENTS, {"id": report.report_id})
        await wait_for_subscribers(gateway, 1)
        sandbox.engine.approve(report, MANAGER)
        await ess.drain()
        event = await ws.next_event("1")
    assert event["eventType"] == "STATUS_CHANGED"
    assert event["reportId"] == report.report_id
    assert event["owner"] == {"id": DEMO.traveler}
    assert (event["approvalStatus"], event["paymentStatus"]) == ("A_ACCO", "P_NOTP")
    assert (event["stepCode"], event["roleCode"]) == ("ACCTCLERK", "ACCT_CLERK")
    assert event["assignees"] == [DEMO.processor]
    assert event["report"]["approvalStatus"]["code"] == "A_ACCO"
    assert event["report"]["workflow"]["stepCode"] == "ACCTCLERK"


async def test_the_token_may_come_with_the_upgrade_request(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    report = sandbox.report_named("London Partner Summit")
    token = await sandbox.user_token(TRAVELER)
    async with graphql_ws(gateway, token, in_init=False) as ws:
        await ws.subscribe("1", EVENTS, {"id": report.report_id})
        await wait_for_subscribers(gateway, 1)
        probe = await ess.emit("reportUpdated", report.report_id)
        await ess.drain()
        event = await ws.next_event("1")
    assert (event["id"], event["eventType"]) == (probe["id"], "REPORT_UPDATED")
    assert event["approvalStatus"] is None  # workflow fields belong to STATUS_CHANGED


async def test_another_traveler_never_hears_of_reports_it_cannot_read(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    theirs = sandbox.report_named("London Partner Summit")
    own = pick_report(sandbox, "A_NOTF", owner=DEMO.traveler2)
    token = await sandbox.user_token(TRAVELER2)
    async with graphql_ws(gateway, token) as ws:
        await ws.subscribe("all", EVENTS)  # every report it may read
        await wait_for_subscribers(gateway, 1)
        first = await ess.emit("reportUpdated", own)
        await ess.drain()
        assert (await ws.next_event("all"))["id"] == first["id"]

        sandbox.engine.approve(theirs, MANAGER)  # someone else's report
        await ess.emit("reportUpdated", theirs.report_id)
        second = await ess.emit("reportUpdated", own)
        await ess.drain()
        assert (await ws.next_event("all"))["id"] == second["id"]  # nothing in between

        # asking for that report by id is refused like an unknown id (no list of this
        # traveler names either, and Concur's v2.0 details are for administrators only)
        await ws.subscribe("theirs", EVENTS, {"id": theirs.report_id})
        message = await ws.receive()
        await ws.subscribe("unknown", EVENTS, {"id": "0000000000000000DEAD"})
        unknown = await ws.receive()
        while unknown["id"] != "unknown" or unknown["type"] != "next":  # skip "theirs" ending
            unknown = await ws.receive()
    assert message["type"] == "next", message
    assert message["id"] == "theirs", message
    (error,) = message["payload"]["errors"]
    (unknown_error,) = unknown["payload"]["errors"]
    assert error["extensions"]["code"] == unknown_error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"] == unknown_error["message"]
    assert error["extensions"]["correlationId"], error


async def test_event_types_filter_what_is_sent(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    report = sandbox.report_named("London Partner Summit")
    token = await sandbox.user_token(TRAVELER)
    async with graphql_ws(gateway, token) as ws:
        await ws.subscribe("1", EVENTS, {"id": report.report_id, "types": ["STATUS_CHANGED"]})
        await wait_for_subscribers(gateway, 1)
        await ess.emit("reportUpdated", report.report_id)
        sandbox.engine.approve(report, MANAGER)
        await ess.drain()
        assert (await ws.next_event("1"))["eventType"] == "STATUS_CHANGED"


async def test_an_approver_sees_the_reports_it_is_assigned(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    report_id = pick_report(sandbox, "A_NOTF")
    report = sandbox.store.reports[report_id]
    token = await sandbox.user_token("manager@example.com")
    async with graphql_ws(gateway, token) as ws:
        await ws.subscribe("queue", EVENTS, {"types": ["STATUS_CHANGED"]})
        await wait_for_subscribers(gateway, 1)
        sandbox.engine.submit(report, Actor(DEMO.traveler, "user"))  # now assigned to them
        await ess.drain()
        event = await ws.next_event("queue")
    assert (event["reportId"], event["approvalStatus"]) == (report_id, "A_PEND")
    assert event["assignees"] == [DEMO.manager]


async def test_connection_init_with_a_bad_token_is_closed(gateway: GatewayHarness) -> None:
    async with gateway.session.ws_connect(gateway.url, protocols=("graphql-transport-ws",)) as ws:
        await ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": "Bearer forged"}}
        )
        message = await ws.receive(timeout=WAIT_S)
        assert message.data == 4403 or ws.close_code == 4403, message


async def test_an_anonymous_subscription_is_refused(gateway: GatewayHarness) -> None:
    async with graphql_ws(gateway, None) as ws:
        await ws.subscribe("1", EVENTS)
        message = await ws.receive()
    assert message["type"] == "next", message
    (error,) = message["payload"]["errors"]
    assert error["message"].startswith("Authentication required"), error
    assert error["extensions"]["code"] == "UNAUTHENTICATED", error


async def test_subscriptions_per_connection_are_bounded(
    sandbox: SandboxHarness, ess: EssControl
) -> None:
    settings = ess_gateway_settings(sandbox)
    settings = settings.model_copy(
        update={"subscriptions": SubscriptionSettings(max_per_connection=1)}
    )
    async with subscribed_gateway(sandbox, ess, settings) as gateway:
        token = await sandbox.user_token(TRAVELER)
        async with graphql_ws(gateway, token) as ws:
            await ws.subscribe("1", EVENTS)
            await wait_for_subscribers(gateway, 1)
            await ws.subscribe("2", EVENTS)
            message = await ws.receive()
    assert (message["type"], message["id"]) == ("error", "2"), message
    assert message["payload"][0]["message"] == "Subscription limit reached"


def _event(n: int) -> ReportEvent:
    return ReportEvent(
        id=f"event-{n}",
        event_type="reportUpdated",
        report_id="R1",
        occurred_at="2025-03-07T22:25:49.866Z",
    )


async def test_a_slow_subscriber_loses_its_oldest_events() -> None:
    stats = EssStats()
    broker = EventBroker(settings=SubscriptionSettings(queue_size=2), stats=stats)
    async with broker.subscribe(None, None) as events:
        for n in range(4):
            broker.publish(_event(n))
        received = [await asyncio.wait_for(anext(events), WAIT_S) for _ in range(2)]
    assert [e.id for e in received] == ["event-2", "event-3"]
    assert stats.dropped == 2


async def test_a_slow_subscriber_may_be_disconnected_instead() -> None:
    stats = EssStats()
    settings = SubscriptionSettings(queue_size=2, overflow=Overflow.DISCONNECT)
    broker = EventBroker(settings=settings, stats=stats)
    async with broker.subscribe("R1", frozenset({"reportUpdated"})) as events:
        for n in range(3):
            broker.publish(_event(n))
        assert [e.id async for e in events] == []  # ended: the client subscribes again
    assert stats.dropped == 1
