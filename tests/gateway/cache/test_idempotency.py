"""Idempotency keys shared by replicas through Redis: one upstream action per key."""

from __future__ import annotations

import asyncio
from typing import Any

from gateway.cache.idempotency import RedisIdempotencyStore
from gateway.cache.redis_backend import RedisCacheBackend
from tests.support.cache import (
    GatewayFactory,
    backend_of,
    cached_settings,
    operations_of,
)
from tests.support.gateway import MANAGER, GatewayHarness, action_calls, pick_report
from tests.support.sandbox import RedisServer, SandboxHarness

APPROVE = """
mutation($i: ApproveReportInput!) {
  approveReport(input: $i) {
    report { id approvalStatus { code } total { value } }
    userErrors { code message field }
  }
}
"""


async def approve(gw: GatewayHarness, token: str, **fields: Any) -> dict[str, Any]:
    status, body = await gw.gql(APPROVE, {"i": fields}, token)
    assert status == 200, body
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["approveReport"]
    return payload


async def replicas(
    sandbox: SandboxHarness, make_gateway: GatewayFactory, redis_url: str, prefix: str
) -> tuple[GatewayHarness, GatewayHarness]:
    settings = cached_settings(sandbox, redis_url=redis_url, prefix=prefix)
    first, second = await make_gateway(settings), await make_gateway(settings)
    assert isinstance(operations_of(first).idempotency, RedisIdempotencyStore)
    return first, second


async def test_a_key_used_on_two_replicas_acts_once(
    sandbox: SandboxHarness, make_gateway: GatewayFactory, redis_url: str, redis_prefix: str
) -> None:
    a, b = await replicas(sandbox, make_gateway, redis_url, redis_prefix)
    token = await a.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    fields = {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": "k-1"}

    first = await approve(a, token, **fields)
    assert first["userErrors"] == []
    again = await approve(b, token, **fields)
    assert again == first  # replayed byte for byte, amounts included
    assert sum(action_calls(await a.upstream_calls()).values()) == 1


async def test_concurrent_repeats_on_two_replicas_act_once(
    sandbox: SandboxHarness, make_gateway: GatewayFactory, redis_url: str, redis_prefix: str
) -> None:
    """The second replica finds the key claimed and waits for the first one's outcome."""
    a, b = await replicas(sandbox, make_gateway, redis_url, redis_prefix)
    token = await a.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    status, body = await sandbox.admin(
        "POST",
        "/_sandbox/faults",
        json={"method": "PATCH", "path": "/approve$", "kind": "latency", "latency_ms": 300},
    )
    assert status in (200, 201), body
    fields = {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": "k-2"}

    first, second = await asyncio.gather(approve(a, token, **fields), approve(b, token, **fields))
    assert first == second
    assert first["userErrors"] == []
    assert sum(action_calls(await a.upstream_calls()).values()) == 1


async def test_a_key_reused_for_another_report_is_refused_everywhere(
    sandbox: SandboxHarness, make_gateway: GatewayFactory, redis_url: str, redis_prefix: str
) -> None:
    a, b = await replicas(sandbox, make_gateway, redis_url, redis_prefix)
    token = await a.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    await approve(a, token, reportId=report_id, expectedStatus="A_PEND", idempotencyKey="k-3")
    other = next(
        r.report_id
        for r in sandbox.store.reports.values()
        if r.report_id != report_id and r.workflow.approval_status == "A_PEND"
    )
    refused = await approve(b, token, reportId=other, expectedStatus="A_PEND", idempotencyKey="k-3")
    assert [e["code"] for e in refused["userErrors"]] == ["IDEMPOTENCY_CONFLICT"]
    assert sum(action_calls(await a.upstream_calls()).values()) == 1


async def test_without_redis_keys_are_held_in_process(
    redis_server: RedisServer, sandbox: SandboxHarness, make_gateway: GatewayFactory
) -> None:
    gw = await make_gateway(
        cached_settings(sandbox, redis_url=redis_server.url, redis_retry_s=30, redis_timeout_s=0.2)
    )
    assert isinstance(backend_of(gw), RedisCacheBackend)
    token = await gw.token(MANAGER)
    await redis_server.stop()
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    fields = {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": "k-4"}
    first = await approve(gw, token, **fields)
    again = await approve(gw, token, **fields)
    assert first["userErrors"] == []
    assert again == first
    assert backend_of(gw).degraded
    assert sum(action_calls(await gw.upstream_calls()).values()) == 1
