"""All configuration, read once from the environment (prefix ``CONCUR_GATEWAY_``).

Nested groups use ``__`` (``CONCUR_GATEWAY_UPSTREAM__BASE_URL``). The CLI builds one
``Settings`` and passes it down; nothing else reads ``os.environ``. Tests build
``Settings(...)`` directly: constructor arguments beat the environment.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import AliasChoices, BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.config import CompanyAuthSettings, UpstreamSettings
from gateway.settings.audit import AuditSettings
from gateway.settings.budget import BudgetSettings
from gateway.settings.bulk import BulkSettings
from gateway.settings.cache import ApqSettings, CacheSettings
from gateway.settings.events import EssSettings, SubscriptionSettings
from gateway.settings.tls import TlsSettings


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8080
    graphql_path: str = "/graphql"
    graphiql: bool = True
    introspection: bool = True
    shutdown_timeout_s: float = 20.0
    """On SIGTERM: how long in-flight requests may run before they are cancelled."""
    workers: int | None = Field(default=None, ge=1)
    """Processes serving the one port; unset: one per usable core when Redis and an
    upstream are configured, else one (``gateway.workers``)."""


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
    max_variable_depth: int = 16
    """Variables nested deeper are refused (``BAD_USER_INPUT``) before coercion recurses."""
    max_variable_values: int = 10_000
    """Variables holding more values (objects, lists and scalars) are refused."""


class WebSocketSettings(BaseModel):
    """Bounds on GraphQL WebSocket connections (``graphql-transport-ws``), so a flood of
    idle or anonymous connections cannot hold the gateway's memory and file descriptors."""

    max_connections: int = 1000
    """Open connections on this replica; beyond it the upgrade is refused (HTTP 503)."""
    max_per_principal: int = 20
    """Open connections of one caller; beyond it the connection is closed (4429)."""
    init_timeout_s: float = 10.0
    """A connection that has not sent ``connection_init`` by then is closed (4408); one that
    sends it without credentials is closed at once (4403)."""


class SandboxSettings(BaseModel):
    """The embedded sandbox, used when no upstream is configured."""

    port: int = Field(default=0, ge=0, le=65535)
    """Where the embedded sandbox listens on 127.0.0.1; 0 picks a free port (``make run``
    sets 8081, so its token endpoint is where the README's first session expects it)."""
    scale: int = 0
    seed: int = 7
    admin_token: SecretStr = SecretStr("sandbox-admin")


class TelemetrySettings(BaseModel):
    """Traces and metrics; where they go is configured by the standard ``OTEL_*`` variables."""

    enabled: bool = True
    resolver_spans: bool = False
    """One span per resolver (Strawberry's extension): cost grows with the result size."""
    metrics_path: str = "/metrics"
    """Prometheus exposition on the app's own port; empty to serve none."""


class HealthSettings(BaseModel):
    """``/readyz``: checks are short and their result is reused for a few seconds, so
    frequent probes from many replicas do not become load on Concur."""

    upstream_timeout_s: float = 2.0
    cache_s: float = 5.0


class GrpcSettings(BaseModel):
    """The gRPC face (``concur_gateway.v1.ReportService``), served beside HTTP when ``port``
    is set (0 picks a free port); off by default. Bound to loopback unless ``host`` says
    otherwise: the server speaks plaintext, for callers inside the service's network."""

    port: int | None = None
    host: str = "127.0.0.1"
    grace_s: float = 5.0
    reflection: bool = True


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
    websockets: WebSocketSettings = Field(default_factory=WebSocketSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    grpc: GrpcSettings = Field(default_factory=GrpcSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    apq: ApqSettings = Field(default_factory=ApqSettings)
    ess: EssSettings = Field(default_factory=EssSettings)
    subscriptions: SubscriptionSettings = Field(default_factory=SubscriptionSettings)
    tls: TlsSettings = Field(default_factory=TlsSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    bulk: BulkSettings = Field(default_factory=BulkSettings)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    redis_url: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("redis_url", "REDIS_URL", "CONCUR_GATEWAY_REDIS_URL"),
    )
    """Redis shared by replicas (cache, idempotency, APQ); unset or empty: in process."""
    graphiql: bool | None = Field(
        default=None, validation_alias=AliasChoices("graphiql", "CONCUR_GATEWAY_GRAPHIQL")
    )
    """The documented short name of ``server.graphiql``: ``false`` in either turns it off."""
    grpc_port: int | None = Field(
        default=None, validation_alias=AliasChoices("grpc_port", "CONCUR_GATEWAY_GRPC_PORT")
    )
    """The documented short name of ``grpc.port``; the nested name wins when both are set."""
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _short_names(self) -> Settings:
        if self.graphiql is False and self.server.graphiql:
            self.server = self.server.model_copy(update={"graphiql": False})
        if self.grpc_port is not None and self.grpc.port is None:
            self.grpc = self.grpc.model_copy(update={"port": self.grpc_port})
        return self


SETTINGS = web.AppKey("gateway_settings", Settings)
"""The settings the app was created with (set by ``create_app``, never changed)."""

__all__ = [
    "SETTINGS",
    "ApqSettings",
    "AuditSettings",
    "BulkSettings",
    "CacheSettings",
    "CompanyAuthSettings",
    "EssSettings",
    "GrpcSettings",
    "HealthSettings",
    "LimitSettings",
    "SandboxSettings",
    "ServerSettings",
    "Settings",
    "SubscriptionSettings",
    "TelemetrySettings",
    "TlsSettings",
    "UpstreamSettings",
    "WebSocketSettings",
]
