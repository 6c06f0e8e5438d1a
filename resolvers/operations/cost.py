"""What one request costs upstream: its price (before it runs) and what it really spent.

A ``RequestCost`` is opened per GraphQL operation or gRPC call and put in a ``ContextVar``;
the transport's hook counts each upstream attempt into it (``count_upstream_call``), the read
cache each read it answered without Concur (``count_cached``). Tasks started by the request
(loaders, prefetch) inherit the variable, so their calls are counted too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """The caller's share after this request was priced (``Query.rateLimit``)."""

    limit: int
    remaining: int
    reset_at: datetime


@dataclass(slots=True)
class RequestCost:
    """Upstream calls of one request: ``estimated`` before, ``actual`` and ``cached`` after."""

    estimated: int = 0
    actual: int = 0
    cached: int = 0
    dry_run: bool = False
    status: BudgetStatus | None = field(default=None)

    def as_extension(self) -> dict[str, int]:
        return {"estimated": self.estimated, "actual": self.actual, "cached": self.cached}


REQUEST_COST: ContextVar[RequestCost | None] = ContextVar("request_cost", default=None)


@contextmanager
def costing() -> Iterator[RequestCost]:
    """Count the upstream calls made inside the block into a fresh ``RequestCost``."""
    cost = RequestCost()
    token = REQUEST_COST.set(cost)
    try:
        yield cost
    finally:
        REQUEST_COST.reset(token)


def count_upstream_call() -> None:
    cost = REQUEST_COST.get()
    if cost is not None:
        cost.actual += 1


def count_cached() -> None:
    cost = REQUEST_COST.get()
    if cost is not None:
        cost.cached += 1


__all__ = [
    "REQUEST_COST",
    "BudgetStatus",
    "RequestCost",
    "costing",
    "count_cached",
    "count_upstream_call",
]
