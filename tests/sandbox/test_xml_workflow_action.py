"""v1.1 workflow actions over real HTTP: every action through the URL the details hand out."""

from __future__ import annotations

import pytest
from lxml import etree

from sandbox import seed
from sandbox.records import SandboxReport
from sandbox.workflow_terms import Actor
from tests.sandbox.xml_support import (
    API,
    NS11,
    PROCESSOR_SENTENCE,
    STALE,
    XSI,
    document,
    get,
    names,
    parse,
    post,
    text,
    workflow_body,
)
from tests.support.sandbox import SandboxHarness

SUCCESS_SAMPLE = b"""<?xml version="1.0" encoding="utf-8"?>
<ActionStatus xmlns="http://www.concursolutions.com/api/expense/expensereport/2011/03" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
    <Message>SUCCESS!</Message>
    <Status>SUCCESS!</Status>
</ActionStatus>"""
FAILURE_SAMPLE = b"""<?xml version="1.0" encoding="utf-8"?>
<ActionStatus xmlns="http://www.concursolutions.com/api/expense/expensereport/2011/03" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
    <Message>The action cannot be executed because the item has recently been changed. Please refresh your list and try again.</Message>
    <Status>FAILURE</Status>
</ActionStatus>"""  # noqa: E501 - the documented sample, verbatim


def _report(sandbox: SandboxHarness, owner: str, status: str) -> SandboxReport:
    return next(
        r
        for r in sandbox.store.reports.values()
        if r.owner_id == owner and r.workflow.approval_status == status
    )


async def _action_url(sandbox: SandboxHarness, report: SandboxReport, token: str) -> str:
    """The WorkflowActionURL the v1.1 full details give this caller."""
    reply = await get(sandbox, f"{API}/v1.1/reportfulldetails/{report.rpt_key}", token)
    assert reply.status == 200, reply.raw
    return text(reply.root, "WorkflowActionURL")


def _assert_like_sample(root: etree._Element, sample: bytes) -> None:
    expected = parse(sample)
    assert root.tag == expected.tag == f"{{{NS11}}}ActionStatus"
    assert root.nsmap == expected.nsmap == {None: NS11, "i": XSI}


async def test_manager_approves_then_the_url_goes_stale(sandbox: SandboxHarness) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_PEND")
    manager = await sandbox.user_token("manager@example.com")
    url = await _action_url(sandbox, report, manager)
    assert url == (f"{sandbox.base_url}{API}/v1.1/report/{report.workflow.step_key}/workflowaction")
    version = report.version
    reply = await post(
        sandbox, url, manager, workflow_body("Approve", "Approved via Concur Connect")
    )
    assert reply.status == 200
    _assert_like_sample(reply.root, SUCCESS_SAMPLE)
    assert names(reply.root) == names(parse(SUCCESS_SAMPLE)) == ["Message", "Status"]
    assert (text(reply.root, "Message"), text(reply.root, "Status")) == ("SUCCESS!", "SUCCESS!")
    assert report.workflow.approval_status in ("A_PECO", "A_ACCO")
    assert report.version > version

    again = await post(sandbox, url, manager, workflow_body("Approve"))
    assert again.status == 200
    _assert_like_sample(again.root, FAILURE_SAMPLE)
    assert names(again.root) == ["Message", "Status"]
    assert text(again.root, "Message") == text(parse(FAILURE_SAMPLE), "Message") == STALE
    assert text(again.root, "Status") == "FAILURE"


async def test_url_goes_stale_after_a_change_made_elsewhere(sandbox: SandboxHarness) -> None:
    report = _report(sandbox, seed.TRAVELER2_ID, "A_PEND")
    manager = await sandbox.user_token("manager@example.com")
    url = await _action_url(sandbox, report, manager)
    # the same approval made through another API (v4) moves the step on
    sandbox.engine.approve(report, Actor(seed.MANAGER_ID, "user"))
    status = report.workflow.approval_status
    reply = await post(sandbox, url, manager, workflow_body("Send Back to Employee", "Fix it"))
    assert (text(reply.root, "Status"), text(reply.root, "Message")) == ("FAILURE", STALE)
    assert report.workflow.approval_status == status


