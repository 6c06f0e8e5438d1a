"""The client's resilience against the real sandbox's fault injection: a breaker per
endpoint, the retry budget, exactly the attempts we count, and what an action's failed or
unreadable answer means. Only v4 routes and OAuth are used; the last tests need answers
no fault produces (well-formed but useless) and use the scriptable peer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.breaker import BreakerState
from adapters.client import Credentials
from adapters.concur import HttpConcurClient, open_concur_client
from adapters.config import CompanyAuthSettings, UpstreamSettings
from adapters.errors import (
    ActionOutcomeUnknown,
    CircuitOpen,
    NotFound,
    UpstreamBadResponse,
    UpstreamUnavailable,
    WorkflowActionFailed,
    WorkflowStepMismatch,
)
from adapters.models import NewEntry, NewReport, Protocol, ReportContext, TokenKind
from adapters.v4.reports import REPORT_ROUTE
from tests.adapters.peer import Peer, reply

MANAGER = "manager@example.com"
V4_REPORT = r"^/expensereports/v4/users/[^/]+/context/[A-Z]+/reports/[^/]+$"
V4_APPROVE = r"^/expensereports/v4/users/[^/]+/context/MANAGER/reports/[^/]+/approve$"
REPORT_CALLS = "GET /expensereports/v4/users/{userId}/context/{contextType}/reports/{reportId}"


class Clock:
    """A clock the breakers read, moved by the test instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def concur(
    sandbox: Any, demo: Any, clock: Callable[[], float] | None = None, **upstream: Any
) -> AsyncIterator[HttpConcurClient]:
    settings = UpstreamSettings(
        base_url=sandbox.base_url, backoff_initial_s=0.001, backoff_max_s=0.005, **upstream
    )
    company = CompanyAuthSettings(
        client_id=demo.client_id,
        client_secret=SecretStr(demo.client_secret),
        company_id=demo.company_id,
        company_auth_token=SecretStr(demo.company_auth_token),
    )
    async with open_concur_client(settings, company, clock=clock) as client:
        yield client


async def manager_and_report(sandbox: Any, client: HttpConcurClient) -> tuple[Credentials, str]:
    manager = await client.verify_token(await sandbox.user_token(MANAGER))
    rows = await client.reports_to_approve(manager)
    assert rows
    return manager, rows[0].id


async def fault(sandbox: Any, **spec: Any) -> None:
    status, body = await sandbox.admin("POST", "/_sandbox/faults", json=spec)
    assert status == 201, body


async def report_calls(sandbox: Any) -> int:
    count = (await sandbox.stats())["requests"].get(REPORT_CALLS, 0)
    assert isinstance(count, int)
    return count


# -- a breaker per endpoint ------------------------------------------------------------


async def test_a_failing_route_opens_its_own_breaker_and_recovers_at_once(
    sandbox: Any, demo: Any
) -> None:
    clock = Clock()
    async with concur(
        sandbox, demo, clock, read_retries=0, breaker_failure_threshold=2, breaker_reset_s=30
    ) as client:
        manager, report_id = await manager_and_report(sandbox, client)
        await fault(sandbox, method="GET", path=V4_REPORT, kind="status", status=500)
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await client.get_report(manager, report_id, ReportContext.MANAGER)
            assert await client.reports_to_approve(manager)  # other routes keep answering
        await sandbox.reset_stats()
        with pytest.raises(CircuitOpen):
            await client.get_report(manager, report_id, ReportContext.MANAGER)
        assert await report_calls(sandbox) == 0  # failed fast: nothing sent
        assert await client.cost_objects(manager, report_id) is not None
        states = client.breaker_states()
        assert states[f"GET {sandbox.base_url}{REPORT_ROUTE}"] is BreakerState.OPEN
        assert {s for name, s in states.items() if REPORT_ROUTE not in name} == {
            BreakerState.CLOSED
        }

        await sandbox.admin("DELETE", "/_sandbox/faults")
        clock.now += 30
        report = await client.get_report(manager, report_id, ReportContext.MANAGER)
        assert report.id == report_id  # the first call after recovery succeeds
        assert client.breaker_states()[f"GET {sandbox.base_url}{REPORT_ROUTE}"] is (
            BreakerState.CLOSED
        )


async def test_a_callers_4xx_opens_no_breaker(sandbox: Any, demo: Any) -> None:
    async with concur(sandbox, demo, breaker_failure_threshold=1) as client:
        manager, report_id = await manager_and_report(sandbox, client)
        for _ in range(3):
            with pytest.raises(NotFound):
                await client.get_report(manager, "0000000000000000DEAD", ReportContext.MANAGER)
        report = await client.get_report(manager, report_id, ReportContext.MANAGER)
        assert report.id == report_id
        assert set(client.breaker_states().values()) == {BreakerState.CLOSED}


# -- attempts: exactly the ones we count, within the budget ----------------------------


async def test_a_dropped_connection_costs_exactly_one_plus_the_retries(
    sandbox: Any, demo: Any
) -> None:
    async with concur(sandbox, demo, read_retries=2) as client:
        manager, report_id = await manager_and_report(sandbox, client)
        await client.get_report(manager, report_id, ReportContext.MANAGER)  # a warm connection
        await fault(sandbox, method="GET", path=V4_REPORT, kind="drop")
        await sandbox.reset_stats()
        with pytest.raises(UpstreamUnavailable):
            await client.get_report(manager, report_id, ReportContext.MANAGER)
        assert await report_calls(sandbox) == 1 + 2
        await sandbox.admin("DELETE", "/_sandbox/faults")


