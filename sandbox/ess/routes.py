"""Wiring of the sandbox ESS into the sandbox app: routes, signing key, delivery worker."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from sandbox.ess.admin import add_admin_routes
from sandbox.ess.delivery import DISPATCHER, Dispatcher, RetryPolicy
from sandbox.ess.management import add_management_routes
from sandbox.ess.publisher import PUBLISHER, Publisher
from sandbox.ess.signing import SIGNING_KEYS, SigningKeys
from sandbox.ess.subscriptions import SUBSCRIPTIONS, SubscriptionRegistry
from sandbox.keys import CONFIG, STORE


async def ess_worker(app: web.Application) -> AsyncIterator[None]:
    """Own the delivery session and lanes for the app's lifetime; publish while running.

    Events emitted before startup (seeding) or after cleanup are not published: the
    listener is attached only in between.
    """
    config = app[CONFIG]
    store = app[STORE]
    policy = RetryPolicy.from_config(config)
    timeout = aiohttp.ClientTimeout(total=policy.timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        dispatcher = Dispatcher(
            session=session,
            subscriptions=app[SUBSCRIPTIONS],
            keys=app[SIGNING_KEYS],
            policy=policy,
            clock=store.clock,
        )
        publisher = Publisher(
            subscriptions=app[SUBSCRIPTIONS], dispatcher=dispatcher, clock=store.clock
        )
        app[DISPATCHER] = dispatcher
        app[PUBLISHER] = publisher
        store.listeners.append(publisher)
        try:
            yield
        finally:
            store.listeners.remove(publisher)
            await dispatcher.close()


def add_ess(app: web.Application) -> None:
    """Register the ESS routes and the delivery worker (a cleanup_ctx) on the sandbox app.

    The signing key is generated here, once per app, so every sandbox has its own.
    """
    app[SUBSCRIPTIONS] = SubscriptionRegistry()
    app[SIGNING_KEYS] = SigningKeys()
    add_management_routes(app)
    add_admin_routes(app)
    app.cleanup_ctx.append(ess_worker)


__all__ = ["add_ess", "ess_worker"]
