"""Idempotency keys shared by replicas: Redis holds the claim and the kept outcome.

A repeat of a workflow action may reach another replica, so the key must be claimed where
every replica looks. ``SET NX`` with an expiry claims it (the expiry is a lease: a replica
that dies mid-action frees the key after ``idempotency_lease_s``); the outcome then replaces
the claim as JSON (the ``Outcome`` model's own codec, so decimals replay exactly). A kept
unknown outcome is reopened by swapping the exact record for a new claim (compare and set),
so of several repeats exactly one settles it. A concurrent repeat polls with a doubling
back-off, bounded by ``idempotency_wait_s``.

While Redis is failing the store falls back to this process's in-memory store: actions keep
working, and a repeat reaching the same replica is still answered once.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import orjson
from pydantic import ValidationError

from adapters.errors import IdempotencyConflict
from gateway.cache.backend import CacheBackend, CacheUnavailable
from gateway.settings import Settings
from resolvers.operations.idempotency import (
    Claim,
    IdempotencyStore,
    InMemoryIdempotencyStore,
    conflict,
)
from resolvers.operations.outcome import Outcome

logger = logging.getLogger(__name__)

POLL_FIRST_S: Final = 0.01
POLL_MAX_S: Final = 0.5

COMPLETE_SCRIPT: Final = """
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  return redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return false
"""
"""Record the outcome unless another owner has taken the key over (our lease expired)."""

RELEASE_SCRIPT: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
"""Free the key only while it is still our claim."""

REOPEN_SCRIPT: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return false
"""
"""Turn a kept unknown outcome into our claim, unless someone else changed it first."""


def still_running() -> IdempotencyConflict:
    return IdempotencyConflict(
        "A request with this idempotency key is still running; retry with the same key later.",
        field="idempotencyKey",
    )


@dataclass(frozen=True, slots=True)
class _Claim:
    fingerprint: str
    token: bytes
    """Our claim as stored in Redis (empty when the in-process fallback holds the key)."""


class RedisIdempotencyStore:
    """``IdempotencyStore`` on the shared Redis, with an in-process fallback."""

    def __init__(
        self,
        backend: CacheBackend,
        *,
        ttl_s: float,
        lease_s: float,
        wait_s: float,
        fallback: InMemoryIdempotencyStore,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if backend.redis is None:
            raise ValueError("RedisIdempotencyStore needs a Redis backend")
        self._backend = backend
        self._redis = backend.redis
        self._prefix = f"{backend.prefix}idempotency:"
        self._ttl_s = max(1, int(ttl_s))
        self._lease_ms = max(1, int(lease_s * 1000))
        self._wait_s = wait_s
        self._fallback = fallback
        self._clock = clock
        self._claims: dict[str, _Claim] = {}
        self._complete = self._redis.register_script(COMPLETE_SCRIPT)
        self._release = self._redis.register_script(RELEASE_SCRIPT)
        self._reopen = self._redis.register_script(REOPEN_SCRIPT)

    def _key(self, key: str) -> str:
        return self._prefix + key

    async def claim(self, key: str, fingerprint: str, *, reopen_unsettled: bool = False) -> Claim:
        deadline = self._clock() + self._wait_s
        delay = POLL_FIRST_S
        while True:
            token = orjson.dumps({"fingerprint": fingerprint, "claim": uuid.uuid4().hex})
            try:
                claimed, raw = await self._try_claim(key, token)
                if claimed:
                    self._claims[key] = _Claim(fingerprint, token)
                    return Claim()
                if raw is None:
                    continue  # freed between our SET and GET: claim again at once
                kept = self._kept(raw, fingerprint)
                if kept is not None and reopen_unsettled and kept.unsettled:
                    if await self._try_reopen(key, raw, token):
                        self._claims[key] = _Claim(fingerprint, token)
                        return Claim(unsettled=kept)
                    continue  # another repeat changed it first: look again
            except CacheUnavailable:
                return await self._claim_locally(key, fingerprint, reopen_unsettled)
            if kept is not None:
                return Claim(kept=kept)
            if self._clock() >= deadline:
                raise still_running()
            await asyncio.sleep(delay)  # another request holds the key: poll, backing off
            delay = min(delay * 2, POLL_MAX_S)

    def _kept(self, raw: bytes | str, fingerprint: str) -> Outcome | None:
        """The outcome kept in a record (None while it is a claim in flight)."""
        record = orjson.loads(raw)
        if not isinstance(record, dict) or record.get("fingerprint") != fingerprint:
            raise conflict()
        outcome = record.get("outcome")
        if outcome is None:
            return None
        try:
            return Outcome.model_validate(outcome)
        except ValidationError:
            logger.warning("kept outcome no longer decodes; key refused")
            raise still_running() from None

    async def _try_reopen(self, key: str, raw: bytes | str, token: bytes) -> bool:
        reopened = await self._backend.call(
            lambda: self._reopen(keys=[self._key(key)], args=[raw, token, self._lease_ms])
        )
        return bool(reopened)

    async def _try_claim(self, key: str, token: bytes) -> tuple[bool, bytes | str | None]:
        """(True, None): claimed. (False, record): held. (False, None): freed meanwhile."""
        stored = self._key(key)
        claimed = await self._backend.call(
            lambda: self._redis.set(stored, token, nx=True, px=self._lease_ms)
        )
        if claimed:
            return True, None
        return False, await self._backend.call(lambda: self._redis.get(stored))

    async def _claim_locally(self, key: str, fingerprint: str, reopen_unsettled: bool) -> Claim:
        claim = await self._fallback.claim(key, fingerprint, reopen_unsettled=reopen_unsettled)
        if claim.kept is None:
            self._claims[key] = _Claim(fingerprint, b"")
        return claim

    async def complete(self, key: str, outcome: Outcome) -> None:
        claim = self._claims.pop(key, None)
        if claim is None or not claim.token:
            await self._fallback.complete(key, outcome)
            return
        record = orjson.dumps(
            {"fingerprint": claim.fingerprint, "outcome": outcome.model_dump(mode="json")}
        )
        try:
            await self._backend.call(
                lambda: self._complete(
                    keys=[self._key(key)], args=[claim.token, record, self._ttl_s]
                )
            )
        except CacheUnavailable:
            logger.warning("idempotency outcome not recorded: redis unavailable")

    async def release(self, key: str) -> None:
        claim = self._claims.pop(key, None)
        if claim is None or not claim.token:
            await self._fallback.release(key)
            return
        try:
            await self._backend.call(
                lambda: self._release(keys=[self._key(key)], args=[claim.token])
            )
        except CacheUnavailable:
            logger.warning("idempotency key not released: redis unavailable (its lease ends it)")


def idempotency_store(backend: CacheBackend, settings: Settings) -> IdempotencyStore:
    """Shared in Redis when configured, else in this process."""
    local = InMemoryIdempotencyStore(
        ttl_s=settings.limits.idempotency_ttl_s,
        max_entries=settings.limits.idempotency_max_keys,
    )
    if backend.redis is None:
        return local
    return RedisIdempotencyStore(
        backend,
        ttl_s=settings.limits.idempotency_ttl_s,
        lease_s=settings.cache.idempotency_lease_s,
        wait_s=settings.cache.idempotency_wait_s,
        fallback=local,
    )


__all__ = ["RedisIdempotencyStore", "idempotency_store", "still_running"]
