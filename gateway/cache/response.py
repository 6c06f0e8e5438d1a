"""Whole-response reuse for repeated queries, kept true by the same report generations.

Front ends send the same query for the same report again and again. Executing it, even with
every upstream read cached, costs Strawberry's validation and field completion on each
request — an order of magnitude more than serving bytes. So a query's encoded answer is kept
under (principal, document hash, operation name, variables) together with the generation of
every report it was built from (``ReadDependencies``, recorded by the read cache). It is
served again only while each of those reports is still at that generation: an ESS event or a
mutation that bumps any of them makes it unreachable, exactly like the read entries beneath.

Only queries are kept, only answers without errors, only when every upstream read was one the
read cache could vouch for (lists are not: their membership has no generation). The principal
is part of the key, so one caller's answer never reaches another.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Final

import orjson
from aiohttp import web
from graphql import GraphQLError, OperationType, get_operation_ast, parse

from adapters.client import Credentials
from gateway.apq import PERSISTED_QUERIES, PersistedQueryError, requested_hash, sha256_hex
from gateway.cache.backend import BACKEND, CacheBackend, CacheUnavailable
from gateway.settings import SETTINGS
from gateway.telemetry.operation import record_cached_answer
from resolvers.operations.cache import READ_DEPENDENCIES, ReadDependencies, principal_of

logger = logging.getLogger(__name__)

KEY_FORMAT: Final = "1"
MAX_BODY_BYTES: Final = 256 * 1024
"""Bigger answers are not kept: they would crowd out many small ones."""


class ResponseCache:
    """Encoded answers of queries, valid while their reports' generations stand."""

    def __init__(self, backend: CacheBackend, *, ttl_s: float, max_documents: int = 512) -> None:
        self._backend = backend
        self._ttl_s = ttl_s
        self._prefix = f"{backend.prefix}response:{KEY_FORMAT}:"
        self._is_query: OrderedDict[tuple[str, str | None], bool] = OrderedDict()
        self._max_documents = max_documents

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
            stored = await backend.get(key)
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

    async def put(
        self,
        key: str,
        query: str,
        operation_name: str | None,
        body: bytes,
        deps: ReadDependencies,
    ) -> None:
        """Keep ``body`` if it is a reusable answer to a query."""
        if not deps.reusable or len(body) > MAX_BODY_BYTES or b'"errors"' in body:
            return
        if not self._is_a_query(query, operation_name):
            return
        if self._backend.shared:
            value: object = {"body": body.decode(), "generations": deps.generations}
        else:
            value = (body, dict(deps.generations))
        try:
            await self._backend.set(key, value, self._ttl_s)
        except CacheUnavailable:
            return

    def _decode(self, stored: object) -> tuple[bytes, dict[str, str]]:
        if isinstance(stored, tuple):
            return stored[0], stored[1]
        if isinstance(stored, dict):
            return str(stored["body"]).encode(), dict(stored["generations"])
        raise CacheUnavailable("unreadable response entry")

    def _is_a_query(self, query: str, operation_name: str | None) -> bool:
        """Whether the selected operation is a query (mutations are never kept)."""
        memo = (query, operation_name)
        known = self._is_query.get(memo)
        if known is None:
            try:
                operation = get_operation_ast(parse(query), operation_name)
            except GraphQLError:
                operation = None
            known = operation is not None and operation.operation is OperationType.QUERY
            self._is_query[memo] = known
            if len(self._is_query) > self._max_documents:
                self._is_query.popitem(last=False)
        return known


RESPONSES = web.AppKey("response_cache", ResponseCache)

Execute = Callable[[], Awaitable[web.StreamResponse]]


class _Request:
    """The parts of a POSTed GraphQL request that name its answer."""

    __slots__ = ("digest", "name", "query", "variables")

    def __init__(
        self, digest: str, query: str | None, name: str | None, variables: dict[str, Any] | None
    ) -> None:
        self.digest = digest
        self.query = query
        self.name = name
        self.variables = variables


def _parse(raw: bytes) -> _Request | None:
    """The request's document hash, name and variables; None when it is not a plain query
    request (Strawberry then answers it, errors included)."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        return None
    query, name, variables = data.get("query"), data.get("operationName"), data.get("variables")
    if not isinstance(name, str | None) or not isinstance(variables, dict | None):
        return None
    if isinstance(query, str):
        return _Request(sha256_hex(query), query, name, variables)
    extensions = data.get("extensions")
    if query is not None or not isinstance(extensions, dict):
        return None
    try:
        return _Request(requested_hash(extensions.get("persistedQuery")), None, name, variables)
    except PersistedQueryError:
        return None


async def answer(
    request: web.Request, credentials: Credentials | None, execute: Execute
) -> web.StreamResponse:
    """Serve a POSTed query from the response cache, or execute it and maybe keep it."""
    cache = request.app.get(RESPONSES)
    if cache is None or credentials is None or request.method != "POST":
        return await execute()
    parsed = _parse(await request.read())
    if parsed is None:
        return await execute()
    key = cache.key(principal_of(credentials), parsed.digest, parsed.name, parsed.variables)
    body = await cache.get(key)
    if body is not None:
        record_cached_answer(request, operation_name=parsed.name, document_hash=parsed.digest)
        return web.Response(body=body, content_type="application/json")
    deps = ReadDependencies()
    token = READ_DEPENDENCIES.set(deps)
    try:
        response = await execute()
    finally:
        READ_DEPENDENCIES.reset(token)
    encoded = response.body if isinstance(response, web.Response) else None
    if response.status == 200 and isinstance(encoded, bytes):
        document = parsed.query or await _document(request, parsed.digest)
        if document is not None:
            await cache.put(key, document, parsed.name, encoded, deps)
    return response


async def _document(request: web.Request, digest: str) -> str | None:
    persisted = request.app.get(PERSISTED_QUERIES)
    return None if persisted is None else await persisted.lookup(digest)


async def response_cache(app: web.Application) -> AsyncIterator[None]:
    """The response cache over the app's backend (none when its TTL is 0)."""
    settings = app[SETTINGS].cache
    if settings.enabled and settings.response_ttl_s > 0:
        app[RESPONSES] = ResponseCache(app[BACKEND], ttl_s=settings.response_ttl_s)
    yield


__all__ = ["RESPONSES", "ResponseCache", "answer", "response_cache"]
