"""Cached reads: throughput against raw aiohttp, and how soon a change in Concur reads fresh.

1. Throughput. The same load client (its own process, keep-alive connections) posts the same
   request to (a) a raw aiohttp handler answering a fixed body of the gateway's exact answer
   and (b) the gateway answering a cached ``report { … entries … }`` query, in process and on
   Redis (when one answers). Printed: req/s of each and b ÷ a, beside GraphQL Mesh on Hive
   Gateway's 0.054 x raw on a similar shape (measured elsewhere, see the perf notes).
2. Freshness. A report is changed in the sandbox behind the gateway's back (the traveler
   renames it through v4 directly); the sandbox delivers the signed ESS ``reportUpdated``
   event to the gateway, which invalidates the report; a client polling the cached query
   sees the new name. Printed: change-committed → first fresh read, and for comparison the
   gateway's own mutation → fresh read.

    .venv/bin/python bench/cache.py [--requests 3000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import redis
from aiohttp import web
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Load, Stack, load, stack

from adapters.config import UpstreamSettings
from gateway.cache.backend import BACKEND
from gateway.settings import Settings
from gateway.settings.cache import CacheSettings
from gateway.settings.events import EssSettings
from sandbox import seed

HIVE_MESH_RATIO = 0.054
"""GraphQL Mesh v1 on Hive Gateway 2.15, one Concur v4 report per request, ÷ raw aiohttp."""
ROUNDS = 20
TRAVELER = "traveler@example.com"
FRESH_TIMEOUT_S = 10.0

QUERY = """query($id: ID!) { report(id: $id) {
  id name approvalStatus { code } total { value currencyCode }
  entries { id vendor transactionDate transactionAmount { value currencyCode } }
} }"""
NAME = "query($id: ID!) { report(id: $id) { id name } }"
RENAME = """mutation($id: ID!, $name: String!) {
  updateReport(reportId: $id, patch: { name: $name }) { report { name } userErrors { code } }
}"""


@asynccontextmanager
async def raw_server(body: bytes) -> AsyncIterator[str]:
    """The baseline: aiohttp reading the request and answering a fixed JSON body."""

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/graphql", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/graphql"
    finally:
        await runner.cleanup()


def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        client.ping()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        return None
    finally:
        client.close()
    return url


def drop_prefix(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def settings_for(**groups: Any) -> Callable[[str], Settings]:
    def build(sandbox_url: str) -> Settings:
        return Settings(upstream=UpstreamSettings(base_url=sandbox_url), **groups)

    return build


@dataclass(frozen=True)
class Run:
    """One load run: what the client saw, and the server's CPU per request (this process)."""

    load: Load
    cpu_us: float


async def measured(url: str, body: bytes, headers: dict[str, str], **kw: int) -> Run:
    """The server runs in this process and the client in its own: our CPU time is the
    server's, so CPU per request compares servers even where the client is the limit."""
    start = time.process_time()
    result = await load(url, body, headers, **kw)
    return Run(result, 1e6 * (time.process_time() - start) / result.requests)


def line(label: str, run: Run, raw: Run | None = None) -> str:
    result = run.load
    ratios = " " * 30
    if raw is not None:
        ratios = f"{result.rps / raw.load.rps:6.3f} x raw  cpu {raw.cpu_us / run.cpu_us:6.3f} x raw"
    return (
        f"  {label:<36} {result.rps:7.0f} req/s  {ratios}  server cpu {run.cpu_us:7.0f} us/req"
        f"  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  failures {result.failures}"
    )


async def first_pending_report(gw: Stack, token: str) -> str:
    data = await gw.gql("{ reports(view: PENDING) { id } }", token)
    return str(data["reports"][0]["id"])


