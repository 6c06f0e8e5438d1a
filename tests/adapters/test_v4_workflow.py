from __future__ import annotations

import json

import pytest

from adapters.errors import BadUserInput
from adapters.models import ReportContext, TokenKind, WorkflowActionKind
from adapters.v4.workflow import action_body, action_route, recall_context


def test_company_tokens_use_the_short_url_and_user_tokens_the_long_one() -> None:
    assert action_route(WorkflowActionKind.APPROVE, TokenKind.COMPANY) == (
        "/expensereports/v4/reports/{reportId}/approve"
    )
    assert action_route(WorkflowActionKind.SEND_BACK, TokenKind.USER) == (
        "/expensereports/v4/users/{userId}/context/MANAGER/reports/{reportId}/sendBack"
    )


def test_action_body_omits_absent_fields() -> None:
    assert json.loads(action_body(comment="Approved")) == {"comment": "Approved"}
    assert json.loads(
        action_body(
            comment=None,
            expense_rejected_comment="Expense rejected",
            expected_step_code="MANAGER",
            expected_step_sequence="2",
        )
    ) == {
        "expenseRejectedComment": "Expense rejected",
        "expectedStepCode": "MANAGER",
        "expectedStepSequence": "2",
    }


@pytest.mark.parametrize("context", [ReportContext.MANAGER, ReportContext.PROCESSOR])
def test_recall_only_as_owner_or_proxy(context: ReportContext) -> None:
    with pytest.raises(BadUserInput):
        recall_context(context)
    assert recall_context(ReportContext.PROXY) is ReportContext.PROXY
