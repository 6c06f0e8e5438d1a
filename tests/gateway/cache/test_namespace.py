"""Shared cache keys live under the upstream they came from.

A restarted embedded sandbox is re-seeded with the same ids but none of the previous
instance's changes, so nothing learnt from the old one (reads, generations, idempotency
outcomes) may be served for the new one, even on the same Redis and prefix.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from adapters.config import UpstreamSettings
from gateway.app import create_app
from gateway.cache.settings import CacheSettings
from gateway.cli import demo_tokens
from gateway.embedded import SANDBOX
from gateway.settings import Settings
from sandbox import seed
from sandbox.embedded import RunningSandbox
from tests.gateway.harness import MANAGER, TRAVELER, action_calls

READ = """
query($id: ID!) { report(id: $id) { id name approvalStatus { code } } }
"""
APPROVE = """
mutation($i: ApproveReportInput!) {
  approveReport(input: $i) { report { id approvalStatus { code } } userErrors { code } }
}
"""


@dataclass
class EmbeddedGateway:
    """A gateway serving its own embedded sandbox, called over HTTP by the demo users: the
    traveler reads their report, the manager approves it."""

    url: str
    session: aiohttp.ClientSession
    sandbox: RunningSandbox
    tokens: dict[str, str]

    async def gql(self, query: str, variables: dict[str, Any], login: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[login]}"}
        payload = {"query": query, "variables": variables}
        async with self.session.post(self.url, json=payload, headers=headers) as response:
            body: dict[str, Any] = await response.json()
        assert response.status == 200, body
        assert "errors" not in body, body
        return body

    async def status_of(self, report_id: str) -> str:
        body = await self.gql(READ, {"id": report_id}, TRAVELER)
        code: str = body["data"]["report"]["approvalStatus"]["code"]
        return code

    async def approve(self, report_id: str, key: str) -> dict[str, Any]:
        fields = {"reportId": report_id, "expectedStatus": "A_PEND", "idempotencyKey": key}
        body = await self.gql(APPROVE, {"i": fields}, MANAGER)
        payload: dict[str, Any] = body["data"]["approveReport"]
        return payload

    async def sandbox_calls(self) -> dict[str, int]:
        headers = {"Authorization": f"Bearer {self.sandbox.admin_token}"}
        url = f"{self.sandbox.base_url}/_sandbox/stats"
        async with self.session.get(url, headers=headers) as response:
            body = await response.json()
        return dict(body["requests"])


def embedded_settings(redis_url: str, prefix: str) -> Settings:
    """No upstream (so the gateway embeds a sandbox), every cache on, on a shared Redis."""
    return Settings(
        upstream=UpstreamSettings(base_url=""),
        cache=CacheSettings(prefix=prefix),
        redis_url=SecretStr(redis_url),
    )


@asynccontextmanager
async def embedded_gateway(settings: Settings) -> AsyncIterator[EmbeddedGateway]:
    app = create_app(settings)
    async with (
        TestServer(app) as server,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        running = app[SANDBOX]
        tokens = await demo_tokens(running.base_url, running.admin_token or "")
        yield EmbeddedGateway(str(server.make_url("/graphql")), session, running, tokens)


def pending_report(running: RunningSandbox) -> str:
    """A seeded report waiting for the demo manager (the same id in every instance)."""
    for report in running.store.reports.values():
        if (
            report.workflow.approval_status == "A_PEND"
            and report.owner_id == seed.TRAVELER_ID
            and not report.cost_objects
        ):
            return report.report_id
    raise LookupError("no seeded report waits for approval")


async def test_a_restarted_sandbox_is_never_answered_from_the_previous_ones_cache(
    redis_url: str, redis_prefix: str
) -> None:
    settings = embedded_settings(redis_url, redis_prefix)
    async with embedded_gateway(settings) as first:
        report_id = pending_report(first.sandbox)
        assert await first.status_of(report_id) == "A_PEND"
        approved = await first.approve(report_id, "same-key")
        assert approved["userErrors"] == []
        moved_to = approved["report"]["approvalStatus"]["code"]
        assert moved_to != "A_PEND"
        assert await first.status_of(report_id) == moved_to  # now cached as approved
        first_instance = first.sandbox.instance

    async with embedded_gateway(settings) as second:
        assert second.sandbox.instance != first_instance
        assert pending_report(second.sandbox) == report_id
        assert action_calls(await second.sandbox_calls()) == {}
        assert await second.status_of(report_id) == "A_PEND"  # the fresh sandbox's state

        again = await second.approve(report_id, "same-key")  # reaches the new sandbox
        assert again["userErrors"] == []
        assert again["report"]["approvalStatus"]["code"] == moved_to
        assert sum(action_calls(await second.sandbox_calls()).values()) == 1
        assert second.sandbox.store.reports[report_id].workflow.approval_status == moved_to
