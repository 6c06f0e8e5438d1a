from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from adapters.errors import UnsupportedWorkflowStep, WorkflowActionFailed
from adapters.models import WorkflowActionKind
from adapters.v11.workflow_action import build_workflow_action, check_action_status


def canonical(body: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    return etree.tostring(etree.fromstring(body, parser), method="c14n")


def test_doc_workflow_action_request_is_built_exactly(data: Callable[[str], bytes]) -> None:
    built = build_workflow_action(WorkflowActionKind.APPROVE, "Approved via Concur Connect")
    assert canonical(built) == canonical(data("workflow_action_request.xml"))


def test_send_back_action_name_and_escaped_comment() -> None:
    built = etree.fromstring(build_workflow_action(WorkflowActionKind.SEND_BACK, "<fix> & redo"))
    assert [child.text for child in built] == ["Send Back to Employee", "<fix> & redo"]


def test_approve_without_comment_has_no_comment_element() -> None:
    built = etree.fromstring(build_workflow_action(WorkflowActionKind.APPROVE, None))
    assert [etree.QName(child).localname for child in built] == ["Action"]


def test_doc_success_sample(data: Callable[[str], bytes]) -> None:
    check_action_status(data("action_status_success.xml"))


def test_doc_failure_sample(data: Callable[[str], bytes]) -> None:
    with pytest.raises(WorkflowActionFailed) as caught:
        check_action_status(data("action_status_failure.xml"), correlation_id="cid")
    assert "recently been changed" in caught.value.message
    assert caught.value.correlation_id == "cid"


def test_processor_step_failure_is_unsupported_step() -> None:
    body = (
        b'<ActionStatus xmlns="http://www.concursolutions.com/api/expense/expensereport/2011/03">'
        b"<Message>This API is not supported for the Processor role or expense reports pending "
        b"the Processor workflow step.</Message><Status>FAILURE</Status></ActionStatus>"
    )
    with pytest.raises(UnsupportedWorkflowStep):
        check_action_status(body)
