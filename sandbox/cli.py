"""``concur-gateway sandbox``: serve the sandbox alone until SIGINT/SIGTERM.

The only place the sandbox reads the environment: ``CONCUR_SANDBOX_ADMIN_TOKEN`` supplies
the admin token when ``--admin-token`` is not given, so it need not appear in ``ps``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # the modules load in the functions: building the CLI's parser stays light
    from sandbox.config import SandboxConfig
    from sandbox.embedded import RunningSandbox

ADMIN_TOKEN_ENV = "CONCUR_SANDBOX_ADMIN_TOKEN"  # noqa: S105 - a variable name
_log = logging.getLogger(__name__)


def banner(running: RunningSandbox) -> str:
    """What a developer needs to start calling the sandbox."""
    from sandbox import seed  # noqa: PLC0415

    users = "\n".join(
        f"    {u.login:<24} {u.id}  {u.first_name} {u.last_name} ({', '.join(sorted(u.roles))})"
        for u in seed.DEMO_USERS
    )
    admin = (
        "enabled: Authorization: Bearer <admin token>"
        if running.admin_token
        else f"disabled (set --admin-token or {ADMIN_TOKEN_ENV})"
    )
    return (
        f"Concur sandbox listening on {running.base_url}\n"
        f"  token endpoint: {running.base_url}/oauth2/v0/token\n"
        f"  app client:     client_id={seed.CLIENT_ID} client_secret={seed.CLIENT_SECRET}\n"
        f"  company:        username={seed.COMPANY_ID} "
        f"password={seed.COMPANY_AUTH_TOKEN} credtype=authtoken\n"
        f"  users (password {seed.DEMO_PASSWORD!r}):\n{users}\n"
        f"  admin routes:   {admin}\n"
        f"  reports:        {len(running.store.reports)}\n"
    )


async def serve_until_signal(config: SandboxConfig, out: TextIO) -> None:
    import asyncio  # noqa: PLC0415

    from sandbox.embedded import serve_sandbox  # noqa: PLC0415

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with serve_sandbox(config) as running:
            out.write(banner(running))
            out.flush()
            await stop.wait()
            _log.info("sandbox stopping")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def run(args: argparse.Namespace) -> int:
    """Entry point of the ``sandbox`` sub-command (``args.func``)."""
    import asyncio  # noqa: PLC0415

    from sandbox.config import SandboxConfig  # noqa: PLC0415

    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
    config = SandboxConfig(
        host=args.host,
        port=args.port,
        scale=args.scale,
        seed=args.seed,
        admin_token=args.admin_token or os.environ.get(ADMIN_TOKEN_ENV) or None,
        base_url=args.base_url.rstrip("/"),
    )
    asyncio.run(serve_until_signal(config, sys.stdout))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sandbox`` sub-command; it sets ``args.func`` to ``run``."""
    parser = subparsers.add_parser(
        "sandbox",
        help="serve the stateful Concur sandbox",
        description="Serve the Concur sandbox (OAuth2, v4 JSON, v1.1/v2.0 XML, ESS) "
        "with its seeded demo company until SIGINT/SIGTERM.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind")
    parser.add_argument("--port", type=int, default=8081, help="port to bind (0: any free)")
    parser.add_argument("--scale", type=int, default=0, help="extra generated reports")
    parser.add_argument("--seed", type=int, default=7, help="seed of the demo data")
    parser.add_argument(
        "--admin-token",
        default=None,
        help=f"enables /_sandbox admin routes (default: ${ADMIN_TOKEN_ENV})",
    )
    parser.add_argument(
        "--base-url",
        default="",
        help="origin clients use, when not http://<host>:<port> (e.g. behind a port mapping)",
    )
    parser.set_defaults(func=run)


__all__ = ["ADMIN_TOKEN_ENV", "banner", "register", "run", "serve_until_signal"]
