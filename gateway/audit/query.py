"""Which records an ``AuditFilter`` selects: one rule for every store.

The PostgreSQL store turns the same filter into a ``WHERE`` clause (``where_clause``); the
embedded store applies ``matches`` record by record. Both must agree, and a test checks it.
"""

from __future__ import annotations

from typing import Any

from resolvers.operations.audit import AuditFilter, AuditRecord


def matches(record: AuditRecord, where: AuditFilter) -> bool:
    return (
        (where.report_id is None or record.report_id == where.report_id)
        and (where.user_id is None or record.user_id.lower() == where.user_id.lower())
        and (where.action is None or record.action == where.action)
        and (where.outcome is None or record.outcome == where.outcome)
        and (where.since is None or record.recorded_at >= where.since)
        and (where.until is None or record.recorded_at < where.until)
    )


def where_clause(where: AuditFilter, after: int | None) -> tuple[str, dict[str, Any]]:
    """SQL conditions (with named parameters) selecting what ``matches`` selects."""
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if after is not None:
        conditions.append("id > %(after)s")
        params["after"] = after
    if where.report_id is not None:
        conditions.append("report_id = %(report_id)s")
        params["report_id"] = where.report_id
    if where.user_id is not None:
        conditions.append("lower(user_id) = lower(%(user_id)s)")
        params["user_id"] = where.user_id
    if where.action is not None:
        conditions.append("action = %(action)s")
        params["action"] = where.action
    if where.outcome is not None:
        conditions.append("outcome = %(outcome)s")
        params["outcome"] = where.outcome.value
    if where.since is not None:
        conditions.append("recorded_at >= %(since)s")
        params["since"] = where.since
    if where.until is not None:
        conditions.append("recorded_at < %(until)s")
        params["until"] = where.until
    return (" AND ".join(conditions) or "TRUE"), params


__all__ = ["matches", "where_clause"]
