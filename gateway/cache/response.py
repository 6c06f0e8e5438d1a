"""Storage of whole answers to queries, kept true by the same report generations.

A query's encoded answer is kept under (principal, document hash, operation name, variables)
together with the generation of every report it was built from (``ReadDependencies``,
recorded by the read cache). It is served again only while each of those reports is still
at that generation: an ESS event or a mutation that bumps any of them makes it unreachable,
exactly like the read entries beneath. Deciding which requests may be answered from here
(queries only, after APQ) is the view's business: see ``gateway/reuse.py``.

Only answers without errors are kept, and only when every upstream read was one the read
cache could vouch for (lists are not: their membership has no generation). The principal
is part of the key, so one caller's answer never reaches another.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Final

import orjson
from aiohttp import web

from gateway.cache.backend import BACKEND, CacheBackend, CacheUnavailable
from gateway.settings import SETTINGS
from resolvers.operations.cache import ReadDependencies

logger = logging.getLogger(__name__)

KEY_FORMAT: Final = "1"
MAX_BODY_BYTES: Final = 256 * 1024
"""Bigger answers are not kept: they would crowd out many small ones."""


class ResponseCache:
    """Encoded answers of queries, valid while their reports' generations stand."""

    def __init__(self, backend: CacheBackend, *, ttl_s: float) -> None:
        self._backend = backend
        self._ttl_s = ttl_s
        self._prefix = f"{backend.prefix}response:{KEY_FORMAT}:"

    def key(
        self,
        principal: str,
        digest: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> str:
        """The storage key: the document by its APQ hash (so hash-only requests share it),
        every part JSON-encoded so no value can forge another caller's key."""
        parts = orjson.dumps(
            (principal, digest, operation_name, variables or {}),
            option=orjson.OPT_SORT_KEYS,
        )
        return self._prefix + hashlib.sha256(parts).hexdigest()

    async def get(self, key: str) -> bytes | None:
        """The kept answer, if every report it depends on is still at its generation."""
        backend = self._backend
        try:
            stored = await backend.get_entry(key)
            if stored is None:
                return None
            body, generations = self._decode(stored)
            if generations:
                current = await backend.generations(list(generations))
                if current != list(generations.values()):
                    return None
        except CacheUnavailable:
            return None
        backend.stats.response_hits += 1
        return body

    async def put(self, key: str, body: bytes, deps: ReadDependencies) -> None:
        """Keep ``body``, a query's answer, if it is reusable."""
        if not deps.reusable or len(body) > MAX_BODY_BYTES or b'"errors"' in body:
            return
        if self._backend.shared:
            value: object = {"body": body.decode(), "generations": deps.generations}
        else:
            value = (body, dict(deps.generations))
        try:
            await self._backend.set_entry(key, value, self._ttl_s)
        except CacheUnavailable:
            return

    def _decode(self, stored: object) -> tuple[bytes, dict[str, str]]:
        if isinstance(stored, tuple):
            return stored[0], stored[1]
        if isinstance(stored, dict):
            return str(stored["body"]).encode(), dict(stored["generations"])
        raise CacheUnavailable("unreadable response entry")


RESPONSES = web.AppKey("response_cache", ResponseCache)


async def response_cache(app: web.Application) -> AsyncIterator[None]:
    """The response cache over the app's backend (none when its TTL is 0)."""
    settings = app[SETTINGS].cache
    if settings.enabled and settings.response_ttl_s > 0:
        app[RESPONSES] = ResponseCache(app[BACKEND], ttl_s=settings.response_ttl_s)
    yield


__all__ = ["RESPONSES", "ResponseCache", "response_cache"]
