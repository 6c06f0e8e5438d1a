"""v1.1 ReportsList views per caller, over real HTTP."""

from __future__ import annotations

import pytest

from sandbox import seed
from sandbox.records import SandboxReport
from tests.sandbox.xml_support import API, NS11, XSI, find, findall, get, names, text
from tests.support.sandbox import SandboxHarness

SUMMARY = [
    "ReportName",
    "ReportId",
    "ReportTotal",
    "ReportCurrency",
    "ReportDate",
    "LastComment",
    "Report-Details-Url",
    "Report-Full-Details-Url",
    "ExpenseUserXUserID",
    "ApproverXUserID",
    "EmployeeName",
]


async def _ids(
    sandbox: SandboxHarness, token: str, view: str, segment: str = "ReportsList"
) -> list[str]:
    reply = await get(sandbox, f"{API}/v1.1/{segment}/{view}", token)
    assert reply.status == 200, reply.raw
    assert reply.root.tag == f"{{{NS11}}}ReportsList"
    assert reply.root.nsmap == {None: NS11, "i": XSI}
    return [text(s, "ReportId") for s in findall(reply.root, "ReportSummary")]


def _own(sandbox: SandboxHarness, owner: str, keep: object) -> set[str]:
    assert callable(keep)
    return {r.report_id for r in sandbox.store.reports.values() if r.owner_id == owner and keep(r)}


async def test_recent_lists_the_callers_reports_newest_first(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    reply = await get(sandbox, f"{API}/v1.1/ReportsList/RECENT", token)
    summaries = findall(reply.root, "ReportSummary")
    ids = [text(s, "ReportId") for s in summaries]
    assert set(ids) == _own(sandbox, seed.TRAVELER_ID, lambda r: True)
    stamps = [sandbox.store.reports[i].last_modified for i in ids]
    assert stamps == sorted(stamps, reverse=True)
    first = summaries[0]
    assert names(first) == SUMMARY
    report = sandbox.store.reports[text(first, "ReportId")]
    base = f"{sandbox.base_url}{API}/v1.1"
    assert text(first, "Report-Details-Url") == f"{base}/report/{report.rpt_key}"
    assert text(first, "Report-Full-Details-Url") == f"{base}/reportfulldetails/{report.rpt_key}"
    assert text(first, "ExpenseUserXUserID") == "traveler@example.com"
    assert text(first, "ApproverXUserID") == "manager@example.com"
    assert text(first, "EmployeeName") == "Chris Miller"


async def test_recent_leaves_out_reports_older_than_31_days(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler2@example.com")
    status, _ = await sandbox.admin("POST", "/_sandbox/clock", {"advance_s": 40 * 86400})
    assert status == 200
    fresh = await sandbox.user_token("traveler2@example.com")
    assert await _ids(sandbox, fresh, "recent") == []
    assert token


@pytest.mark.parametrize(
    ("view", "keep"),
    [
        ("UNSUBMITTED", lambda r: r.workflow.approval_status in ("A_NOTF", "A_RESU")),
        ("ACTIVE", lambda r: r.workflow.payment_status != "P_PAID"),
        (
            "PENDING",
            lambda r: r.workflow.approval_status in ("A_PEND", "A_PECO", "A_ACCO"),
        ),
        ("APPROVED", lambda r: r.workflow.approval_status == "A_APPR"),
        ("PROCESSED", lambda r: r.workflow.payment_status in ("P_PROC", "P_PAID")),
        ("PAID", lambda r: r.workflow.payment_status == "P_PAID"),
    ],
)
async def test_views_filter_the_callers_reports(
    sandbox: SandboxHarness, view: str, keep: object
) -> None:
    token = await sandbox.user_token("traveler@example.com")
    ids = await _ids(sandbox, token, view.lower(), "reportslist")
    expected = _own(sandbox, seed.TRAVELER_ID, keep)
    assert expected
    assert set(ids) == expected


async def test_toapprove_lists_pending_instances_with_approval_url(
    sandbox: SandboxHarness,
) -> None:
    token = await sandbox.user_token("manager@example.com")
    reply = await get(sandbox, f"{API}/v1.1/ReportsList/ToApprove", token)
    summaries = findall(reply.root, "ReportSummary")
    expected = {
        r.report_id
        for r in sandbox.store.reports.values()
        if sandbox.engine.pending_instance(r, seed.MANAGER_ID) is not None
    }
    assert expected
    assert {text(s, "ReportId") for s in summaries} == expected
    for summary in summaries:
        assert names(summary) == ["ApprovalURL", *SUMMARY]
        report: SandboxReport = sandbox.store.reports[text(summary, "ReportId")]
        assert text(summary, "ApprovalURL") == (
            f"{sandbox.base_url}{API}/v1.1/report/{report.workflow.step_key}/workflowaction"
        )
    traveler = await sandbox.user_token("traveler@example.com")
    assert await _ids(sandbox, traveler, "TOAPPROVE") == []
    coapprover = await sandbox.user_token("coapprover@example.com")
    peco = await _ids(sandbox, coapprover, "TOAPPROVE")
    assert peco
    assert all(sandbox.store.reports[i].workflow.approval_status == "A_PECO" for i in peco)


async def test_company_token_sees_the_whole_company(sandbox: SandboxHarness) -> None:
    token = await sandbox.company_token()
    assert set(await _ids(sandbox, token, "RECENT")) == set(sandbox.store.reports)
    unsubmitted = await _ids(sandbox, token, "UNSUBMITTED")
    owners = {sandbox.store.reports[i].owner_id for i in unsubmitted}
    assert owners == {seed.TRAVELER_ID, seed.TRAVELER2_ID}
    to_approve = await _ids(sandbox, token, "TOAPPROVE")
    assert {sandbox.store.reports[i].workflow.approval_status for i in to_approve} <= {
        "A_PEND",
        "A_PECO",
        "A_APPR",
    }


async def test_unknown_view_is_a_legacy_400(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    reply = await get(sandbox, f"{API}/v1.1/ReportsList/EVERYTHING", token)
    assert reply.status == 400
    assert reply.root.tag == "Error"
    assert "EVERYTHING" in text(reply.root, "Message")


async def test_keys_from_the_list_open_full_details_and_entries(sandbox: SandboxHarness) -> None:
    """The documented path: ReportsList URLs (RptKey) -> full details (RpeKey) -> entry."""
    for login, view in (
        ("traveler@example.com", "UNSUBMITTED"),
        ("manager@example.com", "TOAPPROVE"),
    ):
        token = await sandbox.user_token(login)
        listing = await get(sandbox, f"{API}/v1.1/ReportsList/{view}", token)
        summaries = findall(listing.root, "ReportSummary")
        assert summaries, login
        for summary in summaries:
            report = sandbox.store.reports[text(summary, "ReportId")]
            details_url = text(summary, "Report-Details-Url")
            assert details_url == f"{sandbox.base_url}{API}/v1.1/report/{report.rpt_key}"
            assert report.report_id not in details_url
            full = await get(sandbox, text(summary, "Report-Full-Details-Url"), token)
            assert full.status == 200, full.raw
            assert text(full.root, "RptKey") == report.rpt_key
            for element in findall(find(full.root, "Entries"), "ExpenseEntry"):
                entry_reply = await get(
                    sandbox, f"{details_url}/entry/{text(element, 'RpeKey')}", token
                )
                assert entry_reply.status == 200, entry_reply.raw
                assert text(entry_reply.root, "ReportEntryID") == text(element, "RpeKey")
                assert text(entry_reply.root, "ReportID") == report.rpt_key
