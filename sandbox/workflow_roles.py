"""Who may act at a report's current workflow step: one home for the rules the engine
enforces and the XML documents advertise (``WorkflowActionURL``).

Post Report Workflow Action names two roles. The **Approver role**: a user with a pending
step instance on the report. The **System role**: a company token, or a Company / Web
Services Administrator where they are not the assignee; "The expense report owner must have
an approver or processor assigned to them before the System role can make changes".
"""

from __future__ import annotations

from typing import Final

from sandbox.records import SandboxReport, StepInstance
from sandbox.state import Store

PROCESSOR_STATUS: Final = "A_ACCO"
SYSTEM_ROLE_NEEDS_APPROVER: Final = (
    "The expense report owner must have an approver or processor assigned to them before "
    "the System role can make changes."
)


def pending_instance(report: SandboxReport, user_id: str) -> StepInstance | None:
    """The user's unfinished step instance at the current step (the Approver role)."""
    uid = user_id.lower()
    return next(
        (
            i
            for i in report.workflow.instances
            if not i.approved and (i.assigned_user_id or "").lower() == uid
        ),
        None,
    )


def is_actionable(report: SandboxReport) -> bool:
    """Approval steps and Processing Payment; never the Processor's step."""
    wf = report.workflow
    return wf.approval_status in ("A_PEND", "A_PECO") or (
        wf.approval_status == "A_APPR" and wf.payment_status == "P_PROC"
    )


def owner_has_approver(store: Store, report: SandboxReport) -> bool:
    """The System role's precondition: the owner has an approver (``manager_id``)."""
    owner = store.user(report.owner_id)
    return owner is not None and bool(owner.manager_id)


def system_role_may_act(store: Store, report: SandboxReport) -> bool:
    return is_actionable(report) and owner_has_approver(store, report)


__all__ = [
    "PROCESSOR_STATUS",
    "SYSTEM_ROLE_NEEDS_APPROVER",
    "is_actionable",
    "owner_has_approver",
    "pending_instance",
    "system_role_may_act",
]
