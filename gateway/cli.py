"""``concur-gateway``: serve the gateway, export its schema, or run the sandbox alone.

``serve`` builds ``Settings`` once from the environment, configures JSON-lines logging and
runs the app until SIGTERM/SIGINT. With no upstream configured it embeds the sandbox and
prints how to try it: the GraphiQL URL, demo tokens and a sample request, and subscribes
its own ESS webhook to the sandbox so report events arrive live. ``ess`` manages the ESS
webhook subscription (``gateway.events.cli``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import aiohttp
import orjson
from aiohttp import web

from adapters.errors import GatewayError
from gateway.app import create_app
from gateway.embedded import SANDBOX
from gateway.events import cli as ess_cli
from gateway.events.embedded import subscribe_embedded
from gateway.events.tls import server_ssl_context
from gateway.gc_policy import settle_after_startup
from gateway.jsonlog import configure_logging
from gateway.settings import Settings
from resolvers.schema import export_sdl
from sandbox import cli as sandbox_cli

logger = logging.getLogger(__name__)

SAMPLE_QUERY = "{ me { id kind } reports { id name approvalStatus { code name } total { value currencyCode } } }"  # noqa: E501
DEMO_LOGINS = ("traveler@example.com", "manager@example.com")


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


def banner(graphql_url: str, tokens: dict[str, str], sandbox_url: str | None = None) -> str:
    lines = [
        "concur-gateway is serving the embedded Concur sandbox.",
        f"GraphiQL: {graphql_url}",
    ]
    if sandbox_url is not None:
        lines.append(f"Sandbox: {sandbox_url}")
    lines.append("")
    for login in DEMO_LOGINS:
        if login in tokens:
            lines += [f"Token for {login}:", tokens[login], ""]
    if not tokens:
        lines += [
            "Demo tokens need the sandbox admin token (CONCUR_GATEWAY_SANDBOX__ADMIN_TOKEN);",
            "or get one from the sandbox's /oauth2/v0/token (password grant, password 'sandbox').",
            "",
        ]
    token = tokens.get(DEMO_LOGINS[0], "<token>")
    body = orjson.dumps({"query": SAMPLE_QUERY}).decode()
    lines += [
        "Try:",
        f"curl -s {graphql_url} -H 'Content-Type: application/json' "
        f"-H 'Authorization: Bearer {token}' -d '{body}'",
    ]
    return "\n".join(lines)


async def serve(settings: Settings, out: TextIO) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully (``gateway.shutdown``): stop
    accepting, let in-flight requests finish within ``server.shutdown_timeout_s``, close
    WebSockets, then every resource. Requests are logged by the app's middleware, so
    aiohttp's access log is off."""
    stop = asyncio.Event()  # armed first: a SIGTERM during start-up still shuts down cleanly
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    app = create_app(settings)
    runner = web.AppRunner(
        app,
        handle_signals=False,
        access_log=None,
        shutdown_timeout=settings.server.shutdown_timeout_s,
    )
    await runner.setup()
    settle_after_startup()  # the app's long-lived objects exist now
    try:
        ssl_context = await asyncio.to_thread(server_ssl_context, settings.tls)
        site = web.TCPSite(
            runner, settings.server.host, settings.server.port, ssl_context=ssl_context
        )
        await site.start()
        host, port = runner.addresses[0][:2]
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        origin = f"{'https' if ssl_context else 'http'}://{shown}:{port}"
        graphql_url = f"{origin}{settings.server.graphql_path}"
        if SANDBOX in app:
            running = app[SANDBOX]
            tokens: dict[str, str] = {}
            if running.admin_token:
                try:
                    tokens = await demo_tokens(running.base_url, running.admin_token)
                except (aiohttp.ClientError, TimeoutError) as exc:
                    logger.warning("demo tokens unavailable", extra={"error": repr(exc)})
            print(banner(graphql_url, tokens, running.base_url), file=out, flush=True)
            try:  # live events for the demo: the sandbox posts to our webhook
                endpoint = await subscribe_embedded(app, origin)
                print(f"ESS events are delivered to {endpoint}", file=out, flush=True)
            except (GatewayError, aiohttp.ClientError) as exc:
                logger.warning("ESS self-subscription failed", extra={"error": repr(exc)})
        else:
            print(f"concur-gateway serving on {graphql_url}", file=out, flush=True)
        await stop.wait()
        logger.info("shutting down", extra={"timeout_s": settings.server.shutdown_timeout_s})
    finally:
        await runner.cleanup()


def _serve_command(args: argparse.Namespace) -> int:
    settings = Settings()
    overrides = {
        name: value
        for name, value in (("host", args.host), ("port", args.port))
        if value is not None
    }
    if overrides:
        settings = settings.model_copy(
            update={"server": settings.server.model_copy(update=overrides)}
        )
    configure_logging(settings.log_level)
    asyncio.run(serve(settings, sys.stdout))
    return 0


def _export_schema_command(args: argparse.Namespace) -> int:
    sdl = export_sdl()
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl, encoding="utf-8")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="concur-gateway", description="A typed GraphQL gateway over SAP Concur Expense."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="serve the GraphQL gateway")
    serve_parser.add_argument("--host", help="bind address (default from settings)")
    serve_parser.add_argument("--port", type=int, help="port (default from settings; 0 = any)")
    serve_parser.set_defaults(func=_serve_command)

    export_parser = commands.add_parser("export-schema", help="write the schema SDL")
    export_parser.add_argument(
        "--output", default="schema.graphql", help="file to write, or - for stdout"
    )
    export_parser.set_defaults(func=_export_schema_command)

    sandbox_cli.register(commands)
    ess_cli.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


__all__ = ["banner", "build_parser", "demo_tokens", "main", "serve"]
