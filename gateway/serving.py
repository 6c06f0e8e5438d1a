"""One gateway process serving until SIGTERM/SIGINT: the app, its sockets and its banner.

``concur-gateway serve`` runs ``serve`` directly with one worker, or once in each worker
process (``gateway.workers``), which passes a ``WorkerRole``: the port is shared with the
other workers (``SO_REUSEPORT``), readiness is reported to the parent instead of printed,
and ``/metrics`` merges every worker's numbers (``gateway.telemetry.prometheus``).

With no upstream configured the app embeds the sandbox, and the banner says how to try it:
the GraphiQL URL, the gRPC address, demo tokens for who they are, a sample request; the
gateway subscribes its own ESS webhook to the sandbox so report events arrive live.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import aiohttp
from aiohttp import web

from adapters.errors import GatewayError
from gateway.announce import banner, public_origin, serving_line
from gateway.app import create_app
from gateway.audit.store import describe as describe_audit
from gateway.embedded import SANDBOX
from gateway.events.embedded import subscribe_embedded
from gateway.events.tls import server_ssl_context
from gateway.gc_policy import settle_after_startup
from gateway.grpc.server import GRPC_SERVER
from gateway.settings import SETTINGS, Settings
from gateway.telemetry.prometheus import install_worker_metrics

logger = logging.getLogger(__name__)

WORKER_HEADER = "X-Gateway-Worker"
"""With several workers, every response names the pid of the worker that answered it."""


@dataclass(frozen=True, slots=True)
class WorkerRole:
    """How a worker process differs from a lone server (see the module docstring)."""

    metrics_dir: Path
    ready: Callable[[], None]


async def demo_tokens(base_url: str, admin_token: str) -> dict[str, str]:
    """Fresh user tokens from the sandbox's admin route (over HTTP, like any client)."""
    timeout = aiohttp.ClientTimeout(total=10)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(
            f"{base_url}/_sandbox/demo-tokens",
            headers={"Authorization": f"Bearer {admin_token}"},
        ) as response,
    ):
        response.raise_for_status()
        body = await response.json()
    return {str(login): str(token) for login, token in body.items()}


async def _name_the_worker(request: web.Request, response: web.StreamResponse) -> None:
    del request
    response.headers[WORKER_HEADER] = str(os.getpid())


def _as_worker(app: web.Application, role: WorkerRole) -> None:
    app.on_response_prepare.append(_name_the_worker)
    install_worker_metrics(app, role.metrics_dir)


async def _announce_embedded(app: web.Application, origin: str, out: TextIO) -> None:
    """The demo banner, then the gateway's own ESS subscription to the sandbox."""
    settings = app[SETTINGS]
    running = app[SANDBOX]
    tokens: dict[str, str] = {}
    if running.admin_token:
        try:
            tokens = await demo_tokens(running.base_url, running.admin_token)
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("demo tokens unavailable", extra={"error": repr(exc)})
    grpc = app.get(GRPC_SERVER)
    graphql_url = f"{origin}{settings.server.graphql_path}"
    text = banner(graphql_url, tokens, running.base_url, grpc.target if grpc else None)
    print(text, file=out, flush=True)
    try:  # live events for the demo: the sandbox posts to our webhook
        endpoint = await subscribe_embedded(app, origin)
        print(f"ESS events are delivered to {endpoint}", file=out, flush=True)
    except (GatewayError, aiohttp.ClientError) as exc:
        logger.warning("ESS self-subscription failed", extra={"error": repr(exc)})


async def serve(settings: Settings, out: TextIO, role: WorkerRole | None = None) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully (``gateway.shutdown``): stop
    accepting, let in-flight requests finish within ``server.shutdown_timeout_s``, close
    WebSockets, then every resource. Requests are logged by the app's middleware, so
    aiohttp's access log is off."""
    stop = asyncio.Event()  # armed first: a SIGTERM during start-up still shuts down cleanly
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    app = create_app(settings)
    if role is not None:
        _as_worker(app, role)
    runner = web.AppRunner(
        app,
        handle_signals=False,
        access_log=None,
        shutdown_timeout=settings.server.shutdown_timeout_s,
    )
    await runner.setup()
    settle_after_startup()  # the start-up heap frozen, young collections rarer
    try:
        ssl_context = await asyncio.to_thread(server_ssl_context, settings.tls)
        site = web.TCPSite(
            runner,
            settings.server.host,
            settings.server.port,
            ssl_context=ssl_context,
            reuse_port=role is not None,
        )
        await site.start()
        host, port = runner.addresses[0][:2]
        origin = public_origin(host, port, ssl_context is not None)
        if role is not None:
            role.ready()
        elif SANDBOX in app:
            await _announce_embedded(app, origin, out)
        else:
            grpc = app.get(GRPC_SERVER)
            graphql_url = f"{origin}{settings.server.graphql_path}"
            print(serving_line(graphql_url, grpc.target if grpc else None), file=out, flush=True)
        if role is None:
            print(describe_audit(settings.audit), file=out, flush=True)
        await stop.wait()
        logger.info("shutting down", extra={"timeout_s": settings.server.shutdown_timeout_s})
    finally:
        await runner.cleanup()


__all__ = ["WORKER_HEADER", "WorkerRole", "banner", "demo_tokens", "serve"]
