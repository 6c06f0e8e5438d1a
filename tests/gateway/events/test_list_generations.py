"""A manager's approval queue is served from the cache until an event or an action changes it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from sandbox.workflow_terms import Actor
from tests.support.cache import upstream_total
from tests.support.events import EssControl, ess_gateway_settings, subscribed_gateway
from tests.support.gateway import MANAGER, TRAVELER, GatewayHarness, pick_report
from tests.support.sandbox import DEMO, SandboxHarness

QUEUE = "{ reportsToApprove { id approvalStatus { code } } }"
OWNED = "query($v: ReportView!) { reports(view: $v) { id approvalStatus { code } } }"
APPROVE = """
mutation($i: ApproveReportInput!) {
  approveReport(input: $i) { report { id } userErrors { code } }
}
"""
OWNER = Actor(DEMO.traveler, "user")
APPROVER = Actor(DEMO.manager, "user")


@pytest.fixture(params=["memory", "redis"])
async def gateway(
    request: pytest.FixtureRequest, sandbox: SandboxHarness, ess: EssControl
) -> AsyncIterator[GatewayHarness]:
    """A gateway subscribed to the sandbox's ESS, with its cache in process or on Redis."""
    extra: dict[str, Any] = {}
    if request.param == "redis":
        extra = {
            "redis_url": request.getfixturevalue("redis_url"),
            "prefix": request.getfixturevalue("redis_prefix"),
        }
    async with subscribed_gateway(sandbox, ess, ess_gateway_settings(sandbox, **extra)) as gw:
        yield gw


async def ids_in(gateway: GatewayHarness, token: str, query: str, **variables: Any) -> set[str]:
    status, body = await gateway.gql(query, variables, token=token)
    assert status == 200, body
    assert "errors" not in body, body
    listed = body["data"]["reportsToApprove" if "reportsToApprove" in query else "reports"]
    return {report["id"] for report in listed}


async def served_without_concur(
    gateway: GatewayHarness, sandbox: SandboxHarness, token: str
) -> set[str]:
    await sandbox.reset_stats()
    queue = await ids_in(gateway, token, QUEUE)
    assert upstream_total(await gateway.upstream_calls()) == 0
    return queue


async def test_the_queue_is_kept_until_an_event_changes_it(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    manager = await gateway.token(MANAGER)
    queue = await ids_in(gateway, manager, QUEUE)
    assert await served_without_concur(gateway, sandbox, manager) == queue

    report = sandbox.store.reports[pick_report(sandbox, "A_NOTF")]
    await ess.inject(reorder=True)  # hold the event: the gateway cannot know yet
    sandbox.engine.submit(report, OWNER)  # behind the gateway's back
    assert await served_without_concur(gateway, sandbox, manager) == queue  # still kept

    assert await ess.flush() == 1
    await ess.drain()
    assert await ids_in(gateway, manager, QUEUE) == queue | {report.report_id}


async def test_an_action_by_another_approver_leaves_every_queue_fresh(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    """Approved in Concur itself: the event names the approver the report leaves."""
    report = sandbox.store.reports[pick_report(sandbox, "A_NOTF")]
    sandbox.engine.submit(report, OWNER)  # its event records the manager's step
    await ess.drain()
    manager = await gateway.token(MANAGER)
    queue = await ids_in(gateway, manager, QUEUE)
    assert report.report_id in queue
    assert await served_without_concur(gateway, sandbox, manager) == queue

    sandbox.engine.approve(report, APPROVER)
    await ess.drain()
    assert report.report_id not in await ids_in(gateway, manager, QUEUE)


async def test_the_approvers_own_action_makes_the_queue_fresh_at_once(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    await ess.inject(reorder=True)  # no event arrives: the action alone must do it
    manager = await gateway.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND")
    queue = await ids_in(gateway, manager, QUEUE)
    assert report_id in queue
    assert await served_without_concur(gateway, sandbox, manager) == queue

    status, body = await gateway.gql(
        APPROVE, {"i": {"reportId": report_id, "expectedStatus": "A_PEND"}}, token=manager
    )
    assert status == 200, body
    assert body["data"]["approveReport"]["userErrors"] == [], body
    assert report_id not in await ids_in(gateway, manager, QUEUE)


async def test_the_owners_lists_follow_the_owners_submission(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    traveler = await gateway.token(TRAVELER)
    report = sandbox.store.reports[pick_report(sandbox, "A_NOTF")]
    unsubmitted = await ids_in(gateway, traveler, OWNED, v="UNSUBMITTED")
    assert report.report_id in unsubmitted

    sandbox.engine.submit(report, OWNER)
    await ess.drain()
    assert report.report_id not in await ids_in(gateway, traveler, OWNED, v="UNSUBMITTED")
