"""The caller's share of Concur's rate limit, as GitHub's GraphQL API shows its own."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.operations.cost import RequestCost


@strawberry.type(
    description="This query's price in upstream calls and the caller's share of the "
    "company app's budget after it (``rateLimit(dryRun: true)`` prices without running)."
)
class RateLimit:
    cost: int = strawberry.field(description="Upstream calls this query can cost at most.")
    limit: int = strawberry.field(description="Calls the caller's share holds per window.")
    remaining: int = strawberry.field(description="Calls left to the caller in this window.")
    reset_at: datetime = strawberry.field(description="When the window has room again.")

    @classmethod
    def from_cost(cls, cost: RequestCost | None) -> RateLimit | None:
        if cost is None or cost.status is None:
            return None
        status = cost.status
        return cls(
            cost=cost.estimated,
            limit=status.limit,
            remaining=status.remaining,
            reset_at=status.reset_at,
        )


__all__ = ["RateLimit"]
