"""Whole-response reuse for repeated queries, decided beside the view.

Front ends send the same query for the same report again and again. Executing it, even with
every upstream read cached, costs Strawberry's validation and field completion on each
request — an order of magnitude more than serving bytes — so the answer is kept in the
response cache (``gateway/cache/response.py``, which only stores).

The view calls ``answer`` once the request is read, its persisted query resolved (so a hash
is checked before any answer is served) and its operation selected: only a query of an
authenticated caller reaches the backend; a mutation never pays a lookup. A hit is named by
the operation the document selects (``operationName`` or the document's only operation), in
``/metrics`` and the request log, exactly as an execution of it would be.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from adapters.client import Credentials
from gateway.apq import sha256_hex
from gateway.budget.replay import replayed
from gateway.cache.response import RESPONSES
from gateway.graphql_request import GraphQLRequest
from gateway.selection import SelectedOperation
from gateway.telemetry.operation import record_cached_answer
from resolvers.operations.cache import READ_DEPENDENCIES, ReadDependencies, principal_of

Execute = Callable[[], Awaitable[web.StreamResponse]]


async def answer(
    request: web.Request,
    credentials: Credentials | None,
    graphql: GraphQLRequest,
    operation: SelectedOperation | None,
    execute: Execute,
) -> web.StreamResponse:
    """Serve a query from the response cache, or execute it and maybe keep its answer."""
    cache = request.app.get(RESPONSES)
    if (
        cache is None
        or credentials is None
        or operation is None
        or not operation.is_query
        or graphql.query is None
    ):
        return await execute()
    digest = sha256_hex(graphql.query)
    key = cache.key(principal_of(credentials), digest, operation.name, graphql.variables)
    body = await cache.get(key)
    if body is not None:
        record_cached_answer(request, operation_name=operation.name, document_hash=digest)
        return web.Response(body=replayed(body), content_type="application/json")
    deps = ReadDependencies()
    token = READ_DEPENDENCIES.set(deps)
    try:
        response = await execute()
    finally:
        READ_DEPENDENCIES.reset(token)
    encoded = response.body if isinstance(response, web.Response) else None
    if response.status == 200 and isinstance(encoded, bytes):
        await cache.put(key, encoded, deps)
    return response


__all__ = ["Execute", "answer"]
