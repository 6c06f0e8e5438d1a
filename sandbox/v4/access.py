"""Who may use a v4 URL: token kinds, the ``{userId}``/``{contextType}`` segments and the
context rules for reading a report.

A user token acts only as itself (``{userId}`` must be the caller). A company token may act
as any user of its company. Contexts: TRAVELER and PROXY act as the owner; MANAGER sees a
report while assigned at its current step; PROCESSOR (a user with that role) sees submitted
reports; a company token reads any report of the company through any context.
"""

from __future__ import annotations

from aiohttp import web

from sandbox.auth import AuthError, Caller, TokenKind, authenticate
from sandbox.keys import STORE
from sandbox.records import SandboxReport, SandboxUser
from sandbox.v4.errors import V4Error

CONTEXTS = frozenset({"TRAVELER", "MANAGER", "PROCESSOR", "PROXY"})
OWNER_CONTEXTS = frozenset({"TRAVELER", "PROXY"})
USER_OR_COMPANY: frozenset[TokenKind] = frozenset({"user", "company"})
USER_ONLY: frozenset[TokenKind] = frozenset({"user"})
COMPANY_ONLY: frozenset[TokenKind] = frozenset({"company"})


def caller_of(request: web.Request, kinds: frozenset[TokenKind]) -> Caller:
    """Authenticate (401) and require one of ``kinds`` (403)."""
    caller = authenticate(request, "Bearer")
    if caller.kind not in kinds:
        allowed = " or ".join(sorted(kinds))
        raise AuthError(403, f"This API requires a {allowed} access token.")
    return caller


def context_of(request: web.Request, allowed: frozenset[str]) -> str:
    context = request.match_info["contextType"].upper()
    if context not in allowed:
        raise V4Error(
            400,
            f"contextType {request.match_info['contextType']!r} is not supported by this API; "
            f"supported values: {', '.join(sorted(allowed))}.",
        )
    return context


def path_user(request: web.Request, caller: Caller) -> SandboxUser:
    """The ``{userId}`` of the URL; a user token may only name itself."""
    user_id = request.match_info["userId"].lower()
    if caller.user is not None:
        if caller.user.id != user_id:
            raise AuthError(403, "The userId in the URL does not match the access token.")
        return caller.user
    user = request.app[STORE].user(user_id)
    if user is None:
        raise V4Error(404, f"User {request.match_info['userId']} was not found.")
    return user


def report_of(request: web.Request) -> SandboxReport:
    report = request.app[STORE].report(request.match_info["reportId"])
    if report is None:
        raise V4Error(404, f"Report {request.match_info['reportId']} was not found.")
    return report


def assigned_at_current_step(report: SandboxReport, user_id: str) -> bool:
    return any(i.assigned_user_id == user_id for i in report.workflow.instances)


def can_view(report: SandboxReport, caller: Caller, user: SandboxUser, context: str) -> bool:
    if caller.kind == "company":
        return True
    if context in OWNER_CONTEXTS:
        return report.owner_id == user.id
    if context == "MANAGER":
        return assigned_at_current_step(report, user.id)
    if context == "PROCESSOR":
        return "PROCESSOR" in user.roles and report.is_submitted
    return False


def require_view(report: SandboxReport, caller: Caller, user: SandboxUser, context: str) -> None:
    if not can_view(report, caller, user, context):
        raise AuthError(403, f"The user may not access this report in the {context} context.")


def require_owner(report: SandboxReport, user: SandboxUser) -> None:
    if report.owner_id != user.id:
        raise AuthError(403, "The report does not belong to this user.")


__all__ = [
    "COMPANY_ONLY",
    "CONTEXTS",
    "OWNER_CONTEXTS",
    "USER_ONLY",
    "USER_OR_COMPANY",
    "assigned_at_current_step",
    "caller_of",
    "can_view",
    "context_of",
    "path_user",
    "report_of",
    "require_owner",
    "require_view",
]
