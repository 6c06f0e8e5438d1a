"""Every ``HttpConcurClient`` method against the real sandbox over HTTP, faults included.

The sandbox implements the same wire independently; these tests read and act only through
the client (plus the sandbox's admin routes for fault injection and call counting).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.client import Credentials
from adapters.concur import HttpConcurClient, open_concur_client
from adapters.config import CompanyAuthSettings, UpstreamSettings
from adapters.correlation import CORRELATION_ID
from adapters.errors import (
    ActionOutcomeUnknown,
    BadUserInput,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthenticated,
    UnsupportedWorkflowStep,
    UpstreamBadResponse,
    UpstreamTimeout,
    WorkflowActionFailed,
    WorkflowStepMismatch,
)
from adapters.http import UpstreamCallEvent
from adapters.models import (
    NewEntry,
    NewReport,
    Protocol,
    ReportContext,
    ReportDetails,
    ReportView,
    TokenKind,
)
from adapters.v11.keys import LOOKUP_VIEWS

TRAVELER = "traveler@example.com"
MANAGER = "manager@example.com"
PROCESSOR = "processor@example.com"
V4_REPORT = r"^/expensereports/v4/users/[^/]+/context/[A-Z]+/reports/[^/]+$"
V4_APPROVE = r"^/expensereports/v4/users/[^/]+/context/MANAGER/reports/[^/]+/approve$"
V20_DETAILS = r"^/api/expense/expensereport/v2\.0/report/[^/]+$"
FULL_DETAILS = r"^/api/expense/expensereport/v1\.1/reportfulldetails/[^/]+$"


@pytest.fixture
async def client(sandbox: Any, demo: Any) -> AsyncIterator[HttpConcurClient]:
    upstream = UpstreamSettings(
        base_url=sandbox.base_url, backoff_initial_s=0.01, backoff_max_s=0.05
    )
    company = CompanyAuthSettings(
        client_id=demo.client_id,
        client_secret=SecretStr(demo.client_secret),
        company_id=demo.company_id,
        company_auth_token=SecretStr(demo.company_auth_token),
    )
    async with open_concur_client(upstream, company) as concur:
        yield concur


async def login(sandbox: Any, client: HttpConcurClient, who: str) -> Credentials:
    return await client.verify_token(await sandbox.user_token(who))


async def company(client: HttpConcurClient) -> Credentials:
    return await client.verify_token(await client.company_token())


async def fault(sandbox: Any, **spec: Any) -> None:
    status, body = await sandbox.admin("POST", "/_sandbox/faults", json=spec)
    assert status == 201, body


async def calls(sandbox: Any) -> int:
    total = (await sandbox.stats())["total"]
    assert isinstance(total, int)
    return total


async def calls_to(sandbox: Any) -> dict[str, int]:
    """Calls per kind of XML read since the last reset: ``list``, ``full`` (v1.1 full
    details), ``v20`` (v2.0 details)."""
    counts: dict[str, int] = (await sandbox.stats())["requests"]
    kinds = {"list": "/v1.1/{_list}/", "full": "/v1.1/{_details}/", "v20": "/v2.0/report/"}
    return {
        kind: sum(n for route, n in counts.items() if fragment in route)
        for kind, fragment in kinds.items()
    }


async def pending_approvals(client: HttpConcurClient, manager: Credentials) -> list[ReportDetails]:
    """Reports waiting on the manager at a plain approval step (A_PEND)."""
    details = [
        await client.get_report_details(manager, row.id)
        for row in await client.reports_to_approve(manager)
    ]
    return [d for d in details if d.approval_status.code == "A_PEND"]


async def owner_status(sandbox: Any, client: HttpConcurClient, report_id: str) -> str:
    """The approval status code as the report's owner (one of the two travelers) sees it."""
    for who in (TRAVELER, "traveler2@example.com"):
        owner = await login(sandbox, client, who)
        try:
            report = await client.get_report(owner, report_id, ReportContext.TRAVELER)
        except (Forbidden, NotFound):
            continue
        return report.approval_status.code
    raise AssertionError("no traveler owns the report")


# -- tokens ----------------------------------------------------------------------------


