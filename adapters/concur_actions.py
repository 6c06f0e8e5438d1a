"""Workflow actions (approve, send back, recall, submit): sent once, never retried.

v4 takes the short URL with a company token and the long one with a user token; v1.1 posts
a ``WorkflowAction`` to the report's own ``WorkflowActionURL`` (``adapters.origins`` says
where a token may go).
"""

from __future__ import annotations

from typing import Final

from adapters import origins
from adapters.client import Credentials
from adapters.comments import check_comment
from adapters.concur_calls import ConcurCalls
from adapters.http import Operation
from adapters.models import Protocol, ReportContext, WorkflowActionKind
from adapters.transport_errors import unknown_outcome_if_unreadable
from adapters.v4 import workflow as v4_workflow
from adapters.v11 import workflow_action as v11_workflow

WORKFLOW_ACTION_ROUTE: Final = "/api/expense/expensereport/v1.1/report/{stepKey}/workflowaction"


class WorkflowActions(ConcurCalls):
    """The workflow actions of ``ConcurClient``."""

    async def _xml_action(
        self,
        creds: Credentials,
        action: WorkflowActionKind,
        comment: str | None,
        action_url: str | None,
    ) -> None:
        response = await self._xml(
            "POST",
            WORKFLOW_ACTION_ROUTE,
            creds,
            url=origins.workflow_action_url(self._origins.xml, action_url),
            operation=Operation.WORKFLOW,
            body=v11_workflow.build_workflow_action(action, comment),
        )
        with unknown_outcome_if_unreadable(response.correlation_id):
            v11_workflow.check_action_status(response.body, correlation_id=response.correlation_id)

    async def _v4_action(
        self,
        creds: Credentials,
        report_id: str,
        action: WorkflowActionKind,
        *,
        comment: str | None,
        expense_rejected_comment: str | None = None,
        expected_step_code: str | None,
        expected_step_sequence: str | None,
    ) -> None:
        await self._v4(
            "PATCH",
            v4_workflow.action_route(action, creds.kind),
            creds,
            operation=Operation.WORKFLOW,
            body=v4_workflow.action_body(
                comment=comment,
                expense_rejected_comment=expense_rejected_comment,
                expected_step_code=expected_step_code,
                expected_step_sequence=expected_step_sequence,
            ),
            expected_step=expected_step_code is not None or expected_step_sequence is not None,
            userId=creds.user_id,
            reportId=report_id,
        )

    async def approve(
        self,
        creds: Credentials,
        report_id: str,
        *,
        protocol: Protocol,
        comment: str | None = None,
        expense_rejected_comment: str | None = None,
        expected_step_code: str | None = None,
        expected_step_sequence: str | None = None,
        workflow_action_url: str | None = None,
    ) -> None:
        check_comment(comment)
        if protocol is Protocol.XML:
            await self._xml_action(creds, WorkflowActionKind.APPROVE, comment, workflow_action_url)
            return
        await self._v4_action(
            creds,
            report_id,
            WorkflowActionKind.APPROVE,
            comment=comment,
            expense_rejected_comment=expense_rejected_comment,
            expected_step_code=expected_step_code,
            expected_step_sequence=expected_step_sequence,
        )

    async def send_back(
        self,
        creds: Credentials,
        report_id: str,
        *,
        protocol: Protocol,
        comment: str,
        expected_step_code: str | None = None,
        expected_step_sequence: str | None = None,
        workflow_action_url: str | None = None,
    ) -> None:
        check_comment(comment, required=True)
        if protocol is Protocol.XML:
            await self._xml_action(
                creds, WorkflowActionKind.SEND_BACK, comment, workflow_action_url
            )
            return
        await self._v4_action(
            creds,
            report_id,
            WorkflowActionKind.SEND_BACK,
            comment=comment,
            expected_step_code=expected_step_code,
            expected_step_sequence=expected_step_sequence,
        )

    async def recall(self, creds: Credentials, report_id: str, context: ReportContext) -> None:
        await self._v4(
            "PATCH",
            v4_workflow.RECALL_ROUTE,
            creds,
            operation=Operation.WORKFLOW,
            userId=creds.user_id,
            contextType=v4_workflow.recall_context(context).value,
            reportId=report_id,
        )

    async def submit(self, creds: Credentials, report_id: str) -> None:
        await self._v4(
            "PATCH",
            v4_workflow.SUBMIT_ROUTE,
            creds,
            operation=Operation.WRITE,
            userId=creds.user_id,
            reportId=report_id,
        )


__all__ = ["WorkflowActions"]
