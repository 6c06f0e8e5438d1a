"""The demo: with no upstream, the gateway subscribes its webhook to the embedded sandbox and
trusts that sandbox's published key, so report events arrive live."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from gateway.app import create_app
from gateway.embedded import SANDBOX
from gateway.events.embedded import subscribe_embedded
from gateway.events.keys import ESS_KEYS, ESS_STATS, FACTS_STORE
from gateway.events.services import SANDBOX_KEY_PATH
from gateway.events.stats import Outcome
from gateway.settings import SandboxSettings, Settings, UpstreamSettings
from sandbox.workflow_terms import Actor
from tests.support.events import WAIT_S, graphql_ws, wait_for_subscribers
from tests.support.gateway import GatewayHarness
from tests.support.sandbox import DEMO

ADMIN = "embedded-admin"
EVENTS = "subscription { reportEvents { eventType reportId stepCode } }"


@pytest.fixture
async def embedded() -> AsyncIterator[GatewayHarness]:
    settings = Settings(sandbox=SandboxSettings(admin_token=SecretStr(ADMIN)))
    app = create_app(settings)
    async with (
        TestServer(app) as server,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT_S * 3)) as session,
    ):
        yield GatewayHarness(server=server, session=session, sandbox=None)  # type: ignore[arg-type]


async def test_the_gateway_subscribes_itself_and_events_arrive(
    embedded: GatewayHarness,
) -> None:
    app = embedded.server.app
    running = app[SANDBOX]
    assert app[ESS_KEYS].sources == (running.base_url + SANDBOX_KEY_PATH,)
    assert app[ESS_KEYS].loaded

    endpoint = await subscribe_embedded(app, str(embedded.server.make_url("/")))
    assert endpoint == str(embedded.server.make_url("/events/ess"))

    report = next(r for r in running.store.reports.values() if r.name == "London Partner Summit")
    async with embedded.session.post(
        f"{running.base_url}/oauth2/v0/token",
        data={
            "grant_type": "password",
            "username": "traveler@example.com",
            "password": DEMO.password,
            "client_id": DEMO.client_id,
            "client_secret": DEMO.client_secret,
        },
    ) as response:
        token = (await response.json())["access_token"]
    async with graphql_ws(embedded, token) as ws:
        await ws.subscribe("live", EVENTS)
        await wait_for_subscribers(embedded, 1)
        running.engine.approve(report, Actor(DEMO.manager, "user"))
        async with embedded.session.post(
            f"{running.base_url}/_sandbox/ess/drain",
            json={"timeout_ms": int(WAIT_S * 1000)},
            headers={"Authorization": f"Bearer {ADMIN}"},
        ) as response:
            assert (await response.json())["drained"]
        event = await ws.next_event("live")
    assert event == {
        "eventType": "STATUS_CHANGED",
        "reportId": report.report_id,
        "stepCode": "ACCTCLERK",
    }
    assert app[ESS_STATS].count(Outcome.APPLIED) == 1
    facts = await app[FACTS_STORE].facts(report.report_id)
    assert facts is not None
    assert facts.step_code == "ACCTCLERK"


async def test_with_a_real_upstream_nothing_is_trusted_on_first_use(
    embedded: GatewayHarness,
) -> None:
    running = embedded.server.app[SANDBOX]
    settings = Settings(upstream=UpstreamSettings(base_url=running.base_url))
    app = create_app(settings)
    async with TestServer(app) as server:
        assert not app[ESS_KEYS].sources
        assert not app[ESS_KEYS].loaded
        assert await subscribe_embedded(app, str(server.make_url("/"))) is None
        async with embedded.session.post(
            server.make_url("/events/ess"), data=b"{}", headers={"Concur-Signature": "AAAA"}
        ) as response:
            assert response.status == 401
