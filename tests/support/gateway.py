"""A gateway app on a real ``TestServer``, pointed at the test's sandbox over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from adapters.config import CompanyAuthSettings, UpstreamSettings
from gateway.app import create_app
from gateway.settings import LimitSettings, ServerSettings, Settings
from sandbox import seed
from tests.support.sandbox import SandboxHarness


class GatewayHarness:
    """The running gateway: ``await gw.gql(query, variables, token=...)`` -> (status, body)."""

    def __init__(
        self, *, server: TestServer, session: aiohttp.ClientSession, sandbox: SandboxHarness
    ) -> None:
        self.server = server
        self.session = session
        self.sandbox = sandbox
        self.url = str(server.make_url("/graphql"))

    async def post(
        self, payload: object, *, token: str | None = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        async with self.session.post(self.url, json=payload, headers=sent) as response:
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, await response.text()

    async def gql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = dict(variables)
        return await self.post(payload, token=token, headers=headers)

    async def token(self, login: str) -> str:
        """A user token the gateway has already verified once (its signing keys are cached),
        with the sandbox's counters reset: later counts are the calls a query caused."""
        token = await self.sandbox.user_token(login)
        status, body = await self.gql("{ me { id } }", token=token)
        assert status == 200, body
        await self.sandbox.reset_stats()
        return token

    async def upstream_calls(self) -> dict[str, int]:
        """The sandbox's request counts per route since the last reset."""
        stats = await self.sandbox.stats()
        return dict(stats["requests"])


def gateway_settings(base_url: str, **groups: Any) -> Settings:
    """Settings for tests: fast read retries, the demo company, everything else default."""
    upstream: dict[str, Any] = {
        "base_url": base_url,
        "backoff_initial_s": 0.01,
        "backoff_max_s": 0.05,
        **groups.pop("upstream", {}),
    }
    return Settings(
        upstream=UpstreamSettings(**upstream),
        company_auth=CompanyAuthSettings(
            client_id=seed.CLIENT_ID,
            client_secret=SecretStr(seed.CLIENT_SECRET),
            company_id=seed.COMPANY_ID,
            company_auth_token=SecretStr(seed.COMPANY_AUTH_TOKEN),
        ),
        server=ServerSettings(**groups.pop("server", {})),
        limits=LimitSettings(**groups.pop("limits", {})),
        **groups,
    )


@asynccontextmanager
async def running_gateway(
    sandbox: SandboxHarness, settings: Settings | None = None
) -> AsyncIterator[GatewayHarness]:
    app = create_app(settings or gateway_settings(sandbox.base_url))
    server = TestServer(app)
    async with (
        server,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        yield GatewayHarness(server=server, session=session, sandbox=sandbox)


TRAVELER = "traveler@example.com"
TRAVELER2 = "traveler2@example.com"
MANAGER = "manager@example.com"
COAPPROVER = "coapprover@example.com"
PROCESSOR = "processor@example.com"

ACTION_MARKERS = ("/approve", "/sendback", "/workflowaction", "/{_action}", "/recall", "/submit")
XML_ACTION_MARKERS = ("/workflowaction", "/{_action}")


def pick_report(
    sandbox: SandboxHarness,
    status: str,
    *,
    owner: str = seed.TRAVELER_ID,
    step_code: str | None = None,
    with_cost_objects: bool | None = None,
) -> str:
    """The id of a seeded report in ``status`` (read from the sandbox's own state)."""
    for report in sandbox.store.reports.values():
        wf = report.workflow
        if wf.approval_status != status or report.owner_id != owner:
            continue
        if step_code is not None and wf.step_code != step_code:
            continue
        if with_cost_objects is not None and bool(report.cost_objects) != with_cost_objects:
            continue
        return report.report_id
    raise LookupError(f"no seeded report in {status} for {owner}")


def action_calls(counts: Mapping[str, int]) -> dict[str, int]:
    """Upstream workflow-action calls among ``counts`` (approve, send back, recall, submit)."""
    return {
        route: n
        for route, n in counts.items()
        if any(marker in route.lower() for marker in ACTION_MARKERS)
    }


def is_xml_action(route: str) -> bool:
    return any(marker in route.lower() for marker in XML_ACTION_MARKERS)


def errors_of(body: Mapping[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]