async def test_verify_token_for_each_kind(sandbox: Any, client: HttpConcurClient) -> None:
    user = await login(sandbox, client, TRAVELER)
    assert user.kind is TokenKind.USER
    assert len(user.user_id) == 36
    assert (await company(client)).kind is TokenKind.COMPANY
    app = await client.verify_token(await client.app_token())
    assert app.kind is TokenKind.APP
    with pytest.raises(Unauthenticated):
        await client.verify_token(user.token[:-4] + "AAAA")
    with pytest.raises(Unauthenticated):
        await client.verify_token("garbage")


async def test_company_and_app_tokens_are_cached(sandbox: Any, client: HttpConcurClient) -> None:
    first = await client.company_token()
    app = await client.app_token()
    await sandbox.reset_stats()
    assert await client.company_token() == first
    assert await client.app_token() == app
    assert await calls(sandbox) == 0


# -- reads -----------------------------------------------------------------------------


async def test_report_reads_agree_across_protocols(sandbox: Any, client: HttpConcurClient) -> None:
    traveler = await login(sandbox, client, TRAVELER)
    rows = await client.list_reports(traveler, ReportView.RECENT)
    assert rows
    row = next(r for r in rows if r.total is not None and r.total.value > 0)
    report = await client.get_report(traveler, row.id, ReportContext.TRAVELER)
    assert report.id == row.id
    assert report.name == row.name
    assert report.total == row.total
    assert report.owner_id == traveler.user_id
    details = await client.get_report_details(traveler, row.id)
    assert details.report_id == row.id
    assert details.report_key == row.report_key
    assert details.approval_status == report.approval_status
    assert details.entries
    total = sum((e.posted_amount.value for e in details.entries if e.posted_amount), Decimal(0))
    assert total == report.total.value  # type: ignore[union-attr]

    for summary_entry in details.entries:
        entry = await client.get_entry(
            traveler,
            details.report_key,
            summary_entry.id,
            report_id=details.report_id,
            currency_code=report.currency_code,
        )
        assert entry.id == summary_entry.id
        assert entry.report_id == row.id
        assert entry.expense_type.key == summary_entry.expense_type.key
        assert entry.transaction_date == summary_entry.transaction_date
        assert entry.transaction_amount == summary_entry.transaction_amount
        assert entry.posted_amount == summary_entry.posted_amount
        assert entry.approved_amount == summary_entry.approved_amount
        assert entry.custom_fields == summary_entry.custom_fields
        assert entry.org_units == summary_entry.org_units
        assert entry.allocation is summary_entry.allocation


@pytest.mark.parametrize("view", list(ReportView))
async def test_every_view_lists(sandbox: Any, client: HttpConcurClient, view: ReportView) -> None:
    traveler = await login(sandbox, client, TRAVELER)
    for row in await client.list_reports(traveler, view):
        assert row.report_key


async def test_manager_reads(sandbox: Any, client: HttpConcurClient) -> None:
    manager = await login(sandbox, client, MANAGER)
    to_approve = await client.reports_to_approve(manager)
    assert to_approve
    listed = {row.id for row in await client.list_reports(manager, ReportView.TOAPPROVE)}
    assert {row.id for row in to_approve} <= listed
    found_cost_objects = False
    for row in to_approve:
        details = await client.get_report_details(manager, row.id)
        assert details.workflow_action_url  # the manager can act on each of these
        report = await client.get_report(manager, row.id, ReportContext.MANAGER)
        assert report.id == row.id
        cost_objects = await client.cost_objects(manager, row.id)
        if cost_objects:
            found_cost_objects = True
            assert any(c.is_approvable_as_user for c in cost_objects)
            for cost_object in cost_objects:
                assert cost_object.claimed_amount.currency_code == "USD"
    assert found_cost_objects


async def test_a_plain_approver_reads_details_by_the_key_concur_listed(
    sandbox: Any, client: HttpConcurClient
) -> None:
    """The manager is no administrator: the key comes from TOAPPROVE (listed once, then
    remembered) and the details from v1.1 full details, never v2.0."""
    manager = await login(sandbox, client, MANAGER)
    first, second, *_ = await client.reports_to_approve(manager)
    await sandbox.reset_stats()
    details = await client.get_report_details(manager, first.id)
    assert details.report_id == first.id
    assert details.report_key  # the encrypted key, usable on v1.1 routes
    assert details.report_key != first.id
    assert details.workflow_action_url
    assert await calls_to(sandbox) == {"list": 1, "full": 1, "v20": 0}
    await sandbox.reset_stats()
    again = await client.get_report_details(manager, second.id)  # the same list named it
    assert again.report_id == second.id
    assert await calls_to(sandbox) == {"list": 0, "full": 1, "v20": 0}
    entry = details.entries[0]
    by_key = await client.get_entry(manager, details.report_key, entry.id, report_id=first.id)
    assert by_key.id == entry.id
    assert by_key.report_id == first.id


