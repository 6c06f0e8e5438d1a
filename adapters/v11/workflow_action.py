"""v1.1 ``WorkflowAction`` requests and their ``ActionStatus`` answers.

Concur answers a refused action with HTTP 200 and ``Status`` ``FAILURE`` (the doc's sample:
"The action cannot be executed because the item has recently been changed…"), so success
must be read from the body, never from the status code.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from adapters.errors import UnsupportedWorkflowStep, WorkflowActionFailed
from adapters.messages import upstream_text
from adapters.models import WorkflowActionKind
from adapters.v11.namespaces import V11_NS, expect_root
from adapters.v11.values import XmlRecord
from adapters.v11.xmlsafe import element, parse_xml, to_bytes

ACTION_NAMES: Final = {
    WorkflowActionKind.APPROVE: "Approve",
    WorkflowActionKind.SEND_BACK: "Send Back to Employee",
    WorkflowActionKind.RECALL: "Recall to Employee",
}
PROCESSOR_MARKER: Final = "not supported for the processor role"


def build_workflow_action(action: WorkflowActionKind, comment: str | None) -> bytes:
    name = ACTION_NAMES.get(action)
    if name is None:
        raise ValueError(f"{action} has no v1.1 workflow action")
    root = element("WorkflowAction", V11_NS)
    etree.SubElement(root, f"{{{V11_NS}}}Action").text = name
    if comment is not None:
        etree.SubElement(root, f"{{{V11_NS}}}Comment").text = comment
    return to_bytes(root)


def check_action_status(body: bytes, *, correlation_id: str | None = None) -> None:
    """Return on ``SUCCESS``; raise ``WorkflowActionFailed`` (or ``UnsupportedWorkflowStep``
    for the Processor step) with Concur's message otherwise."""
    root = parse_xml(body, correlation_id=correlation_id)
    namespace = expect_root(root, "ActionStatus", V11_NS, correlation_id=correlation_id)
    status = XmlRecord(root, namespace, correlation_id=correlation_id)
    if (status.text("Status") or "").upper().startswith("SUCCESS"):
        return
    message = upstream_text(status.text("Message")) or "Concur refused the workflow action."
    if PROCESSOR_MARKER in message.lower():
        raise UnsupportedWorkflowStep(
            f"{message} The processor must act in Concur itself.", correlation_id=correlation_id
        )
    raise WorkflowActionFailed(
        f"{message} Re-read the report before trying again.", correlation_id=correlation_id
    )


__all__ = ["ACTION_NAMES", "build_workflow_action", "check_action_status"]
