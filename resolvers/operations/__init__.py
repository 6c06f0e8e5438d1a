"""Protocol-agnostic operations: the one place for upstream fan-out, the workflow guard and
idempotency. GraphQL resolvers (and a gRPC servicer) are thin layers over these modules.

Import the submodules themselves (``resolvers.operations.services``...): this package
imports nothing, so low modules (``resources``, the cache seam) load without the graph.
"""

from __future__ import annotations

__all__: list[str] = []
