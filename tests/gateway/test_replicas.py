"""Two gateway replicas as real processes on one Redis and one sandbox.

Each replica is a ``concur-gateway serve`` process of its own, configured only through its
environment, as a deployment runs it (docs/operations.md, deploy/compose). The sandbox
delivers its signed ESS events to replica A alone; everything replica B knows of them it
learns through Redis: generations (so its cached answers go stale at once), the event
broker (so its subscribers hear of them) and idempotency outcomes (so a repeated action
is settled, not sent twice).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import aiohttp
import pytest
import redis.asyncio as aioredis

from tests.support.events import SUBSCRIPTIONS, EssControl
from tests.support.processes import Replica, replica, replica_environment
from tests.support.sandbox import SandboxHarness

WAIT_S = 15.0

REPORT_STATUS = """
query Status($id: ID!, $context: ReportContext!) {
  report(id: $id, context: $context) { id approvalStatus { code } paymentStatus { code } }
}
"""
APPROVE = """
mutation Approve($input: ApproveReportInput!) {
  approveReport(input: $input) {
    report { id approvalStatus { code } }
    userErrors { code message }
  }
}
"""
WATCH = "subscription Watch($id: ID) { reportEvents(reportId: $id) { id eventType reportId } }"


async def _subscribe_webhook(ess: EssControl, target: Replica) -> None:
    """Concur delivers to one replica's webhook (in production: through the load balancer)."""
    token = await ess.sandbox.app_token()
    reply = await ess.sandbox.call(
        "PUT",
        f"{SUBSCRIPTIONS}/webhook",
        token=token,
        json={
            "id": "replicas",
            "filter": ".*",
            "topic": "public.concur.expense.report",
            "webHookConfig": {"endpoint": f"{target.origin}/events/ess"},
        },
    )
    assert reply.status == 200, reply.text


@asynccontextmanager
async def watching(
    target: Replica, token: str, report_id: str
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A ``reportEvents`` subscription on ``target``, acknowledged and started."""
    async with target.session.ws_connect(target.url, protocols=("graphql-transport-ws",)) as ws:
        await ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        )
        ack = await ws.receive_json(timeout=WAIT_S)
        assert ack["type"] == "connection_ack", ack
        await ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": WATCH, "variables": {"id": report_id}},
            }
        )
        yield ws


async def _status(target: Replica, token: str, report_id: str, context: str) -> tuple[str, str]:
    body = await target.gql(REPORT_STATUS, {"id": report_id, "context": context}, token)
    assert "errors" not in body, body
    report = body["data"]["report"]
    return report["approvalStatus"]["code"], report["paymentStatus"]["code"]


@pytest.fixture
async def replicas(
    sandbox: SandboxHarness, redis_url: str, redis_prefix: str
) -> AsyncIterator[tuple[Replica, Replica]]:
    env = replica_environment(sandbox, redis_url, redis_prefix)
    async with AsyncExitStack() as stack:
        session = await stack.enter_async_context(
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        )
        first = await stack.enter_async_context(replica("A", env, session))
        second = await stack.enter_async_context(replica("B", env, session))
        yield first, second


async def test_an_event_delivered_to_one_replica_freshens_the_other(
    sandbox: SandboxHarness, replicas: tuple[Replica, Replica]
) -> None:
    a, b = replicas
    ess = EssControl(sandbox)
    await _subscribe_webhook(ess, a)
    traveler = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("Denver Trade Show")  # at the processor's step

    before = await _status(b, traveler, report.report_id, "TRAVELER")
    assert before == await _status(b, traveler, report.report_id, "TRAVELER")  # now cached
    assert before == await _status(a, traveler, report.report_id, "TRAVELER")

    async with watching(b, traveler, report.report_id) as ws:
        # Concur changes the report on its own (the processor approves in Concur's UI);
        # ESS tells replica A, and only A.
        status, body = await sandbox.admin("POST", f"/_sandbox/reports/{report.report_id}/process")
        assert status == 200, body
        await ess.drain()
        message = await ws.receive_json(timeout=WAIT_S)
        assert message["type"] == "next", message
        assert message["payload"]["data"]["reportEvents"]["reportId"] == report.report_id

    after = await _status(b, traveler, report.report_id, "TRAVELER")
    assert after != before
    assert after == (
        report.workflow.approval_status,
        report.workflow.payment_status,
    )
    assert after == await _status(a, traveler, report.report_id, "TRAVELER")


async def test_an_action_through_one_replica_is_settled_by_the_other(
    sandbox: SandboxHarness, replicas: tuple[Replica, Replica]
) -> None:
    a, b = replicas
    manager = await sandbox.user_token("manager@example.com")
    report = sandbox.report_named("Boston Customer Workshop")  # pending the manager
    key = f"replicas-{uuid.uuid4()}"
    action = {
        "input": {
            "reportId": report.report_id,
            "expectedStatus": "A_PEND",
            "idempotencyKey": key,
        }
    }
    await sandbox.reset_stats()

    first = await a.gql(APPROVE, action, manager)
    repeat = await b.gql(APPROVE, action, manager)

    assert first["data"]["approveReport"]["userErrors"] == [], first
    assert repeat["data"] == first["data"]
    approvals = {
        route: count
        for route, count in (await sandbox.stats())["requests"].items()
        if route.endswith("/approve") or route.lower().endswith("/workflowaction")
    }
    assert sum(approvals.values()) == 1, approvals


async def test_a_warm_replica_answers_from_memory_and_hears_of_a_change_made_elsewhere(
    sandbox: SandboxHarness, redis_url: str, redis_prefix: str
) -> None:
    """Replica B answers a repeated query without a Redis command (near cache); ESS tells
    replica A of a change, and the very next read on B is fresh."""
    quiet = {"CONCUR_GATEWAY_CACHE__NEAR_HEARTBEAT_S": "300"}  # no PING during the count
    env = {**replica_environment(sandbox, redis_url, redis_prefix), **quiet}
    ess = EssControl(sandbox)
    raw = aioredis.Redis.from_url(redis_url)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(raw.aclose)
        session = await stack.enter_async_context(
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        )
        a = await stack.enter_async_context(replica("A", env, session))
        b = await stack.enter_async_context(replica("B", env, session))
        await _subscribe_webhook(ess, a)
        traveler = await sandbox.user_token("traveler@example.com")
        report = sandbox.report_named("Denver Trade Show")  # at the processor's step
        before = await _status(b, traveler, report.report_id, "TRAVELER")  # kept by B

        await raw.config_resetstat()
        for _ in range(3):
            assert await _status(b, traveler, report.report_id, "TRAVELER") == before
        commands = await raw.info("commandstats")
        assert [
            name for name in commands if not name.startswith(("cmdstat_config", "cmdstat_info"))
        ] == []

        status, body = await sandbox.admin("POST", f"/_sandbox/reports/{report.report_id}/process")
        assert status == 200, body
        await ess.drain()  # delivered to A, which bumped the report's generation

        after = await _status(b, traveler, report.report_id, "TRAVELER")
        assert after != before
        assert after == (report.workflow.approval_status, report.workflow.payment_status)