async def test_retries_under_a_persistent_503_are_bounded_by_the_budget(
    sandbox: Any, demo: Any
) -> None:
    async with concur(
        sandbox, demo, read_retries=3, retry_budget_tokens=4, breaker_failure_threshold=1000
    ) as client:
        manager, report_id = await manager_and_report(sandbox, client)
        await fault(sandbox, method="GET", path=V4_REPORT, kind="status", status=503)
        await sandbox.reset_stats()
        reads = 6
        for _ in range(reads):
            with pytest.raises(UpstreamUnavailable):
                await client.get_report(manager, report_id, ReportContext.MANAGER)
        assert await report_calls(sandbox) == reads + 4  # not reads * (1 + 3)
        await sandbox.admin("DELETE", "/_sandbox/faults")


# -- actions: only a definite refusal is a refusal -------------------------------------


@pytest.mark.parametrize("after_apply", [False, True])
@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "status", "status": 500},
        {"kind": "status", "status": 502},
        {"kind": "status", "status": 503},
        {"kind": "status", "status": 504},
        {"kind": "truncate"},
        {"kind": "malformed_json"},
        {"kind": "nested_json"},
        {"kind": "drop"},
    ],
    ids=lambda spec: str(spec.get("status", spec["kind"])),
)
async def test_an_action_without_a_readable_answer_has_an_unknown_outcome(
    sandbox: Any, demo: Any, spec: dict[str, Any], after_apply: bool
) -> None:
    async with concur(sandbox, demo) as client:
        manager, report_id = await manager_and_report(sandbox, client)
        await fault(
            sandbox, method="PATCH", path=V4_APPROVE, times=1, after_apply=after_apply, **spec
        )
        await sandbox.reset_stats()
        with pytest.raises(ActionOutcomeUnknown) as caught:
            await client.approve(manager, report_id, protocol=Protocol.V4)
        assert caught.value.code == "ACTION_OUTCOME_UNKNOWN"
        assert (await sandbox.stats())["total"] == 1  # sent once, never again


async def test_a_readable_refusal_of_an_action_stays_a_refusal(sandbox: Any, demo: Any) -> None:
    async with concur(sandbox, demo) as client:
        manager, report_id = await manager_and_report(sandbox, client)
        await fault(sandbox, method="PATCH", path=V4_APPROVE, kind="status", status=409, times=1)
        with pytest.raises((WorkflowActionFailed, WorkflowStepMismatch)):
            await client.approve(manager, report_id, protocol=Protocol.V4)


# -- reads: hostile answers are typed ---------------------------------------------------


@pytest.mark.parametrize("kind", ["nested_json", "malformed_json", "truncate"])
async def test_an_unreadable_read_is_a_bad_response(sandbox: Any, demo: Any, kind: str) -> None:
    async with concur(sandbox, demo, read_retries=0) as client:
        manager, report_id = await manager_and_report(sandbox, client)
        await fault(sandbox, method="GET", path=V4_REPORT, kind=kind, times=1)
        with pytest.raises(UpstreamBadResponse):
            await client.get_report(manager, report_id, ReportContext.MANAGER)
        report = await client.get_report(manager, report_id, ReportContext.MANAGER)
        assert report.id == report_id


# -- writes whose answer is well-formed but says nothing usable ------------------------


@asynccontextmanager
async def concur_at(peer: Peer) -> AsyncIterator[HttpConcurClient]:
    settings = UpstreamSettings(base_url=peer.base_url)
    async with open_concur_client(settings, CompanyAuthSettings()) as client:
        yield client


async def test_a_created_report_without_its_id_has_an_unknown_outcome(peer: Peer) -> None:
    """Concur answered 201 (the report exists) but the answer does not name it."""
    peer.script("POST", "/expensereports/v4/users/u-1/context/TRAVELER/reports", reply(201, b"{}"))
    creds = Credentials(token="t", user_id="u-1", kind=TokenKind.USER)
    async with concur_at(peer) as client:
        with pytest.raises(ActionOutcomeUnknown):
            await client.create_report(creds, NewReport(name="Trip"), ReportContext.TRAVELER)


async def test_entries_posted_without_a_readable_status_list_have_an_unknown_outcome(
    peer: Peer,
) -> None:
    answer = b'<?xml version="1.0"?><Unexpected xmlns="urn:x"/>'
    peer.script(
        "POST",
        "/api/expense/expensereport/v1.1/report/K1/entry",
        reply(200, answer, content_type="application/xml"),
    )
    creds = Credentials(token="t", user_id="u-1", kind=TokenKind.USER)
    entry = NewEntry(
        currency_code="USD",
        expense_type_key="BUSML",
        transaction_date=date(2026, 1, 5),
        transaction_amount=Decimal("12.50"),
    )
    async with concur_at(peer) as client:
        with pytest.raises(ActionOutcomeUnknown):
            await client.add_entries(creds, "K1", [entry])
