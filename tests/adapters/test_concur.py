"""``HttpConcurClient`` wire choices, checked on what a real HTTP peer receives."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from adapters.client import ConcurClient, Credentials
from adapters.concur import HttpConcurClient, UpstreamOrigins, open_concur_client
from adapters.config import CompanyAuthSettings, UpstreamSettings
from adapters.errors import BadUserInput, Conflict, UpstreamBadResponse
from adapters.http import UpstreamCallEvent
from adapters.models import NewEntry, NewReport, Protocol, ReportContext, TokenKind
from tests.adapters.peer import Peer, reply

USER = Credentials(token="user-token", user_id="u-1", kind=TokenKind.USER)
COMPANY = Credentials(token="company-token", user_id="c-1", kind=TokenKind.COMPANY)
V11 = "http://www.concursolutions.com/api/expense/expensereport/2011/03"


@pytest.fixture
async def client(peer: Peer) -> AsyncIterator[HttpConcurClient]:
    async with open_concur_client(
        UpstreamSettings(base_url=peer.base_url, read_retries=0), CompanyAuthSettings()
    ) as concur:
        yield concur


def test_origins_default_to_the_base_url() -> None:
    origins = UpstreamOrigins.from_settings(UpstreamSettings(base_url="http://a:1"))
    assert {str(origins.v4), str(origins.xml), str(origins.oauth)} == {"http://a:1"}
    split = UpstreamOrigins.from_settings(
        UpstreamSettings(
            base_url="http://a:1", xml_base_url="http://x:2", oauth_base_url="http://o:3"
        )
    )
    assert (str(split.xml), str(split.oauth)) == ("http://x:2", "http://o:3")
    with pytest.raises(ValueError, match="base_url"):
        UpstreamOrigins.from_settings(UpstreamSettings())


def test_the_client_implements_the_whole_interface() -> None:
    assert not getattr(HttpConcurClient, "__abstractmethods__", None)
    assert issubclass(HttpConcurClient, ConcurClient)


async def test_v4_approve_uses_the_short_url_for_company_tokens(
    peer: Peer, client: HttpConcurClient
) -> None:
    peer.script("PATCH", "/expensereports/v4/reports/R1/approve", reply(204))
    peer.script(
        "PATCH", "/expensereports/v4/users/u-1/context/MANAGER/reports/R1/sendBack", reply(204)
    )
    await client.approve(
        COMPANY, "R1", protocol=Protocol.V4, comment="ok", expected_step_sequence="3"
    )
    await client.send_back(USER, "R1", protocol=Protocol.V4, comment="fix it")
    approve, send_back = peer.seen
    assert approve.headers["Authorization"] == "Bearer company-token"
    assert json.loads(approve.body) == {"comment": "ok", "expectedStepSequence": "3"}
    assert approve.headers["Content-Type"] == "application/json"
    assert send_back.headers["Authorization"] == "Bearer user-token"
    assert json.loads(send_back.body) == {"comment": "fix it"}


async def test_xml_action_goes_verbatim_to_the_workflow_action_url(
    peer: Peer, client: HttpConcurClient
) -> None:
    path = "/api/expense/expensereport/v1.1/report/nStep$Key/WorkFlowAction"
    ok = (
        f'<ActionStatus xmlns="{V11}"><Message>SUCCESS!</Message>'
        "<Status>SUCCESS!</Status></ActionStatus>"
    )
    peer.script("POST", path, reply(200, ok, content_type="application/xml"))
    await client.send_back(
        USER,
        "R1",
        protocol=Protocol.XML,
        comment="Missing receipt",
        workflow_action_url=peer.base_url + path,
    )
    (seen,) = peer.seen
    assert seen.headers["Authorization"] == "OAuth user-token"
    assert seen.headers["Content-Type"] == "application/xml; charset=utf-8"
    body = etree.fromstring(seen.body)
    assert body.tag == f"{{{V11}}}WorkflowAction"
    assert [child.text for child in body] == ["Send Back to Employee", "Missing receipt"]


@pytest.mark.parametrize(
    "url",
    [
        "http://other-host:1/api/expense/expensereport/v1.1/report/k/workflowaction",
        "/api/expense/expensereport/v1.1/report/k/workflowaction",
        "{base}/oauth2/v0/token",
        "{base}/api/expense/expensereport/v1.1/report/k/entry",
        "http://evil.concursolutions.com/api/expense/expensereport/v1.1/report/k/workflowaction",
    ],
)
async def test_workflow_action_url_must_point_at_concur(
    peer: Peer, client: HttpConcurClient, url: str
) -> None:
    """The URL came from Concur's answer: a foreign one is Concur's fault, not the caller's,
    and the caller's token goes nowhere."""
    with pytest.raises(UpstreamBadResponse) as caught:
        await client.approve(
            USER, "R1", protocol=Protocol.XML, workflow_action_url=url.format(base=peer.base_url)
        )
    assert caught.value.code == "UPSTREAM_BAD_RESPONSE"
    assert peer.seen == []


