"""costObjectsForApprover over real HTTP: the documented shape and the caller's flags."""

from __future__ import annotations

from decimal import Decimal

from tests.support.sandbox import DEMO, SandboxHarness

DOC_KEYS = {
    "name",
    "approvedAmount",
    "claimedAmount",
    "approverId",
    "expenses",
    "isOwnedByCaller",
    "isFullyApproved",
    "isApprovableAsUser",
    "isApprovableAsDelegate",
}


def path(user_id: str, report_id: str) -> str:
    return f"/expensereports/v4/users/{user_id}/reports/{report_id}/costObjectsForApprover"


async def test_cost_objects_match_the_documented_sample(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("coapprover@example.com")
    report = sandbox.report_named("Product Launch Berlin")
    reply = await sandbox.call("GET", path(DEMO.coapprover, report.report_id), token=token)
    assert reply.status == 200
    items = reply.json()
    assert [i["name"] for i in items] == ["Development", "Marketing"]
    for item in items:
        assert set(item) == DOC_KEYS
        for expense in item["expenses"]:
            assert set(expense) == {"approvedAmount", "postedAmount", "id"}
        total = sum((e["approvedAmount"]["value"] for e in item["expenses"]), Decimal(0))
        assert item["approvedAmount"] == {"value": total, "currencyCode": "USD"}
    development, marketing = items
    assert development["approverId"] == DEMO.coapprover
    assert development["isOwnedByCaller"] is True
    assert development["isApprovableAsUser"] is True
    assert development["isFullyApproved"] is False
    assert marketing["isOwnedByCaller"] is False
    assert marketing["isApprovableAsUser"] is False
    assert marketing["isApprovableAsDelegate"] is False
    charged = {e["id"] for i in items for e in i["expenses"]}
    assert charged == {e.expense_id for e in report.entries if not e.is_personal}


async def test_flags_after_one_cost_object_approval(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Product Launch Berlin")
    co = await sandbox.user_token("coapprover@example.com")
    approve = (
        f"/expensereports/v4/users/{DEMO.coapprover}/context/MANAGER/reports/"
        f"{report.report_id}/approve"
    )
    assert (await sandbox.call("PATCH", approve, token=co, json={})).status == 204
    assert report.workflow.approval_status == "A_PECO"
    items = (await sandbox.call("GET", path(DEMO.coapprover, report.report_id), token=co)).json()
    development, marketing = items
    assert development["isFullyApproved"] is True
    assert development["isApprovableAsUser"] is False
    assert marketing["isFullyApproved"] is False
    manager = await sandbox.user_token("manager@example.com")
    mine = (await sandbox.call("GET", path(DEMO.manager, report.report_id), token=manager)).json()
    assert mine[1]["isOwnedByCaller"] is True
    assert mine[1]["isApprovableAsUser"] is True


async def test_cost_objects_access(sandbox: SandboxHarness) -> None:
    report = sandbox.report_named("Product Launch Berlin")
    outsider = await sandbox.user_token("traveler2@example.com")
    denied = await sandbox.call("GET", path(DEMO.traveler2, report.report_id), token=outsider)
    assert denied.status == 403
    company = await sandbox.company_token()
    as_company = await sandbox.call("GET", path(DEMO.coapprover, report.report_id), token=company)
    assert as_company.status == 200
    owner = await sandbox.user_token("traveler@example.com")
    plain = sandbox.report_named("June Client Visit - Seattle")
    empty = await sandbox.call("GET", path(DEMO.traveler, plain.report_id), token=owner)
    assert empty.json() == []
    missing = await sandbox.call("GET", path(DEMO.traveler, "F" * 20), token=owner)
    assert missing.status == 404
