"""Settings of the ESS webhook receiver and of report-event subscriptions.

Nested in ``gateway.settings.Settings`` as ``ess`` and ``subscriptions``
(``CONCUR_GATEWAY_ESS__PUBLIC_KEYS``, ``CONCUR_GATEWAY_SUBSCRIPTIONS__QUEUE_SIZE``...).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

CONCUR_WEBHOOK_CN = "webhook.api.concursolutions.com"
"""The Common Name of the client certificate ESS presents on every delivery."""
RETENTION_S = 72 * 3600
"""Concur retries an undelivered event for 72 hours: a duplicate can arrive that late."""


class EssSettings(BaseModel):
    """The webhook ESS posts report events to.

    ``public_keys`` lists where Concur's signing keys come from: PEM files (public keys or
    certificates) or http(s) URLs, fetched at start-up and refreshed. Two can be listed at
    once so a key rotation never fails a delivery. Empty with the embedded sandbox means
    the sandbox's published keys; empty with a real upstream means every delivery is
    refused (keys are never trusted on first use).
    """

    path: str = "/events/ess"
    public_keys: list[str] = Field(default_factory=list)
    key_refresh_s: float = Field(default=3600.0, gt=0)
    """How often URL and file keys are read again."""
    key_refetch_min_s: float = Field(default=60.0, ge=0)
    """A signature no key verifies triggers one early re-read, at most this often (a forged
    delivery must not make us hammer the key URLs)."""
    key_fetch_timeout_s: float = Field(default=5.0, gt=0)
    require_client_cert: bool = False
    """Refuse deliveries without a verified client certificate whose CN is ``client_cert_cn``
    (needs the gateway to terminate TLS with a client CA; see ``TlsSettings``)."""
    client_cert_cn: str = CONCUR_WEBHOOK_CN
    dedupe_ttl_s: int = Field(default=RETENTION_S + 3600, ge=RETENTION_S)
    """How long an event id is remembered: at least Concur's 72 h retry window."""
    dedupe_max_ids: int = Field(default=200_000, gt=0)
    """In-process only (no Redis): the bound of the id map, oldest forgotten first."""
    facts_ttl_s: int = Field(default=30 * 86_400, gt=0)
    facts_max_reports: int = Field(default=50_000, gt=0)
    """In-process only: reports whose workflow facts are kept, least recently written
    forgotten first."""
    deadline_s: float = Field(default=2.0, gt=0)
    """A delivery is answered within this (503 past it): Concur wants an answer in < 3 s."""
    base_url: str = ""
    """The ESS management host, when it differs from the upstream base URL."""
    subscription_id: str = "concur-gateway"
    """The id the gateway subscribes itself with on the embedded sandbox (and the CLI's
    default)."""
    public_url: str = ""
    """This gateway's public origin for the embedded self-subscription; empty means the
    address it is bound to."""


class Overflow(StrEnum):
    """What happens when a subscriber's queue is full."""

    DROP_OLDEST = "drop_oldest"
    DISCONNECT = "disconnect"


class SubscriptionSettings(BaseModel):
    """Bounds of GraphQL subscriptions (and gRPC watches)."""

    max_per_connection: int = Field(default=10, gt=0)
    queue_size: int = Field(default=100, gt=0)
    """Events buffered per subscriber before ``overflow`` applies."""
    overflow: Overflow = Overflow.DROP_OLDEST
    publish_queue_size: int = Field(default=10_000, gt=0)
    """Events waiting to be published to Redis (the webhook never waits on Redis pub/sub)."""


__all__ = [
    "CONCUR_WEBHOOK_CN",
    "RETENTION_S",
    "EssSettings",
    "Overflow",
    "SubscriptionSettings",
]