async def test_no_workflow_action_url_is_the_callers_refusal(
    peer: Peer, client: HttpConcurClient
) -> None:
    with pytest.raises(BadUserInput) as caught:
        await client.approve(USER, "R1", protocol=Protocol.XML, workflow_action_url=None)
    assert caught.value.field == "workflow_action_url"
    assert peer.seen == []


async def test_writes(peer: Peer, client: HttpConcurClient) -> None:
    created = '{"uri": "http://x/expensereports/v4/users/u-1/context/TRAVELER/reports/NEW1"}'
    peer.script(
        "POST", "/expensereports/v4/users/u-1/context/TRAVELER/reports", reply(201, created)
    )
    peer.script("PATCH", "/expensereports/v4/users/u-1/context/PROXY/reports/NEW1", reply(204))
    peer.script(
        "PATCH",
        "/expensereports/v4/users/u-1/reports/NEW1/submit",
        reply(409, b'{"errorMessage": "The report cannot be submitted."}'),
    )
    peer.script(
        "PATCH", "/expensereports/v4/users/u-1/context/TRAVELER/reports/NEW1/recall", reply(204)
    )
    new_id = await client.create_report(USER, NewReport(name="N"), ReportContext.TRAVELER)
    assert new_id == "NEW1"
    await client.update_report(USER, new_id, {"name": "M"}, ReportContext.PROXY)
    with pytest.raises(Conflict, match="cannot be submitted"):
        await client.submit(USER, new_id)
    await client.recall(USER, new_id, ReportContext.TRAVELER)
    create, update, submit, recall = peer.seen
    assert json.loads(create.body) == {"name": "N"}
    assert json.loads(update.body) == {"name": "M", "reportSource": "OTHER"}
    assert submit.body == b""
    assert recall.body == b""


async def test_add_entries_posts_report_entries(peer: Peer, client: HttpConcurClient) -> None:
    path = "/api/expense/expensereport/v1.1/report/nKey$1/entry"
    status = (
        f'<ReportEntryStatusList xmlns="{V11}"><ReportEntryStatus><Index>1</Index>'
        "<Status>SUCCESS</Status><Report-Entry-Details-Url>http://x/api/expense/expensereport/"
        "v1.1/report/nKey$1/entry/nE1</Report-Entry-Details-Url></ReportEntryStatus>"
        "</ReportEntryStatusList>"
    )
    peer.script("POST", path, reply(200, status, content_type="application/xml"))
    results = await client.add_entries(
        USER,
        "nKey$1",
        [
            NewEntry(
                currency_code="USD",
                expense_type_key="BUSML",
                transaction_date=date(2025, 1, 2),
                transaction_amount=Decimal("9.99"),
            )
        ],
    )
    assert [(r.success, r.entry_id) for r in results] == [(True, "nE1")]
    (seen,) = peer.seen
    assert seen.headers["Authorization"] == "OAuth user-token"
    assert etree.fromstring(seen.body).tag == f"{{{V11}}}ReportEntries"


async def test_telemetry_hook_sees_every_attempt(peer: Peer) -> None:
    events: list[UpstreamCallEvent] = []
    peer.script("PATCH", "/expensereports/v4/users/u-1/reports/R1/submit", reply(204))
    async with open_concur_client(
        UpstreamSettings(base_url=peer.base_url),
        CompanyAuthSettings(),
        on_upstream_call=events.append,
    ) as client:
        await client.submit(USER, "R1")
    (event,) = events
    assert event.route == "/expensereports/v4/users/{userId}/reports/{reportId}/submit"
    assert (event.method, event.status, event.outcome) == ("PATCH", 204, "ok")
