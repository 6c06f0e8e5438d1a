"""What the shared read cache holds: one name per kind of upstream read.

The loaders name a resource in every ``CacheKey`` and the cache settings give each one its
TTL, so both sides use these members: a name that exists on one side only cannot be
written. Every resource belongs to one report (its key carries the report id), so moving a
report's generation on invalidates all of them at once (``invalidation``).
"""

from __future__ import annotations

from enum import StrEnum


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


__all__ = ["Resource"]
