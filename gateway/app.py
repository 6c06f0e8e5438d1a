"""The app factory: ``create_app(settings)`` wires everything; importing this does nothing.

Resources are owned by ``cleanup_ctx`` in dependency order: the embedded sandbox (only when
no upstream is configured), the Concur client, the operations. The schema and its bounded
extensions are built here, once per app.
"""

from __future__ import annotations

from aiohttp import web

from gateway.correlation import correlation_middleware
from gateway.embedded import SETTINGS, embedded_sandbox
from gateway.extensions import build_extensions
from gateway.health import healthz
from gateway.resources import concur_client, operations
from gateway.settings import Settings
from gateway.view import GatewayView
from resolvers.schema import build_schema


def create_app(settings: Settings) -> web.Application:
    """A ready-to-run gateway app for ``settings``."""
    app = web.Application(
        client_max_size=settings.limits.max_body_bytes,
        middlewares=[correlation_middleware],
    )
    app[SETTINGS] = settings
    app.cleanup_ctx.extend([embedded_sandbox, concur_client, operations])
    schema = build_schema(build_extensions(settings.limits, settings.server))
    view = GatewayView(
        schema, graphiql=settings.server.graphiql, deadline_s=settings.upstream.deadline_s
    )
    app.router.add_route("GET", settings.server.graphql_path, view)
    app.router.add_route("POST", settings.server.graphql_path, view)
    app.router.add_get("/healthz", healthz)
    return app


__all__ = ["create_app"]
