"""All configuration, read once from the environment (prefix ``CONCUR_GATEWAY_``).

Nested groups use ``__`` (``CONCUR_GATEWAY_UPSTREAM__BASE_URL``). The CLI builds one
``Settings`` and passes it down; nothing else reads ``os.environ``. Tests build
``Settings(...)`` directly: constructor arguments beat the environment.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.config import CompanyAuthSettings, UpstreamSettings


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8080
    graphql_path: str = "/graphql"
    graphiql: bool = True
    introspection: bool = True


class LimitSettings(BaseModel):
    """Bounds that refuse hostile documents before execution."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 262_144
    parser_cache_size: int = 512
    validation_cache_size: int = 512
    idempotency_ttl_s: int = 86_400
    idempotency_max_keys: int = 10_000


class SandboxSettings(BaseModel):
    """The embedded sandbox, used when no upstream is configured."""

    scale: int = 0
    seed: int = 7
    admin_token: SecretStr = SecretStr("sandbox-admin")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CONCUR_GATEWAY_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    server: ServerSettings = Field(default_factory=ServerSettings)
    upstream: UpstreamSettings = Field(default_factory=UpstreamSettings)
    company_auth: CompanyAuthSettings = Field(default_factory=CompanyAuthSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    log_level: str = "INFO"


__all__ = [
    "CompanyAuthSettings",
    "LimitSettings",
    "SandboxSettings",
    "ServerSettings",
    "Settings",
    "UpstreamSettings",
]
