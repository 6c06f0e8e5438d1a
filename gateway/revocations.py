"""Revoked access tokens shared by replicas (``adapters.revocations``), kept in Redis.

A 401 from Concur reaches one replica; the next request with that token may reach any
other, which would still accept it locally and answer from its caches. So a revocation is
one Redis key per token digest, expiring with the token (``SET .. EX``), announced to every
replica's near cache, and a check asks Redis (one ``EXISTS``) only when the near cache does
not know the answer (``gateway.cache.near``). This replica also keeps it in process: while
Redis is failing the revocations it made itself still hold, and the token is never accepted
here again.
"""

from __future__ import annotations

import logging
import math

from adapters.revocations import LocalRevocations, TokenRevocations
from gateway.cache.backend import CacheBackend, CacheUnavailable

logger = logging.getLogger(__name__)


class RedisTokenRevocations:
    """``TokenRevocations`` in the shared Redis, with this process's own as a fallback."""

    def __init__(self, backend: CacheBackend, *, local: LocalRevocations) -> None:
        if backend.redis is None:
            raise ValueError("RedisTokenRevocations needs a Redis backend")
        self._backend = backend
        self._prefix = f"{backend.prefix}revoked-token:"
        self._local = local

    async def is_revoked(self, digest: str) -> bool:
        if await self._local.is_revoked(digest):
            return True
        try:
            found = await self._backend.exists_near(self._prefix + digest)
        except CacheUnavailable:
            return False  # Concur still refuses it upstream; only cached answers could leak
        return bool(found)

    async def revoke(self, digest: str, ttl_s: float) -> None:
        await self._local.revoke(digest, ttl_s)
        seconds = max(1, math.ceil(ttl_s))
        try:
            await self._backend.set_announced(self._prefix + digest, 1, seconds)
        except CacheUnavailable:
            logger.warning("token revocation kept in this process only: redis unavailable")


def token_revocations(backend: CacheBackend) -> TokenRevocations:
    """Shared in Redis when the backend is, else in this process."""
    local = LocalRevocations()
    if backend.redis is None:
        return local
    return RedisTokenRevocations(backend, local=local)


__all__ = ["RedisTokenRevocations", "token_revocations"]
