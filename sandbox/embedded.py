"""Run the sandbox inside another process (the gateway, a test) on an ephemeral port.

The socket is bound *before* the app starts, so the real ``http://127.0.0.1:<port>`` is
known, and set on the Store and config, before anything can emit a link, a token issuer
or an ESS ``href``.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

from sandbox.app import create_sandbox_app
from sandbox.config import SandboxConfig
from sandbox.engine import Engine
from sandbox.keys import ENGINE, STORE
from sandbox.state import Store


@dataclass(frozen=True)
class RunningSandbox:
    base_url: str
    app: web.Application
    store: Store
    engine: Engine
    admin_token: str | None
    instance: str = field(default_factory=lambda: uuid.uuid4().hex)
    """New each time a sandbox starts: its seeded ids repeat, its state does not, so what
    was learnt from one instance (cached reads, recorded outcomes) never fits another."""


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def url_for(sock: socket.socket, host: str) -> str:
    """The origin clients use: a wildcard bind is reached through loopback."""
    port = sock.getsockname()[1]
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


@asynccontextmanager
async def _serve(
    config: SandboxConfig, host: str, port: int, *, keep_base_url: bool
) -> AsyncIterator[RunningSandbox]:
    sock = bind_socket(host, port)
    try:
        if not (keep_base_url and config.base_url):
            config.base_url = url_for(sock, host)
        app = create_sandbox_app(config)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.SockSite(runner, sock)
            await site.start()
            yield RunningSandbox(
                base_url=config.base_url,
                app=app,
                store=app[STORE],
                engine=app[ENGINE],
                admin_token=config.admin_token,
            )
        finally:
            await runner.cleanup()
    finally:
        sock.close()


@asynccontextmanager
async def serve_sandbox(config: SandboxConfig) -> AsyncIterator[RunningSandbox]:
    """Serve on ``config.host:config.port`` (the CLI); an explicit ``base_url`` is kept,
    for deployments reached through another origin (a container port mapping)."""
    async with _serve(config, config.host, config.port, keep_base_url=True) as running:
        yield running


@asynccontextmanager
async def running_sandbox(config: SandboxConfig) -> AsyncIterator[RunningSandbox]:
    """The sandbox on 127.0.0.1 and an ephemeral port, whatever host/port the config says;
    ``config.base_url`` is set to the real origin before the app is even built."""
    async with _serve(config, "127.0.0.1", 0, keep_base_url=False) as running:
        yield running


__all__ = ["RunningSandbox", "bind_socket", "running_sandbox", "serve_sandbox", "url_for"]
