"""What the budget costs per request: the same load with it on and off, in one run.

Each request executes (the response cache is off, the read cache on, so Concur is hardly
called and the gateway's own work dominates): priced, charged to the caller's share and the
app's window, and answered with ``extensions.cost``. Compared: the budget off (priced and
reported only) against on, in process and on Redis (a ``redis-server`` this script starts
on a free port). Printed: req/s and p50 of each, and on ÷ off (1.00: free).

    .venv/bin/python bench/budget.py [--requests 2000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOMY_BUDGET, Load, load, stack

from adapters.config import UpstreamSettings
from gateway.settings import Settings
from gateway.settings.cache import CacheSettings

QUERY = """query($id: ID!) { report(id: $id, context: MANAGER) {
  id name total { value currencyCode } entries { id vendor } costObjects { name }
} }"""
MANAGER = "manager@example.com"


def settings_for(*, enabled: bool, redis_url: str | None = None) -> Callable[[str], Settings]:
    def build(sandbox_url: str) -> Settings:
        extra: dict[str, Any] = {}
        if redis_url is not None:
            extra["redis_url"] = SecretStr(redis_url)
        return Settings(
            upstream=UpstreamSettings(base_url=sandbox_url),
            cache=CacheSettings(response_ttl_s=0),
            budget=ROOMY_BUDGET.model_copy(update={"enabled": enabled}),
            **extra,
        )

    return build


@asynccontextmanager
async def redis_server() -> AsyncIterator[str | None]:
    """A throwaway ``redis-server`` on a free port (None when none is installed)."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as workdir:
        proc = await asyncio.create_subprocess_exec(
            binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", workdir,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        assert proc.stdout is not None
        async for line in proc.stdout:
            if b"Ready to accept connections" in line:
                break
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            await proc.wait()


async def measure(
    label: str, settings: Callable[[str], Settings], requests: int, concurrency: int
) -> Load:
    async with stack(settings=settings) as s:
        token = await s.token(MANAGER)
        listing = await s.gql("{ reportsToApprove { id } }", token)
        report_id = listing["reportsToApprove"][0]["id"]
        body = orjson.dumps({"query": QUERY, "variables": {"id": report_id}})
        await s.gql(QUERY, token, {"id": report_id})  # raises on errors; warms the caches
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        result = await load(
            f"{s.gateway_url}/graphql",
            body,
            headers,
            requests=requests,
            concurrency=concurrency,
        )
    print(
        f"{label:<28} {result.rps:8.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
        f"p99 {result.p99_ms:6.2f} ms  failures {result.failures}"
    )
    return result


async def main(requests: int, concurrency: int) -> None:
    off = await measure(
        "budget off (priced only)", settings_for(enabled=False), requests, concurrency
    )
    on = await measure("budget on, in process", settings_for(enabled=True), requests, concurrency)
    print(f"{'on ÷ off (in process)':<28} {on.rps / off.rps:8.2f} x throughput")
    async with redis_server() as url:
        if url is None:
            print("no redis-server installed: the shared budget is not measured")
            return
        shared_off = await measure(
            "budget off, Redis", settings_for(enabled=False, redis_url=url), requests, concurrency
        )
        shared_on = await measure(
            "budget on, Redis", settings_for(enabled=True, redis_url=url), requests, concurrency
        )
        print(f"{'on ÷ off (Redis)':<28} {shared_on.rps / shared_off.rps:8.2f} x throughput")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency))
