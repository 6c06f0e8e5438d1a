"""The embedded sandbox: with no upstream configured, the gateway serves a demo Concur.

It starts before the Concur client (``cleanup_ctx`` order) and settles ``UPSTREAM``: the
configured Concur, or the sandbox's real, ephemeral origin with the demo company's published
credentials (unless some were configured) and a cache namespace of this instance's own.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web
from pydantic import SecretStr

from adapters.config import CompanyAuthSettings
from gateway.settings import SETTINGS, Settings
from gateway.upstream import UPSTREAM, Upstream, concur_namespace, sandbox_namespace
from sandbox import seed
from sandbox.config import SandboxConfig
from sandbox.embedded import RunningSandbox, running_sandbox

logger = logging.getLogger(__name__)

SANDBOX = web.AppKey("embedded_sandbox", RunningSandbox)


def demo_company_auth() -> CompanyAuthSettings:
    """The sandbox demo company's published credentials."""
    return CompanyAuthSettings(
        client_id=seed.CLIENT_ID,
        client_secret=SecretStr(seed.CLIENT_SECRET),
        company_id=seed.COMPANY_ID,
        company_auth_token=SecretStr(seed.COMPANY_AUTH_TOKEN),
    )


def is_embedded(settings: Settings) -> bool:
    return not settings.upstream.base_url


def configured_upstream(settings: Settings) -> Upstream:
    return Upstream(
        settings=settings.upstream,
        company_auth=settings.company_auth,
        namespace=concur_namespace(settings.upstream, settings.company_auth),
    )


def sandbox_upstream(settings: Settings, running: RunningSandbox) -> Upstream:
    configured = settings.company_auth
    return Upstream(
        settings=settings.upstream.model_copy(update={"base_url": running.base_url}),
        company_auth=configured if configured.client_id else demo_company_auth(),
        namespace=sandbox_namespace(running.instance),
    )


async def embedded_sandbox(app: web.Application) -> AsyncIterator[None]:
    """Start the sandbox when no upstream is configured; settle which upstream is used."""
    settings = app[SETTINGS]
    if not is_embedded(settings):
        app[UPSTREAM] = configured_upstream(settings)
        logger.info("upstream: %s", settings.upstream.base_url, extra=_named(app[UPSTREAM]))
        yield
        return
    admin_token = settings.sandbox.admin_token.get_secret_value() or None
    config = SandboxConfig(
        scale=settings.sandbox.scale, seed=settings.sandbox.seed, admin_token=admin_token
    )
    async with running_sandbox(config) as running:
        app[SANDBOX] = running
        app[UPSTREAM] = sandbox_upstream(settings, running)
        logger.info("upstream: embedded sandbox", extra=_named(app[UPSTREAM]))
        yield


def _named(upstream: Upstream) -> dict[str, str]:
    return {"origin": upstream.settings.base_url, "cache_namespace": upstream.namespace}


__all__ = [
    "SANDBOX",
    "configured_upstream",
    "demo_company_auth",
    "embedded_sandbox",
    "is_embedded",
    "sandbox_upstream",
]
