"""``concur-gateway serve`` as a real process, configured only through its environment.

Replicas, worker processes and the README's first session all need the gateway exactly as
a deployment runs it: its own process, its own event loop, settings from the environment
alone. ``serving`` starts one, waits for the line it prints when it serves (never a timer),
keeps its pipes drained, and stops it on exit (SIGTERM, then SIGKILL if it lingers).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Final

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


__all__ = [
    "LAUNCH",
    "SERVING_LINE",
    "ServeProcess",
    "deployment_environment",
    "serving",
]
