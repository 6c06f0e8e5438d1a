"""Resources that live as long as the app: the Concur client, the cache, the operations.

Each is a ``cleanup_ctx`` generator: set up before ``yield``, torn down after, in reverse
order, and only if its setup succeeded. They start after ``embedded_sandbox`` has settled
the upstream, whose namespace heads every shared cache key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from adapters.concur import open_concur_client
from gateway.audit.store import open_audit_log
from gateway.budget.counting import CountedReadCache, counting_hook
from gateway.budget.install import COST_GATE
from gateway.budget.metrics import observe_budget
from gateway.cache.backend import BACKEND
from gateway.cache.idempotency import idempotency_store
from gateway.cache.read_cache import READ_CACHE
from gateway.cache.read_cache import read_cache as open_read_cache
from gateway.cache.redis_backend import open_backend
from gateway.events.keys import EVENT_BROKER, FACTS_STORE
from gateway.revocations import token_revocations
from gateway.settings import SETTINGS
from gateway.telemetry.cache import traced_cache
from gateway.telemetry.middleware import noting_upstream_calls
from gateway.telemetry.upstream import upstream_hooks
from gateway.upstream import CLIENT, UPSTREAM
from resolvers.operations.audit import AuditLog
from resolvers.operations.services import Operations

OPERATIONS = web.AppKey("operations", Operations)
AUDIT_LOG = web.AppKey("audit_log", AuditLog)


async def concur_client(app: web.Application) -> AsyncIterator[None]:
    """One client (and its pooled sessions) for the app's lifetime; after the cache backend,
    which shares the tokens Concur refused with every replica."""
    hooks = upstream_hooks(app)
    upstream = app[UPSTREAM]
    gate = app[COST_GATE]  # shared by replicas through Redis: the budget, the route pauses
    settings = app[SETTINGS]
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url else ""
    await gate.start(redis_url, f"{settings.cache.prefix}{upstream.namespace}")
    observe_budget(app, gate)
    try:
        async with open_concur_client(
            upstream.settings,
            upstream.company_auth,
            on_upstream_call=counting_hook(noting_upstream_calls(hooks.on_upstream_call)),
            tracer=hooks.tracer,
            revocations=token_revocations(app[BACKEND]),
            pauses=gate.pauses,
        ) as client:
            app[CLIENT] = client
            yield
    finally:
        await gate.close()


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
    app[READ_CACHE] = CountedReadCache(traced_cache(app, cache))
    yield


async def audit_log(app: web.Application) -> AsyncIterator[None]:
    """The audit trail of workflow actions (PostgreSQL, or in process for the demo), open
    before the operations that write it and closed after them."""
    async with open_audit_log(app[SETTINGS].audit) as log:
        app[AUDIT_LOG] = log
        yield


async def operations(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[OPERATIONS] = Operations(
        client=app[CLIENT],
        idempotency=idempotency_store(
            app[BACKEND],
            ttl_s=settings.limits.idempotency_ttl_s,
            max_keys=settings.limits.idempotency_max_keys,
            lease_s=settings.cache.idempotency_lease_s,
            wait_s=settings.cache.idempotency_wait_s,
        ),
        audit=app[AUDIT_LOG],
        audit_required=settings.audit.required,
        bulk_concurrency=settings.bulk.concurrency,
        bulk_max_items=settings.bulk.max_items,
        cache=app[READ_CACHE],
        facts=app[FACTS_STORE],
        events=app[EVENT_BROKER],
        list_concurrency=app[UPSTREAM].settings.list_concurrency,
    )
    yield


__all__ = [
    "AUDIT_LOG",
    "OPERATIONS",
    "audit_log",
    "cache_backend",
    "concur_client",
    "operations",
    "read_cache",
]
