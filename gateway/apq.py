"""Automatic persisted queries (Apollo's APQ protocol), shared through the cache backend.

A client sends ``extensions.persistedQuery = {version: 1, sha256Hash}``: with the hash alone,
the document registered under it runs, or the client is told ``PERSISTED_QUERY_NOT_FOUND``
and sends hash and document together, which registers the document once its hash checks
out. Documents live in the cache backend (Redis when configured, so every replica knows
them) behind a small in-process LRU: a hash names one document forever, so a local copy is
never stale. Strawberry's parser cache then sees the same text, so parsing happens once.

``only_known`` turns the registry into an allow-list: documents not already registered (by
the operator's ``manifest`` or earlier) are refused, full-text requests included.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, ClassVar, Final

import orjson
from aiohttp import web

from adapters.errors import GatewayError
from gateway.cache.backend import BACKEND, CacheBackend, CacheUnavailable
from gateway.cache.settings import ApqSettings
from gateway.settings import SETTINGS

logger = logging.getLogger(__name__)

HASH_PATTERN: Final = re.compile(r"[0-9a-f]{64}")


class PersistedQueryError(GatewayError):
    """A persisted-query request refused before execution (answered as a GraphQL error)."""

    http_status: ClassVar[int] = 200


class PersistedQueryNotFound(PersistedQueryError):
    """The hash is not registered here: send the hash again with the full document."""

    code = "PERSISTED_QUERY_NOT_FOUND"


class PersistedQueryNotSupported(PersistedQueryError):
    """Persisted queries are switched off on this gateway: send full documents."""

    code = "PERSISTED_QUERY_NOT_SUPPORTED"


class PersistedQueryNotAllowed(PersistedQueryError):
    """This gateway runs registered documents only: register the operation with the
    operator (the manifest) or send one that is."""

    code = "PERSISTED_QUERY_NOT_ALLOWED"
    http_status = 400


class PersistedQueryInvalid(PersistedQueryError):
    """The ``persistedQuery`` extension is malformed or its hash does not match the document:
    hash the exact document text (SHA-256, lowercase hex)."""

    code = "BAD_USER_INPUT"
    http_status = 400


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


class PersistedQueries:
    """The registry: manifest documents, a local LRU, and the shared backend behind them."""

    def __init__(
        self,
        backend: CacheBackend,
        settings: ApqSettings,
        manifest: Mapping[str, str] | None = None,
    ) -> None:
        self._backend = backend
        self._settings = settings
        self._manifest = dict(manifest or {})
        self._local: OrderedDict[str, str] = OrderedDict()
        self._prefix = f"{backend.prefix}apq:"

    async def lookup(self, digest: str) -> str | None:
        """The document registered under ``digest`` (lowercase hex), if any."""
        document = self._manifest.get(digest)
        if document is not None:
            return document
        document = self._local.get(digest)
        if document is not None:
            self._local.move_to_end(digest)
            return document
        if not self._backend.shared:
            return None
        try:
            stored = await self._backend.get(self._prefix + digest)
        except CacheUnavailable:
            return None  # the client will send the document again
        if not isinstance(stored, str) or sha256_hex(stored) != digest:
            return None
        self._remember(digest, stored)
        return stored

    async def register(self, digest: str, document: str) -> None:
        self._remember(digest, document)
        if not self._backend.shared:
            return
        try:
            await self._backend.set(self._prefix + digest, document, self._settings.ttl_s)
        except CacheUnavailable:
            return  # known here; other replicas will ask the client for it again

    def _remember(self, digest: str, document: str) -> None:
        self._local[digest] = document
        self._local.move_to_end(digest)
        while len(self._local) > self._settings.local_max_entries:
            self._local.popitem(last=False)

    async def document_for(
        self, query: str | None, extensions: Mapping[str, Any] | None
    ) -> str | None:
        """The document to execute for a request, or a refusal (the view asks before the
        response cache, so a hash is checked before any kept answer is served)."""
        persisted = extensions.get("persistedQuery") if extensions else None
        if persisted is None:
            if (
                query is not None
                and self._settings.only_known
                and await self.lookup(sha256_hex(query)) is None
            ):
                raise not_allowed()
            return query
        if not self._settings.enabled:
            raise PersistedQueryNotSupported("PersistedQueryNotSupported")
        digest = requested_hash(persisted)
        if query is None:
            document = await self.lookup(digest)
            if document is None:
                raise PersistedQueryNotFound("PersistedQueryNotFound")
            return document
        if sha256_hex(query) != digest:
            raise PersistedQueryInvalid(
                "provided sha does not match query", field="extensions.persistedQuery.sha256Hash"
            )
        if await self.lookup(digest) is None:
            if self._settings.only_known:
                raise not_allowed()
            await self.register(digest, query)
        return query


def not_allowed() -> PersistedQueryNotAllowed:
    return PersistedQueryNotAllowed(
        "Only registered operations run on this gateway, and this document is not registered."
    )


def requested_hash(persisted: object) -> str:
    """The lowercase SHA-256 hex of a ``persistedQuery`` extension (version 1 only)."""
    if not isinstance(persisted, Mapping):
        raise PersistedQueryInvalid("extensions.persistedQuery must be an object.")
    if persisted.get("version") != 1:
        raise PersistedQueryInvalid(
            "Unsupported persisted query version: only version 1 is supported.",
            field="extensions.persistedQuery.version",
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not HASH_PATTERN.fullmatch(digest.lower()):
        raise PersistedQueryInvalid(
            "extensions.persistedQuery.sha256Hash must be a SHA-256 hex digest.",
            field="extensions.persistedQuery.sha256Hash",
        )
    return digest.lower()


def parse_manifest(raw: bytes) -> dict[str, str]:
    """Hash → document, from Apollo's persisted-query manifest or a plain JSON object.

    Every hash is checked against its document: a manifest that lies is a startup error.
    """
    data = orjson.loads(raw)
    pairs: list[tuple[object, object]]
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        pairs = [
            (op.get("id"), op.get("body")) for op in data["operations"] if isinstance(op, dict)
        ]
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        raise ValueError("APQ manifest: expected a JSON object")
    manifest: dict[str, str] = {}
    for digest, document in pairs:
        if not isinstance(digest, str) or not isinstance(document, str):
            raise ValueError("APQ manifest: every entry needs a hash and a document")
        if sha256_hex(document) != digest.lower():
            raise ValueError(f"APQ manifest: hash {digest} does not match its document")
        manifest[digest.lower()] = document
    return manifest


PERSISTED_QUERIES = web.AppKey("persisted_queries", PersistedQueries)


async def persisted_queries(app: web.Application) -> AsyncIterator[None]:
    """The registry, after the cache backend; the manifest is read once, off the loop."""
    settings = app[SETTINGS].apq
    manifest: dict[str, str] = {}
    if settings.manifest is not None:
        path: Path = settings.manifest
        manifest = parse_manifest(await asyncio.to_thread(path.read_bytes))
        logger.info("APQ manifest loaded", extra={"documents": len(manifest)})
    app[PERSISTED_QUERIES] = PersistedQueries(app[BACKEND], settings, manifest)
    yield


__all__ = [
    "PERSISTED_QUERIES",
    "PersistedQueries",
    "PersistedQueryError",
    "PersistedQueryInvalid",
    "PersistedQueryNotAllowed",
    "PersistedQueryNotFound",
    "PersistedQueryNotSupported",
    "parse_manifest",
    "persisted_queries",
    "requested_hash",
    "sha256_hex",
]
