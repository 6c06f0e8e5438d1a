"""``concur-gateway serve`` as a real process, configured only through its environment.

Replicas, worker processes and the README's first session all need the gateway exactly as
a deployment runs it: its own process, its own event loop, settings from the environment
alone. ``serving`` starts one, waits for the line it prints when it serves (never a timer),
keeps its pipes drained, and stops it on exit (SIGTERM, then SIGKILL if it lingers).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import aiohttp

from sandbox import seed
from tests.support.events import KEY_PATH
from tests.support.sandbox import SandboxHarness

LAUNCH: Final = "from gateway.cli import main; raise SystemExit(main())"
"""The console script's entry point, run by this interpreter (so the checkout under test)."""
SERVING_LINE: Final = re.compile(r"(?P<url>http://127\.0\.0\.1:\d+/graphql)")
"""Any line naming the GraphQL endpoint: the serving line, or the sandbox banner's."""
START_S: Final = 60.0
STOP_S: Final = 30.0


def deployment_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any application setting, plus ``settings``."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CONCUR_", "OTEL_")) and name != "REDIS_URL"
    }
    return {**inherited, **settings}


@dataclass
class ServeProcess:
    """A running ``serve``: the line it printed when it began serving, and its stderr."""

    process: asyncio.subprocess.Process
    line: re.Match[str]
    stderr: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.line["url"]

    @property
    def origin(self) -> str:
        return self.url.rsplit("/", 1)[0]


async def _watch(
    stream: asyncio.StreamReader | None, line: re.Pattern[str], found: asyncio.Future[re.Match[str]]
) -> None:
    """Read stdout to its end (so it never fills); ``found`` gets the first matching line."""
    if stream is None:
        return
    async for raw in stream:
        match = line.search(raw.decode(errors="replace"))
        if match is not None and not found.done():
            found.set_result(match)


async def _collect(stream: asyncio.StreamReader | None, lines: list[bytes]) -> None:
    if stream is not None:
        async for raw in stream:
            lines.append(raw)


@asynccontextmanager
async def serving(
    env: Mapping[str, str], *argv: str, line: re.Pattern[str] = SERVING_LINE
) -> AsyncIterator[ServeProcess]:
    """``serve --host 127.0.0.1 --port 0 *argv`` until it printed ``line``."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LAUNCH,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        *argv,
        env=dict(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    found: asyncio.Future[re.Match[str]] = asyncio.get_running_loop().create_future()
    errors: list[bytes] = []
    readers = [
        asyncio.create_task(_watch(process.stdout, line, found)),
        asyncio.create_task(_collect(process.stderr, errors)),
    ]
    try:
        exited = asyncio.create_task(process.wait())
        done, _ = await asyncio.wait(
            {found, exited}, timeout=START_S, return_when="FIRST_COMPLETED"
        )
        exited.cancel()
        assert found in done, f"serve did not start ({process.returncode}): {b''.join(errors)!r}"
        yield ServeProcess(process=process, line=found.result(), stderr=errors)
    finally:
        if process.returncode is None:
            process.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), STOP_S)
        if process.returncode is None:
            process.kill()
        await process.wait()
        for reader in readers:
            await reader


@dataclass
class Replica:
    """One ``concur-gateway serve`` process, and a client session to call it with."""

    name: str
    served: ServeProcess
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return self.served.url

    @property
    def origin(self) -> str:
        return self.served.origin

    async def gql(self, query: str, variables: Mapping[str, Any], token: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"}
        payload = {"query": query, "variables": dict(variables)}
        async with self.session.post(self.url, json=payload, headers=headers) as response:
            assert response.status == 200, await response.text()
            body: dict[str, Any] = await response.json()
            return body


def replica_environment(sandbox: SandboxHarness, redis_url: str, prefix: str) -> dict[str, str]:
    """Only what a deployment would set: no inherited application settings."""
    return deployment_environment(
        REDIS_URL=redis_url,
        CONCUR_GATEWAY_CACHE__PREFIX=prefix,
        CONCUR_GATEWAY_UPSTREAM__BASE_URL=sandbox.base_url,
        CONCUR_GATEWAY_UPSTREAM__BACKOFF_INITIAL_S="0.01",
        CONCUR_GATEWAY_UPSTREAM__BACKOFF_MAX_S="0.05",
        CONCUR_GATEWAY_COMPANY_AUTH__CLIENT_ID=seed.CLIENT_ID,
        CONCUR_GATEWAY_COMPANY_AUTH__CLIENT_SECRET=seed.CLIENT_SECRET,
        CONCUR_GATEWAY_COMPANY_AUTH__COMPANY_ID=seed.COMPANY_ID,
        CONCUR_GATEWAY_COMPANY_AUTH__COMPANY_AUTH_TOKEN=seed.COMPANY_AUTH_TOKEN,
        CONCUR_GATEWAY_ESS__PUBLIC_KEYS=json.dumps([sandbox.base_url + KEY_PATH]),
        CONCUR_GATEWAY_ESS__KEY_REFETCH_MIN_S="0",
        CONCUR_GATEWAY_GRAPHIQL="false",
        CONCUR_GATEWAY_LOG_LEVEL="WARNING",
    )


@asynccontextmanager
async def replica(
    name: str, env: Mapping[str, str], session: aiohttp.ClientSession
) -> AsyncIterator[Replica]:
    async with serving(env) as served:
        yield Replica(name=name, served=served, session=session)


__all__ = [
    "LAUNCH",
    "SERVING_LINE",
    "Replica",
    "ServeProcess",
    "deployment_environment",
    "replica",
    "replica_environment",
    "serving",
]
