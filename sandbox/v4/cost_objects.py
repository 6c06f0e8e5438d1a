"""``costObjectsForApprover``: the report's cost objects as seen by one approver.

The sandbox's workflow setting "Filter expenses to those that are applicable to Cost
Object" is off, so every cost object of the report is listed, with the flags computed for
the URL's user: ``isOwnedByCaller`` (they approve it), ``isApprovableAsUser`` (they hold a
pending cost-object step instance for it) and ``isFullyApproved`` (its approval is done).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.auth import AuthError, Caller
from sandbox.engine import Engine
from sandbox.keys import ENGINE
from sandbox.records import ZERO, SandboxCostObject, SandboxReport, SandboxUser
from sandbox.v4.access import (
    USER_OR_COMPANY,
    assigned_at_current_step,
    caller_of,
    path_user,
    report_of,
)
from sandbox.v4.errors import v4_errors
from sandbox.v4.render import amount, json_response

PAST_COST_OBJECT_STEP = frozenset({"A_ACCO", "A_APPR"})


def _may_see(report: SandboxReport, caller: Caller, user: SandboxUser) -> bool:
    if caller.kind == "company" or report.owner_id == user.id:
        return True
    if any(co.approver_id == user.id for co in report.cost_objects):
        return True
    if assigned_at_current_step(report, user.id):
        return True
    return "PROCESSOR" in user.roles and report.is_submitted


def _fully_approved(report: SandboxReport, co: SandboxCostObject) -> bool:
    wf = report.workflow
    if wf.approval_status in PAST_COST_OBJECT_STEP:
        return True
    if wf.approval_status != "A_PECO":
        return False
    mine = [i for i in wf.instances if i.assigned_user_id == co.approver_id]
    return bool(mine) and all(i.approved for i in mine)


def cost_object_body(
    engine: Engine, report: SandboxReport, co: SandboxCostObject, user: SandboxUser
) -> dict[str, Any]:
    currency = report.currency_code
    # Personal expenses are not charged to a cost object, so they are not listed.
    entries = [e for e in report.entries if e.cost_object == co.name and not e.is_personal]
    owned = co.approver_id == user.id
    return {
        "name": co.name,
        "approvedAmount": amount(sum((e.approved_amount for e in entries), ZERO), currency),
        "claimedAmount": amount(sum((e.posted_amount for e in entries), ZERO), currency),
        "approverId": co.approver_id,
        "expenses": [
            {
                "approvedAmount": amount(e.approved_amount, currency),
                "postedAmount": amount(e.posted_amount, currency),
                "id": e.expense_id,
            }
            for e in entries
        ],
        "isOwnedByCaller": owned,
        "isFullyApproved": _fully_approved(report, co),
        "isApprovableAsUser": owned
        and report.workflow.approval_status == "A_PECO"
        and engine.is_assigned(report, user.id),
        "isApprovableAsDelegate": False,
    }


@v4_errors
async def cost_objects_for_approver(request: web.Request) -> web.StreamResponse:
    caller = caller_of(request, USER_OR_COMPANY)
    user = path_user(request, caller)
    report = report_of(request)
    if not _may_see(report, caller, user):
        raise AuthError(403, "The user may not access the cost objects of this report.")
    engine = request.app[ENGINE]
    return json_response([cost_object_body(engine, report, co, user) for co in report.cost_objects])


__all__ = ["cost_object_body", "cost_objects_for_approver"]