async def test_a_report_in_no_list_costs_its_list_calls_once(
    sandbox: Any, client: HttpConcurClient
) -> None:
    """Concurrent reads of a report the caller's lists do not name share one call per view;
    the miss is remembered, so the next read goes straight to v2.0."""
    traveler = await login(sandbox, client, TRAVELER)
    await sandbox.reset_stats()
    unknown = "00000000000000000000"
    outcomes = await asyncio.gather(
        *(client.get_report_details(traveler, unknown) for _ in range(4)),
        return_exceptions=True,
    )
    assert all(isinstance(o, Forbidden | NotFound) for o in outcomes)
    first = await calls_to(sandbox)
    assert first["list"] == len(LOOKUP_VIEWS)
    assert first["full"] == 0
    await sandbox.reset_stats()
    with pytest.raises((Forbidden, NotFound)):
        await client.get_report_details(traveler, unknown)
    assert await calls_to(sandbox) == {"list": 0, "full": 0, "v20": 1}


@pytest.mark.parametrize("who", ["admin@example.com", "companyadmin@example.com"])
async def test_an_administrator_reads_v20_details_without_a_v11_key(
    sandbox: Any, client: HttpConcurClient, who: str
) -> None:
    """Nobody listed the report to the administrator: v2.0 by plain id serves it, and even
    the Web Services Administrator's unencrypted ``ReportKey`` is not taken for a v1.1 key."""
    admin = await login(sandbox, client, who)
    traveler = await login(sandbox, client, TRAVELER)
    row = (await client.list_reports(traveler, ReportView.PENDING))[0]
    await sandbox.reset_stats()
    details = await client.get_report_details(admin, row.id)
    assert details.report_id == row.id
    assert details.report_key is None
    assert details.entries
    assert (await calls_to(sandbox))["v20"] == 1
    assert (await calls_to(sandbox))["full"] == 0


async def test_keys_are_per_caller(sandbox: Any, client: HttpConcurClient) -> None:
    """A key listed to the owner is not offered to someone else."""
    traveler = await login(sandbox, client, TRAVELER)
    stranger = await login(sandbox, client, "traveler2@example.com")
    row = (await client.list_reports(traveler, ReportView.UNSUBMITTED))[0]
    await sandbox.reset_stats()
    with pytest.raises((Forbidden, NotFound)):
        await client.get_report_details(stranger, row.id)
    assert (await calls_to(sandbox))["full"] == 0


async def test_read_errors(sandbox: Any, client: HttpConcurClient) -> None:
    traveler = await login(sandbox, client, TRAVELER)
    stranger = await login(sandbox, client, "traveler2@example.com")
    with pytest.raises(NotFound):
        await client.get_report(traveler, "00000000000000000000", ReportContext.TRAVELER)
    with pytest.raises((Forbidden, NotFound)):  # not listed: v2.0, refused to a traveler
        await client.get_report_details(traveler, "00000000000000000000")
    row = (await client.list_reports(traveler, ReportView.UNSUBMITTED))[0]
    with pytest.raises((Forbidden, NotFound)):
        await client.get_report_details(stranger, row.id)
    with pytest.raises((Forbidden, NotFound)):
        await client.get_report(stranger, row.id, ReportContext.TRAVELER)
    expired = Credentials(token="not-a-token", user_id=traveler.user_id, kind=TokenKind.USER)
    with pytest.raises(Unauthenticated):
        await client.list_reports(expired, ReportView.ACTIVE)
    with pytest.raises(Unauthenticated):
        await client.get_report(expired, row.id, ReportContext.TRAVELER)
    with pytest.raises(BadUserInput):
        await client.get_report(traveler, "../../oauth2", ReportContext.TRAVELER)


# -- workflow actions ------------------------------------------------------------------


