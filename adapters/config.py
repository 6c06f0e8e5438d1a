"""Upstream configuration groups, owned by the adapters that use them.

``gateway.settings.Settings`` nests these; adapters take them as plain models so they
never read the environment themselves.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class UpstreamSettings(BaseModel):
    """Where Concur is and how patiently we talk to it.

    ``base_url`` empty means: start the embedded sandbox and use it. ``xml_base_url`` and
    ``oauth_base_url`` default to ``base_url`` (Concur serves all three from one data
    centre; the token's ``geolocation`` names it).

    Breakers and retry budgets are kept per endpoint (method, origin, route template).
    ``breaker_half_open_trials`` calls may test a recovering endpoint at once: as many as
    one list's fan-out (``list_concurrency``), so the first query after a recovery gets
    through whole. ``retry_budget_tokens`` retries may be spent on an endpoint before its
    answers earn more, ``retry_budget_refill`` tokens per answered call (gRPC's defaults,
    10 and 0.1: sustained retries stay under a tenth of the traffic).
    """

    base_url: str = ""
    xml_base_url: str = ""
    oauth_base_url: str = ""
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 10.0
    deadline_s: float = 15.0
    pool_limit: int = 100
    pool_limit_per_host: int = 50
    keepalive_s: float = 30.0
    read_retries: int = 3
    backoff_initial_s: float = 0.1
    backoff_max_s: float = 2.0
    breaker_failure_threshold: int = 5
    breaker_reset_s: float = 30.0
    breaker_half_open_trials: int = Field(default=16, ge=1)
    retry_budget_tokens: float = Field(default=10.0, ge=0)
    retry_budget_refill: float = Field(default=0.1, ge=0)
    max_xml_bytes: int = 5_000_000
    max_json_bytes: int = 5_000_000
    list_concurrency: int = 16


class CompanyAuthSettings(BaseModel):
    """Credentials for a company or app token, used where the caller's token cannot act
    (system steps, ESS subscription management). Any one form suffices."""

    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    company_id: str = ""
    company_auth_token: SecretStr = SecretStr("")
    refresh_token: SecretStr = SecretStr("")


__all__ = ["CompanyAuthSettings", "UpstreamSettings"]
