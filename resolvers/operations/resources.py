"""What the shared read cache holds: one name per kind of upstream read, and its scope.

The loaders name a resource in every ``CacheKey`` and the cache settings give each one its
TTL, so both sides use these members: a name that exists on one side only cannot be
written. Every resource has one generation scope: a report's resources belong to the report
(its key carries the report id), so moving a report's generation on invalidates all of them
at once; a list's membership belongs to its user and list (``list_scope``).
"""

from __future__ import annotations

from enum import StrEnum

import orjson

from adapters.models import ReportView


class Resource(StrEnum):
    """A cached upstream read, by what it returns."""

    REPORT = "report"
    """The v4 header, read in one context (TRAVELER, MANAGER...)."""
    DETAILS = "details"
    """The v1.1 report details (entries, workflow URL)."""
    ENTRY = "entry"
    """One v1.1 entry of a report."""
    COST_OBJECTS = "cost_objects"
    """The v4 cost objects an approver sees for a report."""
    LISTS = "lists"
    """Which reports one of a caller's lists names (v1.1 ReportsList, v4 reportsToApprove)."""


class UserList(StrEnum):
    """The lists whose membership has a generation of its own, per user."""

    TO_APPROVE = "toapprove"
    """The approval queue (``reportsToApprove``, ``reports(view: TOAPPROVE)``)."""
    OWNED = "owned"
    """Every other view: the user's own reports, by workflow state."""


def user_list(view: ReportView) -> UserList:
    return UserList.TO_APPROVE if view is ReportView.TOAPPROVE else UserList.OWNED


def list_scope(user_id: str, listed: UserList) -> str:
    """The generation scope of a user's list: JSON-encoded, so it can never be a report id
    (which has no quotes) nor another user's list."""
    return "lists:" + orjson.dumps([user_id.strip().casefold(), listed.value]).decode()


__all__ = ["Resource", "UserList", "list_scope", "user_list"]