async def test_approve_and_send_back_over_v4(sandbox: Any, client: HttpConcurClient) -> None:
    manager = await login(sandbox, client, MANAGER)
    first, second, *_ = await pending_approvals(client, manager)
    await client.approve(manager, first.report_id, protocol=Protocol.V4, comment="Looks good")
    after = await client.get_report_details(manager, first.report_id)
    assert after.approval_status.code != "A_PEND"
    with pytest.raises((Forbidden, WorkflowActionFailed, Conflict, UnsupportedWorkflowStep)):
        await client.approve(manager, first.report_id, protocol=Protocol.V4)

    await client.send_back(manager, second.report_id, protocol=Protocol.V4, comment="Receipts?")
    assert await owner_status(sandbox, client, second.report_id) == "A_RESU"


async def test_expected_step_mismatch(sandbox: Any, client: HttpConcurClient) -> None:
    manager = await login(sandbox, client, MANAGER)
    target = (await pending_approvals(client, manager))[0]
    with pytest.raises(WorkflowStepMismatch):
        await client.approve(
            manager, target.report_id, protocol=Protocol.V4, expected_step_sequence="999"
        )
    still = await client.get_report_details(manager, target.report_id)
    assert still.approval_status.code == "A_PEND"


async def test_approve_and_send_back_over_xml(sandbox: Any, client: HttpConcurClient) -> None:
    manager = await login(sandbox, client, MANAGER)
    first, second, *_ = await pending_approvals(client, manager)
    await client.approve(
        manager,
        first.report_id,
        protocol=Protocol.XML,
        comment="Approved via the gateway",
        workflow_action_url=first.workflow_action_url,
    )
    assert (
        await client.get_report_details(manager, first.report_id)
    ).approval_status.code != "A_PEND"
    with pytest.raises(WorkflowActionFailed, match="recently been changed"):
        await client.approve(
            manager,
            first.report_id,
            protocol=Protocol.XML,
            workflow_action_url=first.workflow_action_url,
        )
    await client.send_back(
        manager,
        second.report_id,
        protocol=Protocol.XML,
        comment="Please add the hotel folio",
        workflow_action_url=second.workflow_action_url,
    )
    assert await owner_status(sandbox, client, second.report_id) == "A_RESU"


async def test_company_token_acts_at_a_system_step_with_the_short_url(
    sandbox: Any, client: HttpConcurClient
) -> None:
    manager = await login(sandbox, client, MANAGER)
    target = (await pending_approvals(client, manager))[0]
    await client.approve(await company(client), target.report_id, protocol=Protocol.V4)
    after = await client.get_report_details(manager, target.report_id)
    assert after.approval_status.code != "A_PEND" or after.workflow_action_url is None


async def test_processor_step_is_unsupported(sandbox: Any, client: HttpConcurClient) -> None:
    processor = await login(sandbox, client, PROCESSOR)
    (row, *_) = await client.list_reports(processor, ReportView.TOAPPROVE)
    with pytest.raises((UnsupportedWorkflowStep, Forbidden)):
        await client.approve(processor, row.id, protocol=Protocol.V4)
    details = await client.get_report_details(processor, row.id)
    if details.workflow_action_url:
        with pytest.raises(UnsupportedWorkflowStep):
            await client.approve(
                processor,
                row.id,
                protocol=Protocol.XML,
                workflow_action_url=details.workflow_action_url,
            )


async def test_action_input_is_checked_before_sending(
    sandbox: Any, client: HttpConcurClient
) -> None:
    manager = await login(sandbox, client, MANAGER)
    target = (await pending_approvals(client, manager))[0]
    await sandbox.reset_stats()
    with pytest.raises(BadUserInput):
        await client.send_back(manager, target.report_id, protocol=Protocol.V4, comment="  ")
    with pytest.raises(BadUserInput):
        await client.approve(manager, target.report_id, protocol=Protocol.XML)
    with pytest.raises(UpstreamBadResponse, match="workflow action URL"):
        await client.approve(
            manager,
            target.report_id,
            protocol=Protocol.XML,
            workflow_action_url="https://evil.example.com/api/expense/expensereport/v1.1/report/k/workflowaction",
        )
    with pytest.raises(BadUserInput):
        await client.recall(manager, target.report_id, ReportContext.MANAGER)
    assert await calls(sandbox) == 0


