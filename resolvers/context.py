"""The per-request context every resolver and operation receives.

Built by the HTTP view for each GraphQL request (and, the same way, by a gRPC servicer per
call), so it depends on nothing transport-specific.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.client import Credentials
from adapters.errors import credentials_required
from resolvers.operations.loaders import Loaders
from resolvers.operations.services import Operations


@dataclass(frozen=True, slots=True)
class Context:
    """Who is asking, with this request's own loaders."""

    operations: Operations
    loaders: Loaders
    credentials: Credentials | None
    correlation_id: str | None = None

    @classmethod
    def build(
        cls,
        operations: Operations,
        credentials: Credentials | None,
        correlation_id: str | None = None,
    ) -> Context:
        return cls(
            operations=operations,
            loaders=operations.new_loaders(credentials),
            credentials=credentials,
            correlation_id=correlation_id,
        )

    def require_credentials(self) -> Credentials:
        """The caller's credentials; anonymous callers get ``Unauthenticated``."""
        if self.credentials is None:
            raise credentials_required()
        return self.credentials


__all__ = ["Context"]
