"""Resources that live as long as the app: the Concur client, the cache, the operations.

Each is a ``cleanup_ctx`` generator: set up before ``yield``, torn down after, in reverse
order, and only if its setup succeeded. They start after ``embedded_sandbox`` has settled
the upstream, whose namespace heads every shared cache key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from adapters.concur import open_concur_client
from gateway.cache.backend import BACKEND
from gateway.cache.idempotency import idempotency_store
from gateway.cache.read_cache import READ_CACHE
from gateway.cache.read_cache import read_cache as open_read_cache
from gateway.cache.redis_backend import open_backend
from gateway.events.keys import EVENT_BROKER, FACTS_STORE
from gateway.revocations import token_revocations
from gateway.settings import SETTINGS
from gateway.telemetry.cache import traced_cache
from gateway.telemetry.upstream import upstream_hooks
from gateway.upstream import CLIENT, UPSTREAM
from resolvers.operations.services import Operations

OPERATIONS = web.AppKey("operations", Operations)


async def concur_client(app: web.Application) -> AsyncIterator[None]:
    """One client (and its pooled sessions) for the app's lifetime; after the cache backend,
    which shares the tokens Concur refused with every replica."""
    hooks = upstream_hooks(app)
    upstream = app[UPSTREAM]
    async with open_concur_client(
        upstream.settings,
        upstream.company_auth,
        on_upstream_call=hooks.on_upstream_call,
        tracer=hooks.tracer,
        revocations=token_revocations(app[BACKEND]),
    ) as client:
        app[CLIENT] = client
        yield


async def cache_backend(app: web.Application) -> AsyncIterator[None]:
    """The one cache backend (Redis when ``REDIS_URL`` is set), keyed under the upstream."""
    settings = app[SETTINGS]
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url else ""
    backend = open_backend(redis_url, settings.cache, namespace=app[UPSTREAM].namespace)
    app[BACKEND] = backend
    try:
        await backend.start()
        yield
    finally:
        await backend.close()


async def read_cache(app: web.Application) -> AsyncIterator[None]:
    """The read cache over the backend, before the event services and the operations,
    which both take it (the ESS receiver and the mutations invalidate through it)."""
    cache = open_read_cache(app[BACKEND], app[SETTINGS].cache)
    app[READ_CACHE] = traced_cache(app, cache)
    yield


async def operations(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[OPERATIONS] = Operations(
        client=app[CLIENT],
        idempotency=idempotency_store(app[BACKEND], settings),
        cache=app[READ_CACHE],
        facts=app[FACTS_STORE],
        events=app[EVENT_BROKER],
        list_concurrency=app[UPSTREAM].settings.list_concurrency,
    )
    yield


__all__ = [
    "OPERATIONS",
    "cache_backend",
    "concur_client",
    "operations",
    "read_cache",
]
