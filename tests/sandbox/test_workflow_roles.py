"""Who may act on a report, per "Post an expense report workflow action": the Approver role
only from a current approver; the System role only for an administrator (or a company
token) and only when the report owner has an approver assigned."""

from __future__ import annotations

from sandbox import seed
from sandbox.records import SandboxReport
from sandbox.workflow_roles import SYSTEM_ROLE_NEEDS_APPROVER
from tests.sandbox.xml_support import API, PROCESSOR_SENTENCE, get, post, text, workflow_body
from tests.support.sandbox import DEMO, SandboxHarness


def _pending(sandbox: SandboxHarness) -> SandboxReport:
    return sandbox.report_named("Boston Customer Workshop")


def _action_url(report: SandboxReport) -> str:
    return f"{API}/v1.1/report/{report.workflow.step_key}/workflowaction"


def _manager_path(user_id: str, report: SandboxReport, action: str) -> str:
    return f"/expensereports/v4/users/{user_id}/context/MANAGER/reports/{report.report_id}/{action}"


async def _xml_action(sandbox: SandboxHarness, login: str, report: SandboxReport) -> str:
    token = await sandbox.user_token(login)
    reply = await post(sandbox, _action_url(report), token, workflow_body("Approve"))
    assert reply.status == 200, reply.raw
    return text(reply.root, "Status")


async def test_plain_users_who_are_not_assigned_are_refused(sandbox: SandboxHarness) -> None:
    report = _pending(sandbox)
    for login in ("traveler2@example.com", "coapprover@example.com", "processor@example.com"):
        token = await sandbox.user_token(login)
        reply = await post(sandbox, _action_url(report), token, workflow_body("Approve"))
        assert reply.status == 200
        assert text(reply.root, "Status") == "FAILURE", login
    coapprover = await sandbox.user_token("coapprover@example.com")
    path = _manager_path(DEMO.coapprover, report, "approve")
    refused = await sandbox.call("PATCH", path, token=coapprover, json={})
    assert refused.status == 403
    assert refused.json()["httpStatus"] == "403 - Forbidden"
    assert report.workflow.approval_status == "A_PEND"


async def test_the_owner_cannot_approve_their_own_report(sandbox: SandboxHarness) -> None:
    report = _pending(sandbox)
    assert await _xml_action(sandbox, "traveler@example.com", report) == "FAILURE"
    assert report.workflow.approval_status == "A_PEND"


async def test_web_services_admin_acts_in_the_system_role(sandbox: SandboxHarness) -> None:
    report = _pending(sandbox)
    assert await _xml_action(sandbox, seed.ADMIN_LOGIN, report) == "SUCCESS!"
    assert report.workflow.approval_status == "A_ACCO"


async def test_company_admin_acts_in_the_system_role_over_v4(sandbox: SandboxHarness) -> None:
    report = _pending(sandbox)
    token = await sandbox.user_token(seed.COMPANY_ADMIN_LOGIN)
    path = _manager_path(DEMO.company_admin, report, "sendBack")
    reply = await sandbox.call("PATCH", path, token=token, json={"comment": "Fix the hotel."})
    assert reply.status == 204
    assert report.workflow.approval_status == "A_RESU"


async def test_system_role_needs_an_approver_assigned_to_the_owner(
    sandbox: SandboxHarness,
) -> None:
    report = _pending(sandbox)
    owner = sandbox.store.users[seed.TRAVELER_ID]
    owner.manager_id = None  # the owner's approver was unassigned after submission
    company = await sandbox.company_token()
    reply = await sandbox.call(
        "PATCH", f"/expensereports/v4/reports/{report.report_id}/approve", token=company, json={}
    )
    assert reply.status == 403
    assert reply.json()["errorMessage"] == SYSTEM_ROLE_NEEDS_APPROVER
    for login in (seed.ADMIN_LOGIN, seed.COMPANY_ADMIN_LOGIN):
        token = await sandbox.user_token(login)
        refused = await post(sandbox, _action_url(report), token, workflow_body("Approve"))
        assert text(refused.root, "Status") == "FAILURE"
        assert text(refused.root, "Message") == SYSTEM_ROLE_NEEDS_APPROVER
    full = await get(sandbox, f"{API}/v1.1/reportfulldetails/{report.rpt_key}", company)
    assert text(full.root, "WorkflowActionURL") == ""
    assert report.workflow.approval_status == "A_PEND"
    # the assigned approver still acts in the Approver role
    assert await _xml_action(sandbox, "manager@example.com", report) == "SUCCESS!"


async def test_processor_step_is_refused_even_for_admins(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Denver Trade Show")
    assert report.workflow.approval_status == "A_ACCO"
    token = await sandbox.user_token(seed.ADMIN_LOGIN)
    reply = await post(sandbox, _action_url(report), token, workflow_body("Approve"))
    assert (text(reply.root, "Status"), text(reply.root, "Message")) == (
        "FAILURE",
        PROCESSOR_SENTENCE,
    )
