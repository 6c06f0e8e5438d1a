"""Protocol-agnostic operations: the one place for upstream fan-out, the workflow guard and
idempotency. GraphQL resolvers (and a gRPC servicer) are thin layers over these modules."""

from __future__ import annotations

from resolvers.operations.services import Operations

__all__ = ["Operations"]
