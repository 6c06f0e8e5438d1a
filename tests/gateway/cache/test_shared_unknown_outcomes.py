"""An unknown outcome kept in Redis is settled once, whichever replica the repeats reach."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import SandboxHarness
from tests.gateway.cache.conftest import GatewayFactory, cached_settings
from tests.gateway.harness import MANAGER, GatewayHarness, action_calls, pick_report

APPROVE = """
mutation($i: ApproveReportInput!) {
  approveReport(input: $i) { report { approvalStatus { code } } userErrors { code } confirmed }
}
"""


async def approve(gw: GatewayHarness, token: str, fields: dict[str, Any]) -> dict[str, Any]:
    status, body = await gw.gql(APPROVE, {"i": fields}, token)
    assert status == 200, body
    payload: dict[str, Any] = body["data"]["approveReport"]
    return payload


async def test_repeats_on_two_replicas_settle_an_unknown_outcome_once(
    sandbox: SandboxHarness, make_gateway: GatewayFactory, redis_url: str, redis_prefix: str
) -> None:
    settings = cached_settings(sandbox, redis_url=redis_url, prefix=redis_prefix)
    first, second = await make_gateway(settings), await make_gateway(settings)
    token = await first.token(MANAGER)
    report_id = pick_report(sandbox, "A_PEND", with_cost_objects=False)
    fields = {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": "shared-1"}
    rule = {"method": "PATCH", "path": "/approve$", "kind": "drop", "times": 1}
    status, body = await sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status in (200, 201), body
    lost = await approve(first, token, fields)
    assert [e["code"] for e in lost["userErrors"]] == ["ACTION_OUTCOME_UNKNOWN"]

    await sandbox.reset_stats()
    repeats = await asyncio.gather(
        *(approve(gw, token, fields) for gw in (first, second, second, first))
    )
    assert all(r == repeats[0] for r in repeats)
    assert repeats[0]["userErrors"] == []
    assert repeats[0]["report"]["approvalStatus"]["code"] == "A_ACCO"
    assert sum(action_calls(await first.upstream_calls()).values()) == 1
