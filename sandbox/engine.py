"""The sandbox's workflow engine: every state change of a report happens here.

Path: A_NOTF --submit--> A_PEND (MANAGER) --approve--> [A_PECO (CO_APPROVER, one instance per
cost-object approver)] --> A_ACCO (ACCTCLERK, the processor) --process--> A_APPR / P_PROC
--approve (all entries extracted)--> P_PAID. Send back and recall go to A_RESU.

Each transition bumps ``version``, rotates the step key (stale v1.1 WorkflowActionURLs stop
working) and emits an ESS event with the documented facts. Protocol handlers translate the
exceptions below into their own error bodies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.event_facts import report_facts, status_facts
from sandbox.records import (
    APPROVAL_STATUS_NAMES,
    RECALLED_STATUS_NAME,
    SandboxEntry,
    SandboxEvent,
    SandboxReport,
    StepInstance,
)
from sandbox.state import Store
from sandbox.workflow_roles import (
    PROCESSOR_STATUS,
    SYSTEM_ROLE_NEEDS_APPROVER,
    is_actionable,
    owner_has_approver,
    pending_instance,
)
from sandbox.workflow_terms import (
    MAX_COMMENT,
    Actor,
    InvalidInput,
    InvalidState,
    NotAllowed,
    ProcessorStep,
    StepMismatch,
)


class Engine:
    """All transitions of one ``Store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # helpers ---------------------------------------------------------------------------
    def _now(self) -> datetime:
        return self.store.clock()

    def _touch(self, report: SandboxReport) -> None:
        report.version += 1
        report.last_modified = self._now()

    def emit_report_event(
        self, event_type: str, report: SandboxReport, actor: Actor | None
    ) -> None:
        system = actor is not None and actor.is_system
        facts = report_facts(self.store, event_type, report, system=system, now=self._now())
        self.store.emit(SandboxEvent(event_type, report.report_id, facts))

    def _set_step(
        self,
        report: SandboxReport,
        *,
        status: str,
        step_code: str | None,
        role_code: str | None,
        assignees: list[str | None],
        status_name: str | None = None,
    ) -> None:
        wf = report.workflow
        wf.approval_status = status
        wf.approval_status_name = status_name or APPROVAL_STATUS_NAMES.get(status, status)
        wf.step_code = step_code
        wf.role_code = role_code
        wf.sequence += 1  # monotonic: a sequence read before a change never matches again
        wf.instances = [StepInstance(self.store.hex_id(32), uid) for uid in assignees]
        wf.last_transition_at = self._now()
        self.store.rotate_step_key(report)

    def _transition(
        self,
        report: SandboxReport,
        actor: Actor | None,
        *,
        status: str,
        step_code: str | None,
        role_code: str | None,
        assignees: list[str | None],
        payment_status: str | None = None,
        status_name: str | None = None,
        focus_user: str | None = None,
    ) -> None:
        previous_status = report.workflow.approval_status
        previous_payment = report.workflow.payment_status
        if not report.workflow.process_id:
            report.workflow.process_id = self.store.hex_id(32)
        self._set_step(
            report,
            status=status,
            step_code=step_code,
            role_code=role_code,
            assignees=assignees,
            status_name=status_name,
        )
        if payment_status:
            report.workflow.payment_status = payment_status
        self._touch(report)
        facts = status_facts(
            self.store,
            report,
            previous=(previous_status, previous_payment),
            focus_user=focus_user,
            now=self._now(),
        )
        self.store.emit(SandboxEvent("statusChanged", report.report_id, facts))

    def _check_expected(
        self,
        report: SandboxReport,
        expected_step_code: str | None,
        expected_step_sequence: str | None,
    ) -> None:
        wf = report.workflow
        if expected_step_code is not None and expected_step_code != (wf.step_code or ""):
            raise StepMismatch(
                f"The report is not at the expected step {expected_step_code!r}; "
                f"current step is {wf.step_code!r} ({wf.approval_status})."
            )
        if expected_step_sequence is not None and expected_step_sequence != str(wf.sequence):
            raise StepMismatch(
                f"The report is not at the expected step sequence {expected_step_sequence!r}; "
                f"current sequence is {wf.sequence}."
            )

    def pending_instance(self, report: SandboxReport, user_id: str) -> StepInstance | None:
        return pending_instance(report, user_id)

    def is_assigned(self, report: SandboxReport, user_id: str) -> bool:
        return self.pending_instance(report, user_id) is not None

    def _require_approver(self, report: SandboxReport, actor: Actor) -> StepInstance | None:
        wf = report.workflow
        if wf.approval_status == PROCESSOR_STATUS:
            raise ProcessorStep(
                "This API is not supported for the Processor role or expense reports "
                "pending the Processor workflow step."
            )
        if not is_actionable(report):
            raise InvalidState(f"The report is not pending approval (status {wf.approval_status}).")
        if actor.user_id is not None:
            instance = self.pending_instance(report, actor.user_id)
            if instance is not None:
                return instance  # the Approver role
        if actor.may_act_as_system:
            if not owner_has_approver(self.store, report):
                raise NotAllowed(SYSTEM_ROLE_NEEDS_APPROVER)
            return None  # the System role
        if actor.user_id is None:
            raise NotAllowed("A user or company token is required.")
        raise NotAllowed("The user is not an approver of this report at its current step.")

    # actions ---------------------------------------------------------------------------
    def create_report(self, owner_id: str, **fields: Any) -> SandboxReport:
        store = self.store
        report = SandboxReport(
            report_id=store.new_report_id(),
            rpt_key=store.opaque_key(),
            report_key=store.plain_report_key(),
            owner_id=owner_id.lower(),
            report_number=store.next_report_number(),
            creation_date=self._now(),
            last_modified=self._now(),
            **fields,
        )
        store.add_report(report)
        self.emit_report_event("reportCreated", report, None)
        return report

    def update_report(self, report: SandboxReport, actor: Actor | None, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(report, name, value)
        self._touch(report)
        self.emit_report_event("reportUpdated", report, actor)

    def delete_report(self, report: SandboxReport, actor: Actor | None) -> None:
        if report.is_submitted:
            raise InvalidState("Only unsubmitted reports can be deleted.")
        self.store.remove_report(report)
        self.emit_report_event("reportDeleted", report, actor)

    def add_entry(self, report: SandboxReport, entry: SandboxEntry) -> None:
        if report.is_submitted:
            raise InvalidState("Entries can only be added to unsubmitted reports.")
        report.entries.append(entry)
        self._touch(report)
        self.emit_report_event("reportUpdated", report, None)

    def submit(self, report: SandboxReport, actor: Actor) -> None:
        if report.is_submitted:
            raise InvalidState(
                f"The report cannot be submitted from status {report.workflow.approval_status}."
            )
        if not report.entries:
            raise InvalidState("The report has no expenses and cannot be submitted.")
        if not actor.is_system and (actor.user_id or "").lower() != report.owner_id:
            raise NotAllowed("Only the report owner can submit the report.")
        owner = self.store.user(report.owner_id)
        manager = owner.manager_id if owner else None
        report.submit_date = self._now()
        self._transition(
            report,
            actor,
            status="A_PEND",
            step_code="MANAGER",
            role_code="MANAGER",
            assignees=[manager],
            focus_user=report.owner_id,
        )

    def approve(
        self,
        report: SandboxReport,
        actor: Actor,
        *,
        expected_step_code: str | None = None,
        expected_step_sequence: str | None = None,
        comment: str | None = None,
    ) -> None:
        if comment is not None and len(comment) > MAX_COMMENT:
            raise InvalidInput(f"The comment is longer than {MAX_COMMENT} characters.")
        self._check_expected(report, expected_step_code, expected_step_sequence)
        instance = self._require_approver(report, actor)
        wf = report.workflow
        focus = actor.user_id
        if wf.approval_status == "A_APPR":  # Processing Payment -> Paid
            if not all(e.extracted for e in report.entries):
                raise InvalidState(
                    "Reports can't be moved from Processing Payment to Paid until all of "
                    "their expense entries have been extracted or manually paid."
                )
            report.paid_date = self._now()
            self._transition(
                report,
                actor,
                status="A_APPR",
                step_code="PAIDREPORT",
                role_code=None,
                assignees=[],
                payment_status="P_PAID",
                focus_user=focus,
            )
            return
        if instance is not None:
            instance.approved = True
            if any(not i.approved for i in wf.instances):
                self._touch(report)  # one co-approver done; the step continues
                return
        if wf.approval_status == "A_PEND" and report.cost_objects:
            self._transition(
                report,
                actor,
                status="A_PECO",
                step_code="CO_STEP",
                role_code="CO_APPROVER",
                assignees=_unique(c.approver_id for c in report.cost_objects),
                focus_user=focus,
            )
            return
        self._transition(
            report,
            actor,
            status="A_ACCO",
            step_code="ACCTCLERK",
            role_code="ACCT_CLERK",
            assignees=[self._processor_id()],
            focus_user=focus,
        )

    def send_back(
        self,
        report: SandboxReport,
        actor: Actor,
        *,
        comment: str | None,
        expected_step_code: str | None = None,
        expected_step_sequence: str | None = None,
    ) -> None:
        if not comment or not comment.strip():
            raise InvalidInput("A comment is required to send a report back.")
        if len(comment) > MAX_COMMENT:
            raise InvalidInput(f"The comment is longer than {MAX_COMMENT} characters.")
        self._check_expected(report, expected_step_code, expected_step_sequence)
        self._require_approver(report, actor)
        report.ever_sent_back = True
        report.comment = comment
        self._transition(
            report,
            actor,
            status="A_RESU",
            step_code="SENDBACK",
            role_code=None,
            assignees=[],
            focus_user=actor.user_id,
        )

    def recall(self, report: SandboxReport, actor: Actor) -> None:
        if (actor.user_id or "").lower() != report.owner_id:
            raise NotAllowed("Only the report owner can recall the report.")
        if not report.can_recall:
            raise InvalidState(
                f"The report cannot be recalled from status {report.workflow.approval_status}."
            )
        self._transition(
            report,
            actor,
            status="A_RESU",
            step_code="RECALL",
            role_code=None,
            assignees=[],
            status_name=RECALLED_STATUS_NAME,
            focus_user=report.owner_id,
        )

    def process(self, report: SandboxReport) -> None:
        """The processor's approval, done in Concur's UI (sandbox-only admin action)."""
        if report.workflow.approval_status != PROCESSOR_STATUS:
            raise InvalidState("The report is not pending the Processor step.")
        self._transition(
            report,
            None,
            status="A_APPR",
            step_code=None,
            role_code=None,
            assignees=[],
            payment_status="P_PROC",
            focus_user=self._processor_id(),
        )

    def extract(self, report: SandboxReport) -> None:
        """Mark every entry extracted (the nightly extract, sandbox-only admin action)."""
        for entry in report.entries:
            entry.extracted = True
        self._touch(report)

    def _processor_id(self) -> str | None:
        return next(
            (u.id for u in self.store.users.values() if "PROCESSOR" in u.roles),
            None,
        )


def _unique(values: Any) -> list[str | None]:
    seen: list[str | None] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


__all__ = ["Engine"]
