"""Who may read a report and who may act on it through the XML APIs.

Concur answers a report the caller may not see exactly like an unknown id (404), so ids do
not leak. Readers: a Company or Web Services Administrator (any report); the owner; a user
who has (or had) a step instance on the report — the
owner's manager once it was submitted, a cost-object approver once it reached that step,
anyone holding an instance now; a PROCESSOR once submitted; and a company token, which sees
the whole company. App tokens (ESS management) are not Expense Report API callers.

Acting is narrower: the ``WorkflowActionURL`` is shown to an assigned user with a pending
instance (including the processor, whose action Concur then refuses with the documented
sentence), to the owner while recall is possible, and to the System role (a company token,
or an administrator who is not the assignee) at an actionable step other than the
processor's, when the owner has an approver assigned.
"""

from __future__ import annotations

from sandbox import roles, workflow_roles
from sandbox.auth import Caller
from sandbox.engine import Engine
from sandbox.records import SandboxReport
from sandbox.workflow_roles import PROCESSOR_STATUS
from sandbox.workflow_terms import Actor

_COST_OBJECT_REACHED = frozenset({"A_PECO", PROCESSOR_STATUS, "A_APPR"})


def actor_of(caller: Caller) -> Actor:
    return Actor(user_id=caller.user_id, kind=caller.kind, admin=roles.is_admin(caller.user))


def is_owner(caller: Caller, report: SandboxReport) -> bool:
    return caller.user_id is not None and caller.user_id.lower() == report.owner_id.lower()


def _holds_instance(caller: Caller, report: SandboxReport) -> bool:
    uid = (caller.user_id or "").lower()
    return any((i.assigned_user_id or "").lower() == uid for i in report.workflow.instances)


def can_read(engine: Engine, caller: Caller, report: SandboxReport) -> bool:
    if caller.kind == "company":
        return True
    user = caller.user
    if caller.kind != "user" or user is None:
        return False
    if roles.is_admin(user) or is_owner(caller, report) or _holds_instance(caller, report):
        return True
    owner = engine.store.user(report.owner_id)
    if owner is not None and owner.manager_id == user.id and report.submit_date is not None:
        return True
    if report.workflow.approval_status in _COST_OBJECT_REACHED and any(
        c.approver_id.lower() == user.id for c in report.cost_objects
    ):
        return True
    return roles.is_processor(user) and report.is_submitted


def company_can_act(report: SandboxReport) -> bool:
    """The system role acts at approval steps and on Processing Payment, never the processor's."""
    return workflow_roles.is_actionable(report)


def can_act(engine: Engine, caller: Caller, report: SandboxReport) -> bool:
    """Whether the caller gets a ``WorkflowActionURL`` for the report's current step."""
    if not report.workflow.step_key:
        return False
    if caller.kind == "company":
        return workflow_roles.system_role_may_act(engine.store, report)
    if caller.user_id is None:
        return False
    if workflow_roles.pending_instance(report, caller.user_id) is not None:
        return True
    if roles.is_admin(caller.user) and workflow_roles.system_role_may_act(engine.store, report):
        return True  # the System role
    return is_owner(caller, report) and report.can_recall


def can_post_entries(caller: Caller, report: SandboxReport) -> bool:
    """Only the owner (or a company admin token) may post entries to a report."""
    return caller.kind == "company" or is_owner(caller, report)


__all__ = [
    "actor_of",
    "can_act",
    "can_post_entries",
    "can_read",
    "company_can_act",
    "is_owner",
]
