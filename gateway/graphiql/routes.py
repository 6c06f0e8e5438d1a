"""Wiring: the asset routes, the sandbox-only demo session, and the page the view renders.

With ``server.graphiql`` off nothing is registered and the view has no page, so a browser
gets a 404 at the GraphQL endpoint, as production operators expect.
"""

from __future__ import annotations

from aiohttp import web

from gateway.embedded import is_embedded
from gateway.graphiql.assets import Assets
from gateway.graphiql.page import GraphiQLPage
from gateway.graphiql.reset import demo_reset
from gateway.graphiql.session import RESET_PATH, SESSION_PATH, demo_http, demo_session
from gateway.settings import Settings


def add_graphiql(app: web.Application, settings: Settings) -> GraphiQLPage | None:
    """Register GraphiQL's routes on ``app``; the page to render, or None when it is off."""
    if not settings.server.graphiql:
        return None
    assets = Assets.load()
    assets.add_routes(app.router)
    session_path = None
    if is_embedded(settings):
        session_path = SESSION_PATH
        app.router.add_get(SESSION_PATH, demo_session)
        app.router.add_post(RESET_PATH, demo_reset)
        app.cleanup_ctx.append(demo_http)
    return GraphiQLPage.build(
        assets_path=assets.base_path,
        endpoint=settings.server.graphql_path,
        session_path=session_path,
    )


__all__ = ["add_graphiql"]