async def test_unknown_step_key_is_stale(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("manager@example.com")
    url = f"{API}/v1.1/report/nNoSuchStep$Key/workflowaction"
    reply = await post(sandbox, url, token, workflow_body("Approve"))
    assert reply.status == 200
    assert (text(reply.root, "Status"), text(reply.root, "Message")) == ("FAILURE", STALE)


async def test_send_back_needs_a_comment_of_at_most_2000(sandbox: SandboxHarness) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_PEND")
    manager = await sandbox.user_token("manager@example.com")
    url = await _action_url(sandbox, report, manager)
    for body in (
        workflow_body("Send Back to Employee"),
        workflow_body("Send Back to Employee", "   "),
        workflow_body("Send Back to Employee", "x" * 2001),
    ):
        reply = await post(sandbox, url, manager, body)
        assert reply.status == 200
        assert text(reply.root, "Status") == "FAILURE"
        assert "comment" in text(reply.root, "Message").lower()
        assert report.workflow.approval_status == "A_PEND"

    reply = await post(sandbox, url, manager, workflow_body("Send Back to Employee", "x" * 2000))
    assert text(reply.root, "Status") == "SUCCESS!"
    assert report.workflow.approval_status == "A_RESU"
    assert report.ever_sent_back


async def test_owner_recalls_through_the_same_step_url(sandbox: SandboxHarness) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_PEND")
    owner = await sandbox.user_token("traveler@example.com")
    manager = await sandbox.user_token("manager@example.com")
    url = await _action_url(sandbox, report, owner)
    assert url
    assert url == await _action_url(sandbox, report, manager)

    refused = await post(sandbox, url, manager, workflow_body("Recall to Employee"))
    assert text(refused.root, "Status") == "FAILURE"
    assert "owner" in text(refused.root, "Message")

    reply = await post(sandbox, url, owner, workflow_body("Recall to Employee"))
    assert text(reply.root, "Status") == "SUCCESS!"
    assert report.workflow.approval_status == "A_RESU"
    assert report.workflow.approval_status_name == "Recalled by Employee"
    assert await _action_url(sandbox, report, owner) == ""


async def test_owner_cannot_approve_and_strangers_are_refused(sandbox: SandboxHarness) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_PEND")
    owner = await sandbox.user_token("traveler@example.com")
    stranger = await sandbox.user_token("traveler2@example.com")
    url = await _action_url(sandbox, report, owner)
    for token in (owner, stranger):
        reply = await post(sandbox, url, token, workflow_body("Approve"))
        assert reply.status == 200
        assert text(reply.root, "Status") == "FAILURE"
        assert "not an approver" in text(reply.root, "Message")
    assert report.workflow.approval_status == "A_PEND"


async def test_processor_step_is_refused_with_the_documented_sentence(
    sandbox: SandboxHarness,
) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_ACCO")
    processor = await sandbox.user_token("processor@example.com")
    company = await sandbox.company_token()
    url = await _action_url(sandbox, report, processor)
    assert url.endswith(f"/report/{report.workflow.step_key}/workflowaction")
    assert await _action_url(sandbox, report, company) == ""
    for token in (processor, company):
        reply = await post(sandbox, url, token, workflow_body("Approve"))
        assert reply.status == 200
        assert (text(reply.root, "Status"), text(reply.root, "Message")) == (
            "FAILURE",
            PROCESSOR_SENTENCE,
        )
    assert report.workflow.approval_status == "A_ACCO"


async def test_company_token_approves_and_pays(sandbox: SandboxHarness) -> None:
    company = await sandbox.company_token()
    pending = _report(sandbox, seed.TRAVELER2_ID, "A_PEND")
    url = await _action_url(sandbox, pending, company)
    reply = await post(sandbox, url, company, workflow_body("Approve"))
    assert text(reply.root, "Status") == "SUCCESS!"
    assert pending.workflow.approval_status in ("A_PECO", "A_ACCO")

    processing = next(
        r
        for r in sandbox.store.reports.values()
        if r.workflow.payment_status == "P_PROC" and all(e.extracted for e in r.entries)
    )
    url = await _action_url(sandbox, processing, company)
    reply = await post(sandbox, url, company, workflow_body("Approve"))
    assert text(reply.root, "Status") == "SUCCESS!"
    assert processing.workflow.payment_status == "P_PAID"


async def test_unknown_action_fails_and_path_is_case_insensitive(
    sandbox: SandboxHarness,
) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_PEND")
    manager = await sandbox.user_token("manager@example.com")
    url = await _action_url(sandbox, report, manager)
    reply = await post(sandbox, url, manager, workflow_body("Reject"))
    assert text(reply.root, "Status") == "FAILURE"
    assert "Unknown workflow action" in text(reply.root, "Message")
    mixed = url.replace("/workflowaction", "/WorkFlowAction")
    body = document("WorkflowAction", {"Action": "Approve"}, namespace=None)
    reply = await post(sandbox, mixed, manager, body)
    assert text(reply.root, "Status") == "SUCCESS!"


@pytest.mark.parametrize(
    "body",
    [
        b"<WorkflowAction><Action>Approve</Action>",
        b"",
        b'<!DOCTYPE WorkflowAction [<!ENTITY a "Approve">]>'
        b"<WorkflowAction><Action>&a;</Action></WorkflowAction>",
        b"<ActionStatus/>",
    ],
)
async def test_malformed_body_is_a_legacy_400(sandbox: SandboxHarness, body: bytes) -> None:
    report = _report(sandbox, seed.TRAVELER_ID, "A_PEND")
    manager = await sandbox.user_token("manager@example.com")
    url = await _action_url(sandbox, report, manager)
    reply = await post(sandbox, url, manager, body)
    assert reply.status == 400
    assert reply.root.tag == "Error"
    assert names(reply.root) == ["Message", "Server-Time", "Id"]
    assert report.workflow.approval_status == "A_PEND"
