"""Tokens Concur refused before their ``exp``: no longer accepted by the local check.

Callers' tokens are verified locally (``JwksVerifier``) and remembered until they expire, so
a token Concur revokes early (the user logged out, an administrator disabled the app) would
keep reading cached answers until its ``exp``. When Concur answers 401 to a token, the token
is revoked here for the rest of its lifetime; every replica must see that at once, so the
gateway injects a store shared through Redis (``gateway.revocations``). Tokens are kept only
as SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol


def token_digest(token: str) -> str:
    """The name a token is revoked under: never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


class TokenRevocations(Protocol):
    """Where revoked tokens are remembered, by digest, until they would have expired."""

    async def is_revoked(self, digest: str) -> bool: ...

    async def revoke(self, digest: str, ttl_s: float) -> None:
        """Refuse the token for the next ``ttl_s`` seconds (its remaining lifetime)."""
        ...


class LocalRevocations:
    """In this process only: bounded, expiring by wall clock (as ``exp`` does)."""

    def __init__(
        self, *, max_entries: int = 10_000, clock: Callable[[], float] = time.time
    ) -> None:
        self._max_entries = max(1, max_entries)
        self._clock = clock
        self._until: OrderedDict[str, float] = OrderedDict()

    async def is_revoked(self, digest: str) -> bool:
        until = self._until.get(digest)
        if until is None:
            return False
        if until <= self._clock():
            del self._until[digest]
            return False
        return True

    async def revoke(self, digest: str, ttl_s: float) -> None:
        self._until[digest] = self._clock() + ttl_s
        self._until.move_to_end(digest)
        while len(self._until) > self._max_entries:
            self._until.popitem(last=False)  # when full, the oldest revocation goes first


__all__ = ["LocalRevocations", "TokenRevocations", "token_digest"]
