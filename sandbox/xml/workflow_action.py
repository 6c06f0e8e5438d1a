"""v1.1 Post Report Workflow Action: ``POST .../v1.1/report/{stepKey}/workflowaction``.

The outcome travels in ``ActionStatus`` with HTTP 200, as in Concur's samples: success is
``SUCCESS!``/``SUCCESS!``; every refusal is ``FAILURE`` with a message. The step key is the
report's *current* step, so a URL read before any change (through v4, another approver,
a recall) answers with Concur's documented "recently been changed" message. A caller who
may not act at the step also gets a FAILURE (not an HTTP error): the key itself was
handed out only to those who could act. Only a malformed body is an HTTP 400.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from sandbox.text_rules import control_character_problem
from sandbox.workflow_terms import WorkflowRefused
from sandbox.xml import access
from sandbox.xml.body import child_text, parse_body
from sandbox.xml.context import XmlContext, xml_endpoint
from sandbox.xml.errors import BadRequest
from sandbox.xml.namespaces import NS_V11
from sandbox.xml.render import Document

SUCCESS: Final = "SUCCESS!"
FAILURE: Final = "FAILURE"
STALE_MESSAGE: Final = (
    "The action cannot be executed because the item has recently been changed. "
    "Please refresh your list and try again."
)
APPROVE: Final = "Approve"
SEND_BACK: Final = "Send Back to Employee"
RECALL: Final = "Recall to Employee"


def action_status(message: str, status: str) -> web.Response:
    doc = Document("ActionStatus", NS_V11)
    doc.add(doc.root, "Message", message)
    doc.add(doc.root, "Status", status)
    return doc.response()


def _failure(message: str) -> web.Response:
    return action_status(message, FAILURE)


@xml_endpoint
async def post_workflow_action(ctx: XmlContext) -> web.StreamResponse:
    root = parse_body(await ctx.request.read(), "WorkflowAction")
    raw_action = child_text(root, "Action") or ""
    comment = child_text(root, "Comment")
    for name, value in (("Action", raw_action), ("Comment", comment or "")):
        problem = control_character_problem(value)
        if problem:
            raise BadRequest(f"{name} {problem}.")
    action = " ".join(raw_action.split())
    report = ctx.store.report_by_step_key(ctx.request.match_info["step_key"])
    if report is None:
        return _failure(STALE_MESSAGE)
    actor = access.actor_of(ctx.caller)
    chosen = action.lower()
    try:
        if chosen == APPROVE.lower():
            ctx.engine.approve(report, actor, comment=comment or None)
        elif chosen == SEND_BACK.lower():
            ctx.engine.send_back(report, actor, comment=comment)
        elif chosen == RECALL.lower():
            ctx.engine.recall(report, actor)
        else:
            return _failure(
                f"Unknown workflow action {action!r}; the available actions are "
                f"{APPROVE}, {SEND_BACK} and {RECALL}."
            )
    except WorkflowRefused as exc:
        return _failure(exc.message)
    return action_status(SUCCESS, SUCCESS)


__all__ = [
    "APPROVE",
    "FAILURE",
    "RECALL",
    "SEND_BACK",
    "STALE_MESSAGE",
    "SUCCESS",
    "action_status",
    "post_workflow_action",
]
