"""``concur-gateway``: serve the gateway, export its schema, or run the sandbox alone.

``serve`` builds ``Settings`` once from the environment, configures JSON-lines logging and
runs the app until SIGTERM/SIGINT (``gateway.serving``), in one process or in several
workers on one port (``gateway.workers``). ``ess`` manages the ESS webhook subscription
(``gateway.events.cli``); ``sandbox`` serves the sandbox alone (``sandbox.cli``).

Building the parser imports nothing heavy: each command imports what it runs, so ``--help``
answers at once (a test keeps the app, Strawberry, aiohttp, Redis and gRPC out of it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.audit import cli as audit_cli
from gateway.events import cli as ess_cli
from sandbox import cli as sandbox_cli

if TYPE_CHECKING:
    from gateway.settings import Settings

REFUSED_EXIT: int = 2
"""The exit code of a configuration that cannot run (as argparse's own usage errors)."""


def _settings(args: argparse.Namespace) -> Settings:
    from gateway.settings import Settings  # noqa: PLC0415 - pydantic costs a quarter second

    settings = Settings()
    overrides = {
        name: value
        for name, value in (("host", args.host), ("port", args.port), ("workers", args.workers))
        if value is not None
    }
    if not overrides:
        return settings
    server = settings.server.model_validate({**settings.server.model_dump(), **overrides})
    return settings.model_copy(update={"server": server})


def _serve_command(args: argparse.Namespace) -> int:
    import asyncio  # noqa: PLC0415 - imports stay in the command (see the module docstring)

    from gateway.jsonlog import configure_logging  # noqa: PLC0415
    from gateway.workers import WorkersRefused, supervise, worker_count  # noqa: PLC0415

    settings = _settings(args)
    configure_logging(settings.log_level)
    try:
        workers = worker_count(settings)
    except WorkersRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return REFUSED_EXIT
    if workers > 1:
        return supervise(settings, workers, sys.stdout)
    from gateway.serving import serve  # noqa: PLC0415

    asyncio.run(serve(settings, sys.stdout))
    return 0


def _export_schema_command(args: argparse.Namespace) -> int:
    from resolvers.schema import export_sdl  # noqa: PLC0415

    sdl = export_sdl()
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl, encoding="utf-8")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="concur-gateway", description="A typed GraphQL gateway over SAP Concur Expense."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="serve the GraphQL gateway")
    serve_parser.add_argument("--host", help="bind address (default from settings)")
    serve_parser.add_argument("--port", type=int, help="port (default from settings; 0 = any)")
    serve_parser.add_argument(
        "--workers",
        type=_positive,
        help="processes on the one port (default: CONCUR_GATEWAY_SERVER__WORKERS, else one "
        "per usable core when REDIS_URL and an upstream are set, else 1)",
    )
    serve_parser.set_defaults(func=_serve_command)

    export_parser = commands.add_parser("export-schema", help="write the schema SDL")
    export_parser.add_argument(
        "--output", default="schema.graphql", help="file to write, or - for stdout"
    )
    export_parser.set_defaults(func=_export_schema_command)

    sandbox_cli.register(commands)
    ess_cli.register(commands)
    audit_cli.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


def __getattr__(name: str) -> Any:
    """``serve``, ``banner`` and ``demo_tokens`` moved to ``gateway.serving``; still
    importable from here, without importing the app for ``--help``."""
    if name in ("serve", "banner", "demo_tokens"):
        from gateway import serving  # noqa: PLC0415

        return getattr(serving, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["REFUSED_EXIT", "build_parser", "main"]
