"""Routes Concur throttled, paused for every replica: one Redis key per route, expiring when
the pause ends (Redis times it, so replicas need no shared clock). With Redis unreachable,
pauses fall back to this replica's own."""

from __future__ import annotations

import logging
import time
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.pauses import LocalPauses

logger = logging.getLogger(__name__)

_PREFIX: Final = "pause"


class RedisPauses:
    """``adapters.pauses.RoutePauses`` over Redis; keys under ``namespace``."""

    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._namespace = namespace
        self._local = LocalPauses(time.monotonic)  # while Redis cannot be reached

    def _key(self, route: str) -> str:
        return f"{self._namespace}:{_PREFIX}:{route}"

    async def paused_for(self, route: str) -> float | None:
        try:
            left_ms = int(await self._redis.pttl(self._key(route)))
        except (RedisError, OSError):
            return await self._local.paused_for(route)
        return left_ms / 1000 if left_ms > 0 else None

    async def pause(self, route: str, seconds: float) -> None:
        ms = int(seconds * 1000)
        if ms <= 0:
            return
        key = self._key(route)
        try:
            if not await self._redis.set(key, "1", px=ms, nx=True):
                await self._redis.pexpire(key, ms, gt=True)  # a longer pause is kept
        except (RedisError, OSError):
            logger.warning("pause store unreachable: route paused on this replica only")
            await self._local.pause(route, seconds)


__all__ = ["RedisPauses"]
