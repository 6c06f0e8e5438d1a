"""One company budget, shared by replicas through Redis, split fairly among callers."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import SecretStr

from gateway.budget.metrics import caller_label
from sandbox import seed
from tests.support.cache import GatewayFactory
from tests.support.gateway import (
    MANAGER,
    TRAVELER,
    GatewayHarness,
    gateway_settings,
    pick_report,
    running_gateway,
)
from tests.support.sandbox import SandboxHarness
from tests.support.telemetry import sample, scrape

HEADER = """query($id: ID!, $context: ReportContext!) {
  report(id: $id, context: $context) { id name }
}"""  # priced 1 call


async def read(
    gateway: GatewayHarness, token: str, report_id: str, context: str = "TRAVELER"
) -> dict[str, Any]:
    status, body = await gateway.gql(HEADER, {"id": report_id, "context": context}, token)
    assert status == 200, body
    result: dict[str, Any] = body
    return result


def codes(bodies: list[dict[str, Any]]) -> list[str | None]:
    return [b["errors"][0]["extensions"]["code"] if "errors" in b else None for b in bodies]


async def test_a_flooding_caller_is_throttled_while_a_quiet_one_is_served(
    sandbox: SandboxHarness, make_gateway: GatewayFactory, redis_url: str, redis_prefix: str
) -> None:
    """The flooder spreads its requests over two replicas: its share is counted once, in
    Redis, and the quiet caller's requests all succeed beside it."""
    settings = gateway_settings(
        sandbox.base_url,
        redis_url=SecretStr(redis_url),
        cache={"prefix": redis_prefix, "enabled": False},
        budget={"calls_per_window": 20, "caller_share": 0.5, "window_s": 3600},
    )
    a, b = await make_gateway(settings), await make_gateway(settings)
    flooder = await a.token(TRAVELER)
    quiet = await b.token(MANAGER)
    flooders_report = pick_report(sandbox, "A_NOTF")
    quiets_report = pick_report(sandbox, "A_PEND")

    flood = [read(a if i % 2 else b, flooder, flooders_report) for i in range(25)]
    calm = [read(b, quiet, quiets_report, "MANAGER") for _ in range(8)]
    results = await asyncio.gather(*flood, *calm)
    flooded, served = results[:25], results[25:]

    assert codes(served) == [None] * 8
    assert codes(flooded).count(None) == 10  # its share: half of the app's 20
    refused = [body for body in flooded if "errors" in body]
    assert {e["errors"][0]["extensions"]["code"] for e in refused} == {"RATE_LIMITED"}
    assert all(e["errors"][0]["extensions"]["retryAfter"] > 0 for e in refused)
    assert all(e["extensions"]["cost"]["actual"] == 0 for e in refused)
    calls = sum((await a.upstream_calls()).values())
    assert calls == 10 + 8  # a refused request never reached Concur


async def test_the_share_shows_in_rate_limit(sandbox: SandboxHarness) -> None:
    settings = gateway_settings(
        sandbox.base_url, budget={"calls_per_window": 10, "caller_share": 0.5}
    )
    async with running_gateway(sandbox, settings) as gateway:
        token = await gateway.token(TRAVELER)
        query = "{ rateLimit { cost limit remaining resetAt } me { id } }"
        status, body = await gateway.gql(query, None, token)
        assert status == 200, body
        assert body["data"]["rateLimit"]["limit"] == 5
        assert body["data"]["rateLimit"]["cost"] == 0
        assert body["data"]["rateLimit"]["remaining"] == 5


async def test_the_budget_is_on_metrics(gateway: GatewayHarness, sandbox: SandboxHarness) -> None:
    token = await gateway.token(TRAVELER)
    body = await read(gateway, token, pick_report(sandbox, "A_NOTF"))
    assert "errors" not in body, body
    scraped = await scrape(gateway)
    assert 0 < sample(scraped, "gateway_budget_remaining") < 1200
    caller = caller_label(f"user:{seed.TRAVELER_ID.lower()}")
    assert 0 < sample(scraped, "gateway_budget_caller_remaining", caller=caller) < 600


async def test_anonymous_requests_spend_no_budget(sandbox: SandboxHarness) -> None:
    """Without a token nothing reaches Concur, so a stranger's flood cannot drain the
    budget the company's callers share."""
    settings = gateway_settings(
        sandbox.base_url, budget={"calls_per_window": 4, "caller_share": 1.0}
    )
    async with running_gateway(sandbox, settings) as gateway:
        for _ in range(3):
            status, body = await gateway.gql('{ report(id: "R") { id entries { id } } }')
            assert status == 200
            assert codes([body]) == ["UNAUTHENTICATED"]
        token = await gateway.token(TRAVELER)
        body = await read(gateway, token, pick_report(sandbox, "A_NOTF"))
        assert "errors" not in body, body
