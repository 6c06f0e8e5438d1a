"""The demo: with the embedded sandbox, the gateway subscribes its own webhook to it.

The webhook's URL is known only once the site is bound (the port may be ephemeral), after
the app's start-up has run, so whoever binds the site (``concur-gateway serve``, a test)
calls ``subscribe_embedded`` with the origin it bound; ``ess.public_url`` overrides it for a
gateway reached through another origin. The sandbox then delivers every report event,
signed with the key the event services already trust, and ``make run`` shows live events.
"""

from __future__ import annotations

import logging

from aiohttp import web

from adapters.ess import open_ess_subscriptions
from gateway.embedded import SANDBOX
from gateway.settings import SETTINGS
from gateway.upstream import CLIENT, UPSTREAM

logger = logging.getLogger(__name__)


def webhook_url(origin: str, path: str) -> str:
    return origin.rstrip("/") + "/" + path.lstrip("/")


async def subscribe_embedded(app: web.Application, origin: str) -> str | None:
    """Subscribe the app's webhook (at ``origin``) to the embedded sandbox's ESS; the
    endpoint subscribed, or None when the app has no embedded sandbox."""
    if SANDBOX not in app:
        return None
    ess = app[SETTINGS].ess
    endpoint = webhook_url(ess.public_url or origin, ess.path)
    async with open_ess_subscriptions(
        app[UPSTREAM].settings, app[CLIENT].app_token
    ) as subscriptions:
        await subscriptions.save(ess.subscription_id, endpoint)
    logger.info("subscribed to the embedded sandbox's ESS", extra={"endpoint": endpoint})
    return endpoint


__all__ = ["subscribe_embedded", "webhook_url"]