async def test_submit_and_recall(sandbox: Any, client: HttpConcurClient) -> None:
    traveler = await login(sandbox, client, TRAVELER)
    unsubmitted = await client.list_reports(traveler, ReportView.UNSUBMITTED)
    target = next(r for r in unsubmitted if r.total is not None and r.total.value > 0)
    await client.submit(traveler, target.id)
    submitted = await client.get_report(traveler, target.id, ReportContext.TRAVELER)
    assert submitted.approval_status.code not in {"A_NOTF", "A_RESU"}
    assert submitted.submit_date is not None
    with pytest.raises(Conflict):
        await client.submit(traveler, target.id)
    assert submitted.can_recall
    await client.recall(traveler, target.id, ReportContext.TRAVELER)
    recalled = await client.get_report(traveler, target.id, ReportContext.TRAVELER)
    assert recalled.approval_status.code == "A_RESU"


# -- writes ----------------------------------------------------------------------------


async def test_create_update_and_add_entries(sandbox: Any, client: HttpConcurClient) -> None:
    traveler = await login(sandbox, client, TRAVELER)
    report_id = await client.create_report(
        traveler,
        NewReport(name="Gateway Offsite", business_purpose="Team planning"),
        ReportContext.TRAVELER,
    )
    created = await client.get_report(traveler, report_id, ReportContext.TRAVELER)
    assert created.name == "Gateway Offsite"
    assert created.approval_status.code == "A_NOTF"

    await client.update_report(
        traveler,
        report_id,
        {"business_purpose": "Quarterly planning", "start_date": date(2025, 6, 2)},
        ReportContext.TRAVELER,
    )
    updated = await client.get_report(traveler, report_id, ReportContext.TRAVELER)
    assert updated.business_purpose == "Quarterly planning"
    with pytest.raises(BadUserInput):
        await client.update_report(traveler, report_id, {"owner": "x"}, ReportContext.TRAVELER)

    details = await client.get_report_details(traveler, report_id)
    results = await client.add_entries(
        traveler,
        details.report_key,
        [
            NewEntry(
                currency_code="USD",
                expense_type_key="BUSML",
                transaction_date=date(2025, 6, 3),
                transaction_amount=Decimal("42.10"),
                description="Team lunch",
                vendor="Cafe",
            ),
            NewEntry(
                currency_code="USD",
                expense_type_key="PARKG",
                transaction_date=date(2025, 6, 3),
                transaction_amount=Decimal("12"),
                is_personal=True,
            ),
        ],
    )
    assert [(r.index, r.success) for r in results] == [(1, True), (2, True)]
    entry = await client.get_entry(traveler, details.report_key, results[0].entry_id or "")
    assert entry.transaction_amount is not None
    assert entry.transaction_amount.value == Decimal("42.10")
    assert entry.vendor == "Cafe"
    assert entry.business_purpose == "Team lunch"
    after = await client.get_report(traveler, report_id, ReportContext.TRAVELER)
    assert after.total is not None
    assert after.total.value == Decimal("54.10")


async def test_entries_to_a_submitted_report_fail_one_by_one(
    sandbox: Any, client: HttpConcurClient
) -> None:
    traveler = await login(sandbox, client, TRAVELER)
    pending = (await client.list_reports(traveler, ReportView.PENDING))[0]
    results = await client.add_entries(
        traveler,
        pending.report_key or "",
        [
            NewEntry(
                currency_code="USD",
                expense_type_key="BUSML",
                transaction_date=date(2025, 6, 3),
                transaction_amount=Decimal("1.00"),
            )
        ],
    )
    assert [(r.index, r.success) for r in results] == [(1, False)]
    assert results[0].message


async def test_create_report_only_as_owner_or_proxy(sandbox: Any, client: HttpConcurClient) -> None:
    traveler = await login(sandbox, client, TRAVELER)
    with pytest.raises(BadUserInput):
        await client.create_report(traveler, NewReport(name="x"), ReportContext.MANAGER)


# -- faults ----------------------------------------------------------------------------


async def test_read_is_retried_once_after_a_500(sandbox: Any, client: HttpConcurClient) -> None:
    traveler = await login(sandbox, client, TRAVELER)
    row = (await client.list_reports(traveler, ReportView.ACTIVE))[0]
    await fault(sandbox, method="GET", path=V4_REPORT, kind="status", status=500, times=1)
    await sandbox.reset_stats()
    report = await client.get_report(traveler, row.id, ReportContext.TRAVELER)
    assert report.id == row.id
    assert await calls(sandbox) == 2


