"""v4 workflow actions: approve, send back, recall, submit (all PATCH, 204 on success).

Approve and send back exist twice: the short URL (no user, no context) takes a company
token and serves system steps; the long URL under ``context/MANAGER`` takes the approver's
user token. Recall is long-URL only (``TRAVELER`` or ``PROXY``); submit has no context
segment at all. ``expectedStepCode``/``expectedStepSequence`` make Concur itself refuse
(409) when the report has moved on, closing the gap between our read and the action.
"""

from __future__ import annotations

from typing import Final

import orjson

from adapters.errors import BadUserInput
from adapters.models import ReportContext, TokenKind, WorkflowActionKind

SHORT_ACTION_ROUTES: Final = {
    WorkflowActionKind.APPROVE: "/expensereports/v4/reports/{reportId}/approve",
    WorkflowActionKind.SEND_BACK: "/expensereports/v4/reports/{reportId}/sendBack",
}
LONG_ACTION_ROUTES: Final = {
    WorkflowActionKind.APPROVE: (
        "/expensereports/v4/users/{userId}/context/MANAGER/reports/{reportId}/approve"
    ),
    WorkflowActionKind.SEND_BACK: (
        "/expensereports/v4/users/{userId}/context/MANAGER/reports/{reportId}/sendBack"
    ),
}
RECALL_ROUTE: Final = (
    "/expensereports/v4/users/{userId}/context/{contextType}/reports/{reportId}/recall"
)
SUBMIT_ROUTE: Final = "/expensereports/v4/users/{userId}/reports/{reportId}/submit"
RECALL_CONTEXTS: Final = frozenset({ReportContext.TRAVELER, ReportContext.PROXY})


def action_route(action: WorkflowActionKind, kind: TokenKind) -> str:
    """Short URL for a company token, long (MANAGER) URL for a user token."""
    routes = SHORT_ACTION_ROUTES if kind is TokenKind.COMPANY else LONG_ACTION_ROUTES
    return routes[action]


def action_body(
    *,
    comment: str | None,
    expense_rejected_comment: str | None = None,
    expected_step_code: str | None = None,
    expected_step_sequence: str | None = None,
) -> bytes:
    """``ReportApproveRequest``/``ReportSendBackRequest`` with absent fields omitted."""
    document = {
        "comment": comment,
        "expenseRejectedComment": expense_rejected_comment,
        "expectedStepCode": expected_step_code,
        "expectedStepSequence": expected_step_sequence,
    }
    return orjson.dumps({k: v for k, v in document.items() if v is not None})


def recall_context(context: ReportContext) -> ReportContext:
    if context not in RECALL_CONTEXTS:
        raise BadUserInput(
            "A report can be recalled only as its owner (TRAVELER) or a proxy (PROXY).",
            field="context",
        )
    return context


__all__ = [
    "LONG_ACTION_ROUTES",
    "RECALL_CONTEXTS",
    "RECALL_ROUTE",
    "SHORT_ACTION_ROUTES",
    "SUBMIT_ROUTE",
    "action_body",
    "action_route",
    "recall_context",
]
