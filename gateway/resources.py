"""Resources that live as long as the app: the Concur client and the operations over it.

Each is a ``cleanup_ctx`` generator: set up before ``yield``, torn down after, in reverse
order, and only if its setup succeeded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from adapters.client import ConcurClient
from adapters.concur import open_concur_client
from gateway.cache.backend import BACKEND
from gateway.cache.idempotency import idempotency_store
from gateway.cache.read_cache import read_cache
from gateway.embedded import COMPANY_AUTH, SETTINGS, UPSTREAM
from gateway.events.keys import EVENT_BROKER, FACTS_STORE
from gateway.revocations import token_revocations
from gateway.telemetry.cache import traced_cache
from gateway.telemetry.upstream import upstream_hooks
from resolvers.operations.services import Operations

CLIENT = web.AppKey("concur_client", ConcurClient)
OPERATIONS = web.AppKey("operations", Operations)


async def concur_client(app: web.Application) -> AsyncIterator[None]:
    """One client (and its pooled sessions) for the app's lifetime; after the cache backend,
    which shares the tokens Concur refused with every replica."""
    hooks = upstream_hooks(app)
    async with open_concur_client(
        app[UPSTREAM],
        app[COMPANY_AUTH],
        on_upstream_call=hooks.on_upstream_call,
        tracer=hooks.tracer,
        revocations=token_revocations(app[BACKEND]),
    ) as client:
        app[CLIENT] = client
        yield


async def operations(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[OPERATIONS] = Operations(
        client=app[CLIENT],
        idempotency=idempotency_store(app[BACKEND], settings),
        cache=traced_cache(app, read_cache(app[BACKEND], settings.cache)),
        facts=app[FACTS_STORE],
        events=app[EVENT_BROKER],
        list_concurrency=app[UPSTREAM].list_concurrency,
    )
    yield


__all__ = ["CLIENT", "OPERATIONS", "concur_client", "operations"]
