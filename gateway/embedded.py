"""The embedded sandbox: with no upstream configured, the gateway serves a demo Concur.

It starts before the Concur client (``cleanup_ctx`` order) so the client's upstream settings
can point at the sandbox's real, ephemeral origin, and the demo company's published
credentials stand in for company auth unless some were configured.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from pydantic import SecretStr

from adapters.config import CompanyAuthSettings, UpstreamSettings
from gateway.settings import Settings
from sandbox import seed
from sandbox.config import SandboxConfig
from sandbox.embedded import RunningSandbox, running_sandbox

SETTINGS = web.AppKey("gateway_settings", Settings)
UPSTREAM = web.AppKey("upstream_settings", UpstreamSettings)
"""The upstream actually used: the configured one, or the embedded sandbox's origin."""
COMPANY_AUTH = web.AppKey("company_auth_settings", CompanyAuthSettings)
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


async def embedded_sandbox(app: web.Application) -> AsyncIterator[None]:
    """Start the sandbox when no upstream is configured; settle which upstream is used."""
    settings = app[SETTINGS]
    if not is_embedded(settings):
        app[UPSTREAM] = settings.upstream
        app[COMPANY_AUTH] = settings.company_auth
        yield
        return
    admin_token = settings.sandbox.admin_token.get_secret_value() or None
    config = SandboxConfig(
        scale=settings.sandbox.scale, seed=settings.sandbox.seed, admin_token=admin_token
    )
    async with running_sandbox(config) as running:
        app[SANDBOX] = running
        app[UPSTREAM] = settings.upstream.model_copy(update={"base_url": running.base_url})
        configured = settings.company_auth
        app[COMPANY_AUTH] = configured if configured.client_id else demo_company_auth()
        yield


__all__ = [
    "COMPANY_AUTH",
    "SANDBOX",
    "SETTINGS",
    "UPSTREAM",
    "demo_company_auth",
    "embedded_sandbox",
    "is_embedded",
]
