"""How much of Concur's rate limit the gateway may spend, and how it is shared.

Concur publishes no limits for the Expense report APIs (its Quick Expense v4 API allows 120
requests per 5 minutes per user), so the default is conservative: 1,200 upstream calls per
minute for the whole company app (every replica together, 20 a second), and no caller more
than half of it. Callers are charged a query's price (its worst case), not what it spent.
A query is priced before it runs (``resolvers.operations.pricing``); a query over
``max_cost`` is refused whatever the budget holds.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class BudgetSettings(BaseModel):
    """The company app's upstream-call budget (``CONCUR_GATEWAY_BUDGET__*``)."""

    enabled: bool = True
    """Off: queries are still priced (``extensions.cost``) but never refused for the budget."""
    calls_per_window: int = Field(default=1200, ge=1)
    """Upstream calls the whole company app may make per window, across replicas."""
    window_s: int = Field(default=60, ge=1)
    caller_share: float = Field(default=0.5, gt=0, le=1)
    """The most of the app's window one caller (principal) may spend: the rest stays for
    the others, and what idle callers leave is there for busy ones up to this share."""
    max_cost: int = Field(default=400, ge=1)
    """A query priced above this is refused (``QUERY_TOO_EXPENSIVE``) before any call."""
    list_size: int = Field(default=25, ge=1)
    """How many reports a list is assumed to hold when pricing (Concur's page size)."""

    @property
    def caller_calls(self) -> int:
        return max(1, int(self.calls_per_window * self.caller_share))


__all__ = ["BudgetSettings"]
