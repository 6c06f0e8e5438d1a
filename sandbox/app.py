"""The sandbox app factory: one seeded company, every route family, admin and faults.

Importing this module does nothing; ``create_sandbox_app`` builds a fresh app each time
(its own Store, engine, signing key and counters), so tests never share state.
"""

from __future__ import annotations

from aiohttp import web

from sandbox.admin import add_admin_routes
from sandbox.auth import TOKENS, TokenService
from sandbox.config import SandboxConfig
from sandbox.engine import Engine
from sandbox.ess.routes import add_ess
from sandbox.faults import FAULTS, FaultBook, faults_middleware
from sandbox.keys import CLOCK, CONFIG, ENGINE, STORE
from sandbox.middleware import correlation_middleware
from sandbox.oauth import add_oauth_routes
from sandbox.seed import seed_store
from sandbox.state import Store
from sandbox.stats import STATS, RequestStats, stats_middleware
from sandbox.v4.routes import add_v4_routes
from sandbox.xml.routes import add_xml_routes


def create_sandbox_app(config: SandboxConfig) -> web.Application:
    """Build the sandbox. The company is seeded here, before any listener is attached,
    so seeding publishes nothing; the signing key is generated here, not at import."""
    store = Store(seed=config.seed, base_url=config.base_url)
    engine = Engine(store)
    seed_store(store, engine, scale=config.scale)
    app = web.Application(
        middlewares=[correlation_middleware, stats_middleware, faults_middleware],
        client_max_size=4 * 1024 * 1024,
    )
    app[CONFIG] = config
    app[STORE] = store
    app[ENGINE] = engine
    app[CLOCK] = store.clock
    app[TOKENS] = TokenService(ttl_s=config.token_ttl_s, clock=store.clock)
    app[STATS] = RequestStats(recent=config.recent_requests)
    app[FAULTS] = FaultBook()
    add_oauth_routes(app)
    add_v4_routes(app)
    add_admin_routes(app)
    add_xml_routes(app)
    add_ess(app)
    return app


__all__ = ["create_sandbox_app"]
