"""The upstream the app actually talks to, the client it talks through, and the cache
namespace that names it.

Everything the gateway remembers about Concur (cached reads, report generations, recorded
idempotency outcomes, persisted queries, ESS dedupe and facts) is true of one upstream only.
Keys therefore live under a namespace naming it: a real Concur by its origin and company,
the embedded sandbox by its instance, which is new at every start because a re-seeded
sandbox reuses ids whose state the previous one had changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from aiohttp import web

from adapters.client import ConcurClient
from adapters.config import CompanyAuthSettings, UpstreamSettings


@dataclass(frozen=True, slots=True)
class Upstream:
    """The configured Concur, or the embedded sandbox standing in for it."""

    settings: UpstreamSettings
    company_auth: CompanyAuthSettings
    namespace: str
    """Part of every shared cache key: ``concur-<hash>`` or ``sandbox-<instance>``."""


def concur_namespace(settings: UpstreamSettings, company_auth: CompanyAuthSettings) -> str:
    """A real Concur's namespace: its origin and company, hashed into a short, key-safe name
    (the same on every replica configured alike, so replicas share what they cache)."""
    origin = settings.base_url.strip().rstrip("/").lower()
    identity = f"{origin}\n{company_auth.company_id.strip().lower()}"
    return "concur-" + hashlib.sha256(identity.encode()).hexdigest()[:16]


def sandbox_namespace(instance: str) -> str:
    """An embedded sandbox's namespace: its instance, never shared with a later one."""
    return f"sandbox-{instance}"


UPSTREAM = web.AppKey("upstream", Upstream)
"""Settled by the ``embedded_sandbox`` context, before anything talks to Concur."""
CLIENT = web.AppKey("concur_client", ConcurClient)
"""The one client of ``UPSTREAM`` (pooled sessions, auth, breaker), opened right after it."""

__all__ = ["CLIENT", "UPSTREAM", "Upstream", "concur_namespace", "sandbox_namespace"]
