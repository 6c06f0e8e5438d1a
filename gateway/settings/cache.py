"""Settings groups of the cache (``CONCUR_GATEWAY_CACHE__*``) and of APQ (``..._APQ__*``).

Plain models with no imports from the rest of the gateway, nested in ``Settings``; each
cache takes its own group, never the whole ``Settings``. Where Redis is comes
from ``REDIS_URL`` (a top-level setting): without it the cache is in process.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from resolvers.operations.resources import Resource


class CacheSettings(BaseModel):
    """Read-cache TTLs and the shared backend's bounds.

    TTLs are short on purpose: ESS events and the gateway's own mutations invalidate a report
    at once, so a TTL only bounds how stale a copy can get when an event is lost. A TTL of 0
    turns caching off for that resource.
    """

    enabled: bool = True
    prefix: str = "concur-gateway:"
    """Before every shared key; the upstream's namespace follows it (``gateway.upstream``)."""
    max_entries: int = Field(default=10_000, ge=1)
    report_ttl_s: float = Field(default=120.0, ge=0)
    details_ttl_s: float = Field(default=120.0, ge=0)
    entry_ttl_s: float = Field(default=300.0, ge=0)
    cost_objects_ttl_s: float = Field(default=300.0, ge=0)
    list_ttl_s: float = Field(default=60.0, ge=0)
    """List membership, kept true by list generations (``invalidation``)."""
    not_found_ttl_s: float = Field(default=10.0, ge=0)
    response_ttl_s: float = Field(default=60.0, ge=0)
    redis_timeout_s: float = Field(default=0.25, gt=0)
    redis_retry_s: float = Field(default=0.5, gt=0)
    redis_retry_max_s: float = Field(default=5.0, gt=0)
    redis_max_connections: int = Field(default=64, ge=1)
    near_max_entries: int = Field(default=10_000, ge=0)
    """With Redis: generations and entries each replica keeps near (``gateway.cache.near``);
    0 turns the near cache off (every hit asks Redis)."""
    near_ttl_s: float = Field(default=60.0, gt=0)
    """The longest a near copy lives (also bounded by its entry's own TTL when written)."""
    near_heartbeat_s: float = Field(default=1.0, gt=0)
    """How often a quiet invalidation channel is pinged; three unanswered drop the near cache."""
    idempotency_lease_s: float = Field(default=60.0, gt=0)
    idempotency_wait_s: float = Field(default=20.0, gt=0)

    @property
    def near_enabled(self) -> bool:
        return self.enabled and self.near_max_entries > 0

    def ttls(self) -> dict[Resource, float]:
        """TTL per cached resource (what the loaders name in their ``CacheKey``)."""
        return {
            Resource.REPORT: self.report_ttl_s,
            Resource.DETAILS: self.details_ttl_s,
            Resource.ENTRY: self.entry_ttl_s,
            Resource.COST_OBJECTS: self.cost_objects_ttl_s,
            Resource.LISTS: self.list_ttl_s,
        }


class ApqSettings(BaseModel):
    """Automatic persisted queries: documents registered by hash, shared through the backend.

    ``only_known`` refuses any document not already registered (from ``manifest`` or an
    earlier registration); ``ttl_s`` 0 keeps registered documents without expiry.
    """

    enabled: bool = True
    only_known: bool = False
    manifest: Path | None = None
    ttl_s: int = Field(default=7 * 86_400, ge=0)
    local_max_entries: int = Field(default=1_000, ge=1)


__all__ = ["ApqSettings", "CacheSettings"]
