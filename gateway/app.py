"""The app factory: ``create_app(settings)`` wires everything; importing this does nothing.

Resources are owned by ``cleanup_ctx`` in dependency order: the embedded sandbox (only when
no upstream is configured; it settles the upstream and its cache namespace), the cache
backend, the Concur client, the read cache, the response cache, the APQ registry, the event
services (ESS keys, dedupe, workflow facts, broker, the receiver), the operations. The ESS
webhook is served at ``ess.path``. The schema and its bounded extensions are built here,
once per app.
"""

from __future__ import annotations

from aiohttp import web

from gateway.apq import persisted_queries
from gateway.budget.install import install_budget
from gateway.cache.response import response_cache
from gateway.correlation import correlation_middleware
from gateway.embedded import embedded_sandbox
from gateway.events.routes import add_ess_routes
from gateway.events.services import event_services
from gateway.extensions import build_extensions
from gateway.graphiql import add_graphiql
from gateway.grpc.server import install_grpc
from gateway.health import QUIET_PATHS, add_health_routes
from gateway.resources import audit_log, cache_backend, concur_client, operations, read_cache
from gateway.settings import SETTINGS, Settings
from gateway.shutdown import install_lifecycle
from gateway.telemetry.providers import Telemetry
from gateway.telemetry.setup import install_telemetry
from gateway.view import GatewayView
from resolvers.schema import build_schema


def create_app(settings: Settings, telemetry: Telemetry | None = None) -> web.Application:
    """A ready-to-run gateway app for ``settings``; ``telemetry`` injects trace and metric
    providers (by default they are built from ``OTEL_*`` at startup)."""
    app = web.Application(
        client_max_size=settings.limits.max_body_bytes,
        middlewares=[correlation_middleware],
    )
    app[SETTINGS] = settings
    install_lifecycle(app, close_timeout_s=settings.server.shutdown_timeout_s)
    # telemetry's context starts first
    traced = install_telemetry(app, settings, telemetry, quiet_paths=QUIET_PATHS)
    priced = install_budget(app, settings.budget)
    app.cleanup_ctx.extend(
        [
            embedded_sandbox,
            cache_backend,
            audit_log,
            concur_client,
            read_cache,
            response_cache,
            persisted_queries,
            event_services,
            operations,
        ]
    )
    install_grpc(app)  # after operations: stops before they close
    schema = build_schema([*traced, *build_extensions(settings.limits, settings.server), *priced])
    view = GatewayView(
        schema,
        graphiql=add_graphiql(app, settings),
        deadline_s=settings.upstream.deadline_s,
        limits=settings.limits,
        websockets=settings.websockets,
        max_subscriptions_per_connection=settings.subscriptions.max_per_connection,
    )
    app.router.add_route("*", settings.server.graphql_path, view)  # other methods: JSON 405
    add_health_routes(app)
    add_ess_routes(app, settings.ess.path)
    return app


__all__ = ["create_app"]
