"""How many GraphQL WebSocket connections may be open, in all and per caller.

Each open connection holds a socket, a handler task and up to ``max_per_connection``
subscriptions; without a bound, a few hundred idle connections (half of them anonymous) are
held forever. The global bound is checked before the upgrade (the caller gets an HTTP 503
GraphQL error and no socket); the per-caller bound once the caller is known, at
``connection_init`` (close code 4429). Counts are per replica, in process: a connection
lives in exactly one process, and the counts live on the app's view.
"""

from __future__ import annotations

from collections import Counter

from gateway.settings import WebSocketSettings


class ConnectionCounts:
    """Open connections, in all and by principal (``principal_of`` of the credentials)."""

    def __init__(self, settings: WebSocketSettings) -> None:
        self.settings = settings
        self.open = 0
        self._by_principal: Counter[str] = Counter()

    def try_open(self) -> bool:
        """Count a new connection, unless the replica is at ``max_connections``."""
        if self.open >= self.settings.max_connections:
            return False
        self.open += 1
        return True

    def close(self) -> None:
        self.open -= 1

    def try_claim(self, principal: str) -> bool:
        """Count a connection for ``principal``, unless it is at ``max_per_principal``."""
        if self._by_principal[principal] >= self.settings.max_per_principal:
            return False
        self._by_principal[principal] += 1
        return True

    def release(self, principal: str) -> None:
        self._by_principal[principal] -= 1
        if self._by_principal[principal] <= 0:
            del self._by_principal[principal]


__all__ = ["ConnectionCounts"]
