"""GraphiQL, served entirely by the gateway: bundled assets, a strict CSP, a demo session.

``add_graphiql(app, settings)`` registers the routes and returns the page the GraphQL view
renders for browsers (None when ``server.graphiql`` is off).
"""

from __future__ import annotations

from gateway.graphiql.page import GraphiQLPage
from gateway.graphiql.routes import add_graphiql

__all__ = ["GraphiQLPage", "add_graphiql"]