async def gateway_load(
    gw: Stack, token: str, report_id: str, requests: int, concurrency: int
) -> tuple[Run, dict[str, int]]:
    payload = orjson.dumps({"query": QUERY, "variables": {"id": report_id}})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    await gw.gql(QUERY, token, {"id": report_id})  # cached from here on
    await gw.admin("DELETE", "/_sandbox/stats")
    run = await measured(
        f"{gw.gateway_url}/graphql",
        payload,
        headers,
        requests=requests,
        concurrency=concurrency,
    )
    return run, await gw.upstream_calls()


async def throughput(requests: int, concurrency: int) -> None:
    print(f"Cached-query throughput ({requests} requests, {concurrency} connections)")
    rows: list[tuple[str, Run, dict[str, int]]] = []
    body = b""
    async with stack() as gw:
        token = await gw.token(TRAVELER)
        report_id = await first_pending_report(gw, token)
        async with gw.session.post(
            f"{gw.gateway_url}/graphql",
            json={"query": QUERY, "variables": {"id": report_id}},
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            body = await response.read()
        result, calls = await gateway_load(gw, token, report_id, requests, concurrency)
        rows.append(("gateway, cache in process", result, calls))
        assert gw.app is not None
        stats = gw.app[BACKEND].stats
    url = redis_url()
    if url is not None:
        prefix = f"concur-gateway-bench:{uuid.uuid4().hex}:"
        try:
            for label, near in (("near cache", 10_000), ("no near cache", 0)):
                cache = CacheSettings(prefix=prefix, near_max_entries=near)
                async with stack(
                    settings=settings_for(redis_url=SecretStr(url), cache=cache)
                ) as gw:
                    token = await gw.token(TRAVELER)
                    result, calls = await gateway_load(gw, token, report_id, requests, concurrency)
                    rows.append((f"gateway, Redis, {label}", result, calls))
        finally:
            drop_prefix(url, prefix)
    async with stack(settings=settings_for(cache=CacheSettings(enabled=False))) as gw:
        token = await gw.token(TRAVELER)
        result, calls = await gateway_load(gw, token, report_id, requests // 3, concurrency)
        rows.append(("gateway, no cache (2 upstream calls)", result, calls))

    request = orjson.dumps({"query": QUERY, "variables": {"id": report_id}})
    headers = {"Content-Type": "application/json"}
    async with raw_server(body) as raw_url:
        runs = [
            await measured(raw_url, request, headers, requests=requests, concurrency=concurrency)
            for _ in range(2)
        ]
    raw = Run(
        Load(
            requests=requests,
            rps=statistics.mean(r.load.rps for r in runs),
            failures=sum(r.load.failures for r in runs),
            p50_ms=statistics.mean(r.load.p50_ms for r in runs),
            p99_ms=statistics.mean(r.load.p99_ms for r in runs),
        ),
        statistics.mean(r.cpu_us for r in runs),
    )
    print(f"  response body: {len(body)} bytes (the raw handler answers the same bytes)")
    for n, run in enumerate(runs, 1):
        print(line(f"raw aiohttp, fixed body (run {n})", run))
    for label, run, calls in rows:
        upstream = sum(calls.values())
        print(line(label, run, raw) + f"  upstream calls {upstream}")
    print(f"  reference: GraphQL Mesh on Hive Gateway, one v4 report / raw = {HIVE_MESH_RATIO}")
    print(
        "  (req/s ratios use one Python client: for raw aiohttp the client is the limit, so"
        " they overstate;\n   cpu ratios divide server CPU per request: raw us / gateway us,"
        " what a saturated server core would give)"
    )
    print(
        f"  in-process cache stats: whole answers reused {stats.response_hits}, "
        f"read hits {stats.hits}, misses {stats.misses}, "
        f"evictions {stats.evictions}, errors {stats.errors}"
    )


async def subscribe(gw: Stack) -> None:
    """Subscribe the gateway's ESS webhook to the sandbox (an app token, as Concur wants)."""
    form = {
        "grant_type": "client_credentials",
        "client_id": seed.CLIENT_ID,
        "client_secret": seed.CLIENT_SECRET,
    }
    async with gw.session.post(f"{gw.sandbox_url}/oauth2/v0/token", data=form) as r:
        app_token = (await r.json())["access_token"]
    subscription = {
        "id": "bench-cache",
        "filter": ".*",
        "topic": "public.concur.expense.report",
        "webHookConfig": {"endpoint": f"{gw.gateway_url}/events/ess"},
    }
    async with gw.session.put(
        f"{gw.sandbox_url}/events/v4/subscriptions/webhook",
        json=subscription,
        headers={"Authorization": f"Bearer {app_token}"},
    ) as r:
        r.raise_for_status()


async def rename_in_concur(gw: Stack, token: str, report_id: str, name: str) -> None:
    url = (
        f"{gw.sandbox_url}/expensereports/v4/users/{seed.TRAVELER_ID}"
        f"/context/TRAVELER/reports/{report_id}"
    )
    async with gw.session.patch(
        url,
        json={"name": name, "reportSource": "OTHER"},
        headers={"Authorization": f"Bearer {token}"},
    ) as r:
        r.raise_for_status()


async def read_name(gw: Stack, token: str, report_id: str) -> str:
    data = await gw.gql(NAME, token, {"id": report_id})
    return str(data["report"]["name"])


async def until_fresh(gw: Stack, token: str, report_id: str, name: str) -> tuple[float, int]:
    """Poll the cached read as fast as it answers; (seconds to the new name, reads made)."""
    start = time.perf_counter()
    reads = 0
    while time.perf_counter() - start < FRESH_TIMEOUT_S:
        reads += 1
        if await read_name(gw, token, report_id) == name:
            return time.perf_counter() - start, reads
    raise RuntimeError(f"{report_id} did not read fresh within {FRESH_TIMEOUT_S} s")


def summary(label: str, seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return (
        f"  {label:<44} median {statistics.median(ms):6.2f} ms  p95 {p95:6.2f} ms"
        f"  max {ms[-1]:6.2f} ms"
    )


async def freshness() -> None:
    print(f"Change-to-fresh-read latency ({ROUNDS} rounds, cached query polled)")

    def with_ess(sandbox_url: str) -> Settings:
        keys = [f"{sandbox_url}/_sandbox/ess/public-key.pem"]
        return Settings(
            upstream=UpstreamSettings(base_url=sandbox_url), ess=EssSettings(public_keys=keys)
        )

    async with stack(settings=with_ess) as gw:
        token = await gw.token(TRAVELER)
        drafts = await gw.gql("{ reports(view: UNSUBMITTED) { id } }", token)
        report_id = str(drafts["reports"][0]["id"])
        before = await read_name(gw, token, report_id)  # cached
        await rename_in_concur(gw, token, report_id, "Renamed while nobody listens")
        stale = await read_name(gw, token, report_id) == before
        print(f"  control, no webhook subscribed: the read after the change is stale: {stale}")
        await subscribe(gw)
        by_event: list[float] = []
        polls: list[int] = []
        for n in range(ROUNDS):
            await read_name(gw, token, report_id)  # cached
            name = f"Renamed in Concur {n}"
            await rename_in_concur(gw, token, report_id, name)
            seconds, reads = await until_fresh(gw, token, report_id, name)
            by_event.append(seconds)
            polls.append(reads)
        by_mutation: list[float] = []
        for n in range(ROUNDS):
            await read_name(gw, token, report_id)
            name = f"Renamed through the gateway {n}"
            start = time.perf_counter()
            await gw.gql(RENAME, token, {"id": report_id, "name": name})
            await until_fresh(gw, token, report_id, name)
            by_mutation.append(time.perf_counter() - start)
        print(summary("ESS event (signed, via the sandbox) → fresh", by_event))
        print(f"  {'':<44} cached reads before the fresh one: median {statistics.median(polls)}")
        print(summary("gateway mutation → fresh read (incl. mutation)", by_mutation))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    await throughput(args.requests, args.concurrency)
    print()
    await freshness()


if __name__ == "__main__":
    asyncio.run(main())
