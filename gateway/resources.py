"""Resources that live as long as the app: the Concur client and the operations over it.

Each is a ``cleanup_ctx`` generator: set up before ``yield``, torn down after, in reverse
order, and only if its setup succeeded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from adapters.client import ConcurClient
from adapters.concur import open_concur_client
from gateway.embedded import COMPANY_AUTH, SETTINGS, UPSTREAM
from resolvers.operations.idempotency import InMemoryIdempotencyStore
from resolvers.operations.services import Operations

CLIENT = web.AppKey("concur_client", ConcurClient)
OPERATIONS = web.AppKey("operations", Operations)


async def concur_client(app: web.Application) -> AsyncIterator[None]:
    """One client (and its pooled sessions) for the app's lifetime."""
    async with open_concur_client(app[UPSTREAM], app[COMPANY_AUTH]) as client:
        app[CLIENT] = client
        yield


async def operations(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[OPERATIONS] = Operations(
        client=app[CLIENT],
        idempotency=InMemoryIdempotencyStore(
            ttl_s=settings.limits.idempotency_ttl_s,
            max_entries=settings.limits.idempotency_max_keys,
        ),
        list_concurrency=app[UPSTREAM].list_concurrency,
    )
    yield


__all__ = ["CLIENT", "OPERATIONS", "concur_client", "operations"]
