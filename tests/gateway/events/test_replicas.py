"""Replicas sharing one Redis: dedupe, facts and events travel between gateways; a Redis
that is down makes the webhook answer 503 so ESS delivers again later."""

from __future__ import annotations

from typing import Any

import aiohttp

from gateway.events.keys import ESS_STATS, EVENT_BROKER
from gateway.events.stats import Outcome
from sandbox.config import SandboxConfig
from sandbox.embedded import running_sandbox
from sandbox.workflow_terms import Actor
from tests.support.events import (
    EssControl,
    ess_gateway_settings,
    graphql_ws,
    subscribed_gateway,
    wait_for_subscribers,
)
from tests.support.gateway import TRAVELER, GatewayHarness, running_gateway
from tests.support.sandbox import ADMIN_TOKEN, DEMO, RedisServer, SandboxHarness

REPORT = """
query($id: ID!) {
  report(id: $id) { approvalStatus { code } workflow { stepCode roleCode assignees } }
}
"""
EVENTS = """
subscription($id: ID) {
  reportEvents(reportId: $id) {
    id eventType reportId approvalStatus stepCode
    report { approvalStatus { code } }
  }
}
"""
MANAGER = Actor(DEMO.manager, "user")


async def read(gateway: GatewayHarness, token: str, report_id: str) -> dict[str, Any]:
    status, body = await gateway.gql(REPORT, {"id": report_id}, token=token)
    assert status == 200, body
    assert "errors" not in body, body
    report: dict[str, Any] = body["data"]["report"]
    return report


async def test_an_event_delivered_to_one_replica_is_seen_on_the_other(
    sandbox: SandboxHarness, ess: EssControl, redis_url: str, redis_prefix: str
) -> None:
    report = sandbox.report_named("London Partner Summit")
    settings = ess_gateway_settings(sandbox, redis_url=redis_url, prefix=redis_prefix)
    async with (
        subscribed_gateway(sandbox, ess, settings) as receiving,  # ESS delivers here only
        running_gateway(sandbox, settings) as other,
    ):
        assert other.server.app[EVENT_BROKER].shared
        token = await other.token(TRAVELER)
        assert (await read(other, token, report.report_id))["approvalStatus"]["code"] == "A_PEND"
        async with graphql_ws(other, token) as ws:
            await ws.subscribe("watch", EVENTS, {"id": report.report_id})
            await wait_for_subscribers(other, 1)

            sandbox.engine.approve(report, MANAGER)
            await ess.drain()

            event = await ws.next_event("watch")
            assert event["eventType"] == "STATUS_CHANGED"
            assert (event["approvalStatus"], event["stepCode"]) == ("A_ACCO", "ACCTCLERK")
            assert event["report"]["approvalStatus"]["code"] == "A_ACCO"  # read fresh
        fresh = await read(other, token, report.report_id)
        assert fresh["approvalStatus"]["code"] == "A_ACCO"  # the shared generation moved
        assert fresh["workflow"]["stepCode"] == "ACCTCLERK"  # facts shared through Redis
        assert receiving.server.app[ESS_STATS].count(Outcome.APPLIED) == 1
        assert other.server.app[ESS_STATS].count(Outcome.APPLIED) == 0


async def test_duplicates_across_replicas_are_applied_once(
    sandbox: SandboxHarness, ess: EssControl, redis_url: str, redis_prefix: str
) -> None:
    report = sandbox.report_named("London Partner Summit")
    settings = ess_gateway_settings(sandbox, redis_url=redis_url, prefix=redis_prefix)
    async with (
        subscribed_gateway(sandbox, ess, settings, "replica-a") as first,
        subscribed_gateway(sandbox, ess, settings, "replica-b") as second,
    ):
        token = await first.token(TRAVELER)
        async with graphql_ws(first, token) as ws:
            await ws.subscribe("watch", EVENTS, {"id": report.report_id})
            await wait_for_subscribers(first, 1)
            sandbox.engine.approve(report, MANAGER)  # both replicas get the event
            await ess.drain()
            applied = [gw.server.app[ESS_STATS].count(Outcome.APPLIED) for gw in (first, second)]
            duplicates = [
                gw.server.app[ESS_STATS].count(Outcome.DUPLICATE) for gw in (first, second)
            ]
            assert sorted(applied) == [0, 1]
            assert sorted(duplicates) == [0, 1]
            (event,) = await ess.events("statusChanged")
            assert (await ws.next_event("watch"))["id"] == event["id"]
            probe = await ess.emit("reportUpdated", report.report_id)
            await ess.drain()
            assert (await ws.next_event("watch"))["id"] == probe["id"]  # published once


async def test_a_redis_outage_is_answered_503_and_the_event_applied_once_it_is_back(
    redis_server: RedisServer,
) -> None:
    # ESS retries patient enough to outlast the backend's reconnection (0.05 s, then 0.2 s)
    config = SandboxConfig(
        admin_token=ADMIN_TOKEN,
        ess_retry_initial_s=0.05,
        ess_retry_max_s=0.4,
        ess_max_attempts=10,
        ess_timeout_s=5.0,
    )
    async with (
        running_sandbox(config) as running,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        sandbox = SandboxHarness(
            base_url=running.base_url,
            store=running.store,
            engine=running.engine,
            admin_token=ADMIN_TOKEN,
            session=session,
        )
        ess = EssControl(sandbox)
        settings = ess_gateway_settings(sandbox, redis_url=redis_server.url, prefix="outage:")
        report = sandbox.report_named("London Partner Summit")
        async with subscribed_gateway(sandbox, ess, settings) as gateway:
            stats = gateway.server.app[ESS_STATS]
            await redis_server.stop()
            sandbox.engine.approve(report, MANAGER)
            await ess.drain()  # every attempt refused with 503 until ESS gave up
            (event,) = await ess.events("statusChanged")
            refused = await ess.log(event["id"])
            assert {a["status"] for a in refused} == {503}
            assert stats.count(Outcome.UNAVAILABLE) == len(refused)
            assert stats.count(Outcome.APPLIED) == 0

            await redis_server.start()
            await ess.redeliver(event["id"])
            await ess.drain()  # retried until the backend answers again
            attempts = await ess.log(event["id"])
            assert attempts[-1]["status"] == 200
            assert stats.count(Outcome.APPLIED) == 1
            token = await gateway.token(TRAVELER)
            fresh = await read(gateway, token, report.report_id)
            assert fresh["workflow"]["stepCode"] == "ACCTCLERK"
