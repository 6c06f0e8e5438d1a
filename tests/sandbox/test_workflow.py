"""Workflows v4 over real HTTP: every transition and every refusal."""

from __future__ import annotations

import pytest

from sandbox.workflow_terms import MAX_COMMENT
from tests.support.sandbox import DEMO, SandboxHarness

PROCESSOR_MESSAGE = (
    "This API is not supported for the Processor role or expense reports pending the "
    "Processor workflow step."
)
V4 = "/expensereports/v4"


def long_url(user_id: str, report_id: str, action: str, context: str = "MANAGER") -> str:
    return f"{V4}/users/{user_id}/context/{context}/reports/{report_id}/{action}"


def short_url(report_id: str, action: str) -> str:
    return f"{V4}/reports/{report_id}/{action}"


def submit_url(user_id: str, report_id: str) -> str:
    return f"{V4}/users/{user_id}/reports/{report_id}/submit"


async def test_full_path_from_draft_to_paid(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("June Client Visit - Seattle")
    rid = report.report_id
    traveler = await sandbox.user_token("traveler@example.com")
    manager = await sandbox.user_token("manager@example.com")
    company = await sandbox.company_token()

    reply = await sandbox.call("PATCH", submit_url(DEMO.traveler, rid), token=traveler)
    assert reply.status == 204
    assert reply.body == b""
    wf = report.workflow
    assert (wf.approval_status, wf.step_code) == ("A_PEND", "MANAGER")
    assert [i.assigned_user_id for i in wf.instances] == [DEMO.manager]

    body = {
        "comment": "Approved",
        "expectedStepCode": "MANAGER",
        "expectedStepSequence": str(wf.sequence),
    }
    reply = await sandbox.call(
        "PATCH", long_url(DEMO.manager, rid, "approve"), token=manager, json=body
    )
    assert reply.status == 204
    assert (wf.approval_status, wf.step_code) == ("A_ACCO", "ACCTCLERK")

    refused = await sandbox.call("PATCH", short_url(rid, "approve"), token=company, json={})
    assert refused.status == 400
    assert refused.json()["errorMessage"] == PROCESSOR_MESSAGE

    status, state = await sandbox.admin("POST", f"/_sandbox/reports/{rid}/process")
    assert status == 200
    assert (state["approvalStatusId"], state["paymentStatusId"]) == ("A_APPR", "P_PROC")

    early = await sandbox.call("PATCH", short_url(rid, "approve"), token=company, json={})
    assert early.status == 409
    assert "extracted" in early.json()["errorMessage"]

    status, _ = await sandbox.admin("POST", f"/_sandbox/reports/{rid}/extract")
    assert status == 200
    paid = await sandbox.call("PATCH", short_url(rid, "approve"), token=company, json={})
    assert paid.status == 204
    assert wf.payment_status == "P_PAID"

    again = await sandbox.call("PATCH", short_url(rid, "approve"), token=company, json={})
    assert again.status == 409


async def test_step_mismatch_is_409_and_applies_nothing(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    url = long_url(DEMO.manager, report.report_id, "approve")
    version = report.version
    for body in (
        {"expectedStepCode": "CO_STEP"},
        {"expectedStepSequence": str(report.workflow.sequence + 1)},
    ):
        reply = await sandbox.call("PATCH", url, token=manager, json=body)
        assert reply.status == 409
        assert reply.json()["httpStatus"] == "409 - Conflict"
    assert report.version == version
    assert report.workflow.approval_status == "A_PEND"


async def test_sequence_is_monotonic_across_resubmission(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    traveler = await sandbox.user_token("traveler@example.com")
    stale = str(report.workflow.sequence)
    send_back = long_url(DEMO.manager, report.report_id, "sendBack")
    assert (
        await sandbox.call("PATCH", send_back, token=manager, json={"comment": "Fix it"})
    ).status == 204
    assert (
        await sandbox.call("PATCH", submit_url(DEMO.traveler, report.report_id), token=traveler)
    ).status == 204
    reply = await sandbox.call(
        "PATCH",
        long_url(DEMO.manager, report.report_id, "approve"),
        token=manager,
        json={"expectedStepSequence": stale},
    )
    assert reply.status == 409


async def test_not_assigned_approver_is_403(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    co = await sandbox.user_token("coapprover@example.com")
    reply = await sandbox.call(
        "PATCH", long_url(DEMO.coapprover, report.report_id, "approve"), token=co, json={}
    )
    assert reply.status == 403
    traveler = await sandbox.user_token("traveler@example.com")
    own = await sandbox.call(
        "PATCH", long_url(DEMO.traveler, report.report_id, "approve"), token=traveler, json={}
    )
    assert own.status == 403


async def test_token_kind_per_url_family(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    company = await sandbox.company_token()
    app = await sandbox.app_token()
    short = short_url(report.report_id, "approve")
    long = long_url(DEMO.manager, report.report_id, "approve")
    assert (await sandbox.call("PATCH", short, token=manager, json={})).status == 403
    assert (await sandbox.call("PATCH", short, token=app, json={})).status == 403
    assert (await sandbox.call("PATCH", long, token=company, json={})).status == 403
    wrong_context = long_url(DEMO.manager, report.report_id, "approve", "TRAVELER")
    assert (await sandbox.call("PATCH", wrong_context, token=manager, json={})).status == 400
    assert report.workflow.approval_status == "A_PEND"


async def test_company_approves_at_a_manager_step(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Austin Kickoff")
    company = await sandbox.company_token()
    reply = await sandbox.call(
        "PATCH",
        short_url(report.report_id, "approve"),
        token=company,
        json={"comment": "System step", "expectedStepCode": "MANAGER"},
    )
    assert reply.status == 204
    assert report.workflow.approval_status == "A_ACCO"


async def test_cost_object_step_needs_both_instances(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Product Launch Berlin")
    wf = report.workflow
    assert wf.approval_status == "A_PECO"
    assert sorted(i.assigned_user_id or "" for i in wf.instances) == sorted(
        [DEMO.coapprover, DEMO.manager]
    )
    co = await sandbox.user_token("coapprover@example.com")
    manager = await sandbox.user_token("manager@example.com")
    first = await sandbox.call(
        "PATCH",
        long_url(DEMO.coapprover, report.report_id, "approve"),
        token=co,
        json={"expectedStepCode": "CO_STEP"},
    )
    assert first.status == 204
    assert wf.approval_status == "A_PECO"
    twice = await sandbox.call(
        "PATCH", long_url(DEMO.coapprover, report.report_id, "approve"), token=co, json={}
    )
    assert twice.status == 403
    second = await sandbox.call(
        "PATCH", long_url(DEMO.manager, report.report_id, "approve"), token=manager, json={}
    )
    assert second.status == 204
    assert wf.approval_status == "A_ACCO"


async def test_send_back_rules(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("London Partner Summit")
    manager = await sandbox.user_token("manager@example.com")
    url = long_url(DEMO.manager, report.report_id, "sendBack")
    missing = await sandbox.call("PATCH", url, token=manager, json={})
    assert missing.status == 400
    assert [e["id"] for e in missing.json()["validationErrors"]] == ["comment"]
    blank = await sandbox.call("PATCH", url, token=manager, json={"comment": "  "})
    assert blank.status == 400
    assert blank.json()["validationErrors"][0]["id"] == "comment"
    too_long = await sandbox.call(
        "PATCH", url, token=manager, json={"comment": "x" * (MAX_COMMENT + 1)}
    )
    assert too_long.status == 400
    assert report.workflow.approval_status == "A_PEND"
    exact = await sandbox.call("PATCH", url, token=manager, json={"comment": "x" * MAX_COMMENT})
    assert exact.status == 204
    assert report.workflow.approval_status == "A_RESU"
    traveler = await sandbox.user_token("traveler@example.com")
    details = await sandbox.call(
        "GET",
        f"{V4}/users/{DEMO.traveler}/context/TRAVELER/reports/{report.report_id}",
        token=traveler,
    )
    body = details.json()
    assert body["approvalStatus"] == "Sent Back to Employee"
    assert body["isSentBack"] is True
    assert body["isReportEverSentBack"] is True


async def test_company_send_back(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("New York Roadshow")
    company = await sandbox.company_token()
    reply = await sandbox.call(
        "PATCH",
        short_url(report.report_id, "sendBack"),
        token=company,
        json={"comment": "Missing receipts"},
    )
    assert reply.status == 204
    assert report.workflow.approval_status == "A_RESU"


async def test_processor_step_send_back_is_refused(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Denver Trade Show")
    company = await sandbox.company_token()
    reply = await sandbox.call(
        "PATCH", short_url(report.report_id, "sendBack"), token=company, json={"comment": "No"}
    )
    assert reply.status == 400
    assert reply.json()["errorMessage"] == PROCESSOR_MESSAGE


async def test_recall_rules(sandbox: SandboxHarness) -> None:
    traveler = await sandbox.user_token("traveler@example.com")
    manager = await sandbox.user_token("manager@example.com")
    company = await sandbox.company_token()
    pending = sandbox.report_named("Boston Customer Workshop")
    by_manager = await sandbox.call(
        "PATCH",
        long_url(DEMO.manager, pending.report_id, "recall", "TRAVELER"),
        token=manager,
    )
    assert by_manager.status == 403
    by_company = await sandbox.call(
        "PATCH",
        long_url(DEMO.traveler, pending.report_id, "recall", "TRAVELER"),
        token=company,
    )
    assert by_company.status == 403
    ok = await sandbox.call(
        "PATCH", long_url(DEMO.traveler, pending.report_id, "recall", "PROXY"), token=traveler
    )
    assert ok.status == 204
    assert pending.workflow.approval_status == "A_RESU"
    assert pending.workflow.approval_status_name == "Recalled by Employee"
    late = sandbox.report_named("Denver Trade Show")
    refused = await sandbox.call(
        "PATCH", long_url(DEMO.traveler, late.report_id, "recall", "TRAVELER"), token=traveler
    )
    assert refused.status == 409
    manager_ctx = await sandbox.call(
        "PATCH", long_url(DEMO.traveler, late.report_id, "recall", "MANAGER"), token=traveler
    )
    assert manager_ctx.status == 400


@pytest.mark.parametrize("name", ["New Report", "Boston Customer Workshop", "April Client Dinners"])
async def test_submit_refused_when_not_submittable(sandbox: SandboxHarness, name: str) -> None:
    traveler = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named(name)
    reply = await sandbox.call("PATCH", submit_url(DEMO.traveler, report.report_id), token=traveler)
    assert reply.status == 409


async def test_submit_resubmits_sent_back_and_by_company(sandbox: SandboxHarness) -> None:
    traveler = await sandbox.user_token("traveler@example.com")
    company = await sandbox.company_token()
    sent_back = sandbox.report_named("Q2 Sales Conference")
    reply = await sandbox.call(
        "PATCH", submit_url(DEMO.traveler, sent_back.report_id), token=traveler
    )
    assert reply.status == 204
    assert sent_back.workflow.approval_status == "A_PEND"
    draft = sandbox.report_named("Paris Customer Visit")
    not_owner = await sandbox.call(
        "PATCH", submit_url(DEMO.traveler, draft.report_id), token=company
    )
    assert not_owner.status == 403
    as_company = await sandbox.call(
        "PATCH", submit_url(DEMO.traveler2, draft.report_id), token=company
    )
    assert as_company.status == 204
    foreign = sandbox.report_named("Mileage May")
    other = await sandbox.call(
        "PATCH", submit_url(DEMO.traveler, foreign.report_id), token=traveler
    )
    assert other.status == 403
    missing = await sandbox.call("PATCH", submit_url(DEMO.traveler, "1" * 20), token=traveler)
    assert missing.status == 404


async def test_approve_body_validation(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Boston Customer Workshop")
    manager = await sandbox.user_token("manager@example.com")
    url = long_url(DEMO.manager, report.report_id, "approve")
    for body in (
        {"statusId": "A_REJ"},
        {"comment": "x" * (MAX_COMMENT + 1)},
        {"unknownField": True},
    ):
        reply = await sandbox.call("PATCH", url, token=manager, json=body)
        assert reply.status == 400, body
    malformed = await sandbox.call("PATCH", url, token=manager, data=b"{not json")
    assert malformed.status == 400
    assert report.workflow.approval_status == "A_PEND"
    with_rejection = await sandbox.call(
        "PATCH",
        url,
        token=manager,
        json={
            "comment": "Approved",
            "expenseRejectedComment": "Expense rejected",
            "statusId": "A_APPR",
            "expectedStepSequence": report.workflow.sequence,
        },
    )
    assert with_rejection.status == 204
