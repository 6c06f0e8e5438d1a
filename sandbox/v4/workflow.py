"""Workflows v4: approve and send back (short URL with a company token, long URL in the
MANAGER context with a user token), recall and submit. All answer 204 on success.

``expectedStepCode``/``expectedStepSequence`` let a client say which step it is acting
on; a mismatch is a 409, so an action never lands on a step the client did not see.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from sandbox.keys import ENGINE
from sandbox.roles import is_admin
from sandbox.v4.access import (
    COMPANY_ONLY,
    OWNER_CONTEXTS,
    USER_ONLY,
    USER_OR_COMPANY,
    caller_of,
    context_of,
    path_user,
    report_of,
    require_owner,
)
from sandbox.v4.bodies import Check, check_fields, json_object, one_of, sequence_text, text
from sandbox.v4.errors import v4_errors
from sandbox.workflow_terms import MAX_COMMENT, Actor

APPROVE: Final[dict[str, Check]] = {
    "comment": text(MAX_COMMENT),
    "expenseRejectedComment": text(MAX_COMMENT),
    "expectedStepCode": text(),
    "expectedStepSequence": sequence_text,
    "statusId": one_of("A_APPR"),
}
SEND_BACK: Final[dict[str, Check]] = {
    "comment": text(MAX_COMMENT),
    "expectedStepCode": text(),
    "expectedStepSequence": sequence_text,
}
MANAGER_CONTEXT: Final = frozenset({"MANAGER"})


def _expected_sequence(value: object) -> str | None:
    return None if value is None else str(value)


async def _approve(request: web.Request, actor: Actor) -> web.StreamResponse:
    report = report_of(request)
    body = await json_object(request, allow_empty=True)
    check_fields(body, APPROVE)
    request.app[ENGINE].approve(
        report,
        actor,
        expected_step_code=body.get("expectedStepCode"),
        expected_step_sequence=_expected_sequence(body.get("expectedStepSequence")),
        comment=body.get("comment"),
    )
    return web.Response(status=204)


async def _send_back(request: web.Request, actor: Actor) -> web.StreamResponse:
    report = report_of(request)
    body = await json_object(request, allow_empty=True)
    check_fields(body, SEND_BACK, required=("comment",))
    request.app[ENGINE].send_back(
        report,
        actor,
        comment=body.get("comment"),
        expected_step_code=body.get("expectedStepCode"),
        expected_step_sequence=_expected_sequence(body.get("expectedStepSequence")),
    )
    return web.Response(status=204)


@v4_errors
async def approve_as_company(request: web.Request) -> web.StreamResponse:
    caller_of(request, COMPANY_ONLY)
    return await _approve(request, Actor(None, "company"))


@v4_errors
async def send_back_as_company(request: web.Request) -> web.StreamResponse:
    caller_of(request, COMPANY_ONLY)
    return await _send_back(request, Actor(None, "company"))


@v4_errors
async def approve_as_manager(request: web.Request) -> web.StreamResponse:
    caller = caller_of(request, USER_ONLY)
    context_of(request, MANAGER_CONTEXT)
    user = path_user(request, caller)
    return await _approve(request, Actor(user.id, "user", admin=is_admin(user)))


@v4_errors
async def send_back_as_manager(request: web.Request) -> web.StreamResponse:
    caller = caller_of(request, USER_ONLY)
    context_of(request, MANAGER_CONTEXT)
    user = path_user(request, caller)
    return await _send_back(request, Actor(user.id, "user", admin=is_admin(user)))


@v4_errors
async def recall(request: web.Request) -> web.StreamResponse:
    caller = caller_of(request, USER_ONLY)
    context_of(request, OWNER_CONTEXTS)
    user = path_user(request, caller)
    report = report_of(request)
    request.app[ENGINE].recall(report, Actor(user.id, "user"))
    return web.Response(status=204)


@v4_errors
async def submit(request: web.Request) -> web.StreamResponse:
    """409 when the report is not submittable (already submitted, or has no expenses)."""
    caller = caller_of(request, USER_OR_COMPANY)
    user = path_user(request, caller)
    report = report_of(request)
    require_owner(report, user)
    actor = Actor(user.id, "user") if caller.kind == "user" else Actor(None, "company")
    request.app[ENGINE].submit(report, actor)
    return web.Response(status=204)


__all__ = [
    "approve_as_company",
    "approve_as_manager",
    "recall",
    "send_back_as_company",
    "send_back_as_manager",
    "submit",
]