async def test_action_is_not_retried_after_a_500(sandbox: Any, client: HttpConcurClient) -> None:
    manager = await login(sandbox, client, MANAGER)
    target = (await pending_approvals(client, manager))[0]
    await fault(sandbox, method="PATCH", path=V4_APPROVE, kind="status", status=500, times=1)
    await sandbox.reset_stats()
    with pytest.raises(ActionOutcomeUnknown):
        await client.approve(manager, target.report_id, protocol=Protocol.V4)
    assert await calls(sandbox) == 1


async def test_dropped_action_has_an_unknown_outcome(
    sandbox: Any, client: HttpConcurClient
) -> None:
    manager = await login(sandbox, client, MANAGER)
    target = (await pending_approvals(client, manager))[0]
    await fault(sandbox, method="PATCH", path=V4_APPROVE, kind="drop", times=1)
    await sandbox.reset_stats()
    with pytest.raises(ActionOutcomeUnknown) as caught:
        await client.approve(manager, target.report_id, protocol=Protocol.V4)
    assert caught.value.code == "ACTION_OUTCOME_UNKNOWN"
    assert await calls(sandbox) == 1


async def test_rate_limit_with_retry_after_is_honoured(
    sandbox: Any, client: HttpConcurClient
) -> None:
    traveler = await login(sandbox, client, TRAVELER)
    row = (await client.list_reports(traveler, ReportView.ACTIVE))[0]
    await fault(sandbox, method="GET", path=V4_REPORT, kind="rate_limit", retry_after=0, times=1)
    await sandbox.reset_stats()
    assert (await client.get_report(traveler, row.id, ReportContext.TRAVELER)).id == row.id
    assert await calls(sandbox) == 2


async def test_rate_limit_beyond_the_deadline_is_reported(
    sandbox: Any, client: HttpConcurClient
) -> None:
    traveler = await login(sandbox, client, TRAVELER)
    row = (await client.list_reports(traveler, ReportView.ACTIVE))[0]
    await fault(sandbox, method="GET", path=V4_REPORT, kind="rate_limit", retry_after=600, times=3)
    await sandbox.reset_stats()
    with pytest.raises(RateLimited) as caught:
        await client.get_report(traveler, row.id, ReportContext.TRAVELER)
    assert caught.value.retry_after == 600
    assert await calls(sandbox) == 1


@pytest.mark.parametrize("kind", ["malformed_xml", "xxe_xml", "bomb_xml"])
async def test_hostile_or_broken_xml_is_a_bad_response(
    sandbox: Any, client: HttpConcurClient, kind: str
) -> None:
    traveler = await login(sandbox, client, TRAVELER)
    row = (await client.list_reports(traveler, ReportView.ACTIVE))[0]
    await fault(sandbox, method="GET", path=FULL_DETAILS, kind=kind, times=1)
    with pytest.raises(UpstreamBadResponse) as caught:
        await client.get_report_details(traveler, row.id)
    assert "root:" not in caught.value.message
    # The fault is spent; the next read is whole again.
    assert (await client.get_report_details(traveler, row.id)).report_id == row.id


async def test_slow_upstream_times_out_within_the_deadline(sandbox: Any, demo: Any) -> None:
    upstream = UpstreamSettings(base_url=sandbox.base_url, deadline_s=0.3, read_retries=1)
    events: list[UpstreamCallEvent] = []
    async with open_concur_client(
        upstream, CompanyAuthSettings(), on_upstream_call=events.append
    ) as slow_client:
        traveler = await login(sandbox, slow_client, TRAVELER)
        row = (await slow_client.list_reports(traveler, ReportView.ACTIVE))[0]
        await fault(sandbox, method="GET", path=V4_REPORT, kind="latency", latency_ms=1000, times=5)
        with pytest.raises(UpstreamTimeout):
            await slow_client.get_report(traveler, row.id, ReportContext.TRAVELER)
    assert events
    assert {e.route for e in events} >= {
        "/oauth2/v0/jwks",
        "/expensereports/v4/users/{userId}/context/{contextType}/reports/{reportId}",
    }
    assert all("@" not in e.route for e in events)


async def test_correlation_id_travels_to_concur_and_back(
    sandbox: Any, client: HttpConcurClient
) -> None:
    traveler = await login(sandbox, client, TRAVELER)
    token = CORRELATION_ID.set("gateway-request-42")
    try:
        with pytest.raises(NotFound) as caught:
            await client.get_report(traveler, "00000000000000000000", ReportContext.TRAVELER)
    finally:
        CORRELATION_ID.reset(token)
    assert caught.value.correlation_id == "gateway-request-42"
