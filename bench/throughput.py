"""Requests per second of one gateway core, from cold to cached, against raw aiohttp.

Every server is its own process pinned to core 0 (``taskset -c 0``; two workers: cores 0-1)
and ``wrk`` is pinned to another core, so the client never takes the server's CPU. Servers,
in one run: raw aiohttp answering the gateway's exact answer as a fixed body (the limit);
``concur-gateway serve`` cold (caches off: two upstream calls per request), cold with
telemetry off, with every read a cache hit (the response cache off, so Strawberry runs),
with whole answers from the response cache, both again on a private ``redis-server``, and
the response cache on Redis with 2 workers. The upstream is the sandbox, pinned with the
client; its CPU during the cold runs is printed, to show whether it is the limit.

Each row: a warm-up, then ``--runs`` runs of ``--seconds`` s with ``--connections``
keep-alive connections; medians of req/s and p50, the server's RSS after the runs (workers
and their parent added up), upstream calls per request. The gateway logs at WARNING (no
request log lines), as ``bench/cache.py`` measures it.

    .venv/bin/python bench/throughput.py [--seconds 10] [--runs 3] [--connections 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cache import QUERY, TRAVELER, first_pending_report
from harness import ROOMY_BUDGET, Stack, sandbox_server

WARMUP_S = 2
_URL = re.compile(rb"(?:serving on|raw aiohttp on) (?P<url>http://\S+)")
_RPS = re.compile(r"Requests/sec:\s+(?P<rps>[0-9.]+)")
_P50 = re.compile(r"^\s+50%\s+(?P<value>[0-9.]+)(?P<unit>us|ms|s)\s*$", re.MULTILINE)
_TOTAL = re.compile(r"(?P<n>\d+) requests in")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
RAW_SERVER = """
import asyncio, sys
from aiohttp import web
body = sys.stdin.buffer.read()
async def handler(request):
    await request.read()
    return web.Response(body=body, content_type="application/json")
async def main():
    app = web.Application()
    app.router.add_post("/graphql", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print(f"raw aiohttp on http://127.0.0.1:{runner.addresses[0][1]}/graphql", flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""


@dataclass(frozen=True)
class Cores:
    """Where servers and the client run: ``one`` and ``two`` server cores, ``client``."""

    one: str
    two: str
    client: str

    @classmethod
    def of_this_machine(cls) -> Cores:
        usable = sorted(os.sched_getaffinity(0))
        if len(usable) < 2:
            raise SystemExit("throughput needs 2 cores: one for the server, one for wrk")
        client = usable[2] if len(usable) > 2 else usable[1]
        return cls(one=str(usable[0]), two=f"{usable[0]},{usable[1]}", client=str(client))


@dataclass(frozen=True)
class Row:
    label: str
    rps: float
    p50_ms: float
    rss_mb: float
    cpu_us: float
    """Server CPU per request: unlike req/s, barely moved by other load on the machine."""
    busy: float
    """The server's CPU use of its cores during the runs (1.0: all of them, all along)."""
    upstream_per_request: float
    upstream_cpu: float | None = None


def ensure_wrk() -> str:
    """``wrk`` (Debian's package), installed with apt-get when missing and allowed."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is not installed: installing Debian's package (apt-get install wrk)...")
    try:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)  # noqa: S607
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(f"could not install wrk ({exc}); install it: apt-get install wrk") from exc
    return shutil.which("wrk") or "wrk"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CONCUR_", "OTEL_")) and name != "REDIS_URL"
    }
    return {**inherited, **extra}


@asynccontextmanager
async def started(
    argv: list[str], env: Mapping[str, str], cores: str, stdin: bytes = b""
) -> AsyncIterator[tuple[int, str]]:
    """A pinned server process until it printed its URL; yields (pid, URL)."""
    process = await asyncio.create_subprocess_exec(
        "taskset",
        "-c",
        cores,
        *argv,
        env=dict(env),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(stdin)
    process.stdin.close()
    url = ""
    while not url:
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        if not line:
            raise RuntimeError(f"{argv} exited before serving")
        match = _URL.search(line)
        url = match["url"].decode() if match else ""

    async def drain() -> None:
        assert process.stdout is not None
        while await process.stdout.read(65536):
            pass

    draining = asyncio.create_task(drain())
    try:
        yield process.pid, url
    finally:
        process.terminate()
        await process.wait()
        await draining


def gateway_argv(workers: int) -> list[str]:
    launch = "from gateway.cli import main; raise SystemExit(main())"
    serve = ["serve", "--host", "127.0.0.1", "--port", "0", "--workers", str(workers)]
    return [sys.executable, "-c", launch, *serve]


def family(pid: int) -> list[int]:
    """``pid`` and its children (the workers of a parent)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid, *(int(child) for child in children.read_text().split())]


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children."""
    total_kb = 0
    for each in family(pid):
        status = Path(f"/proc/{each}/status").read_text()
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total_kb += int(found.group(1)) if found else 0
    return total_kb / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def family_cpu_seconds(pid: int) -> float:
    return sum(cpu_seconds(each) for each in family(pid))


@dataclass(frozen=True)
class Load:
    """What ``wrk`` sends: the URL, its Lua script (POST body, headers), where it runs."""

    wrk: str
    script: Path
    connections: int
    cores: str

    async def run(self, url: str, seconds: int) -> tuple[float, float, int]:
        """One run: (req/s, p50 ms, requests)."""
        argv = ["taskset", "-c", self.cores, self.wrk, "-t1", f"-c{self.connections}"]
        argv += [f"-d{seconds}s", "--latency", "-s", str(self.script), url]
        process = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE)
        out = (await process.communicate())[0].decode()
        rps, p50, total = _RPS.search(out), _P50.search(out), _TOTAL.search(out)
        if rps is None or p50 is None or total is None:
            raise RuntimeError(f"wrk said:\n{out}")
        p50_ms = float(p50["value"]) * _UNIT_MS[p50["unit"]]
        return float(rps["rps"]), p50_ms, int(total["n"])


def wrk_script(directory: Path, body: bytes, token: str) -> Path:
    lua = (
        'wrk.method = "POST"\n'
        f"wrk.body = {orjson.dumps(body.decode()).decode()}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )
    path = directory / "post.lua"
    path.write_text(lua)
    return path


@dataclass
class Bench:
    load: Load
    seconds: int
    runs: int
    upstream: Stack
    sandbox_pid: int
    request: bytes
    answer: bytes
    token: str

    async def answers(self, label: str, url: str) -> None:
        """The server gives the expected answer: a row never measures refusals."""
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        async with self.upstream.session.post(url, data=self.request, headers=headers) as r:
            body = await r.read()
        if orjson.loads(body).get("data") != orjson.loads(self.answer).get("data"):
            raise RuntimeError(f"{label}: not the expected answer: {body[:300]!r}")

    async def measure(
        self, label: str, pid: int, url: str, *, cold: bool = False, cores: int = 1
    ) -> Row:
        await self.answers(label, url)
        await self.load.run(url, WARMUP_S)
        await self.upstream.admin("DELETE", "/_sandbox/stats")
        cpu_before = cpu_seconds(self.sandbox_pid)
        server_before = family_cpu_seconds(pid)
        results = [await self.load.run(url, self.seconds) for _ in range(self.runs)]
        server_cpu = family_cpu_seconds(pid) - server_before
        upstream_cpu = (cpu_seconds(self.sandbox_pid) - cpu_before) / (self.seconds * self.runs)
        calls = sum((await self.upstream.upstream_calls()).values())
        requests = max(1, sum(r[2] for r in results))
        row = Row(
            label=label,
            rps=statistics.median(r[0] for r in results),
            p50_ms=statistics.median(r[1] for r in results),
            rss_mb=rss_mb(pid),
            cpu_us=1e6 * server_cpu / requests,
            busy=server_cpu / (self.seconds * self.runs * cores),
            upstream_per_request=calls / requests,
            upstream_cpu=upstream_cpu if cold else None,
        )
        await self.answers(label, url)
        print(f"  measured: {label}: {row.rps:.0f} req/s", flush=True)
        return row


@asynccontextmanager
async def redis_server(cores: str) -> AsyncIterator[str]:
    """A private, pinned ``redis-server`` on a free port (nothing written to disk)."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as workdir:
        argv = ["taskset", "-c", cores, "redis-server", "--port", str(port), "--bind"]
        argv += ["127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir]
        process = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        assert process.stdout is not None
        while b"Ready to accept connections" not in await process.stdout.readline():
            if process.returncode is not None:
                raise RuntimeError("redis-server did not start")
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            await process.wait()


GATEWAYS: list[tuple[str, dict[str, str], bool, bool]] = [
    # label, settings, on Redis, cold
    ("gateway cold (caches off)", {"CACHE__ENABLED": "false"}, False, True),
    (
        "gateway cold, telemetry off",
        {"CACHE__ENABLED": "false", "TELEMETRY__ENABLED": "false"},
        False,
        True,
    ),
    ("gateway, read-cache hits", {"CACHE__RESPONSE_TTL_S": "0"}, False, False),
    ("gateway, response-cache hits", {}, False, False),
    ("gateway, read-cache hits, Redis", {"CACHE__RESPONSE_TTL_S": "0"}, True, False),
    ("gateway, response-cache hits, Redis", {}, True, False),
]


async def gateways(bench: Bench, sandbox_url: str, redis_url: str, cores: Cores) -> list[Row]:
    rows = []
    base = {
        "CONCUR_GATEWAY_UPSTREAM__BASE_URL": sandbox_url,
        "CONCUR_GATEWAY_LOG_LEVEL": "WARNING",
        "CONCUR_GATEWAY_GRAPHIQL": "false",
        # the gateway measured, not Concur's rate limit (see bench/harness.py ROOMY_BUDGET)
        "CONCUR_GATEWAY_BUDGET__CALLS_PER_WINDOW": str(ROOMY_BUDGET.calls_per_window),
        "CONCUR_GATEWAY_BUDGET__CALLER_SHARE": str(ROOMY_BUDGET.caller_share),
    }
    for label, groups, on_redis, cold in GATEWAYS:
        env = base | {f"CONCUR_GATEWAY_{k}": v for k, v in groups.items()}
        if on_redis:
            env |= {"REDIS_URL": redis_url, "CONCUR_GATEWAY_CACHE__PREFIX": f"b:{uuid.uuid4()}:"}
        async with started(gateway_argv(1), _clean_environment(env), cores.one) as (pid, url):
            rows.append(await bench.measure(label, pid, url, cold=cold))
    env = base | {"REDIS_URL": redis_url, "CONCUR_GATEWAY_CACHE__PREFIX": f"b:{uuid.uuid4()}:"}
    async with started(gateway_argv(2), _clean_environment(env), cores.two) as (pid, url):
        label = f"gateway, response-cache hits, Redis, 2 workers (cores {cores.two})"
        rows.append(await bench.measure(label, pid, url, cores=2))
    return rows


def table(rows: list[Row], raw: Row) -> str:
    lines = [
        f"  {'server':<62} {'req/s':>7} {'x raw':>6} {'p50 ms':>7} {'RSS MB':>7} "
        f"{'srv %':>6} {'us/req':>7} {'cpu x raw':>9} {'up/req':>6} {'up CPU':>6}",
    ]
    for row in [raw, *rows]:
        cpu = f"{100 * row.upstream_cpu:5.0f}%" if row.upstream_cpu is not None else ""
        lines.append(
            f"  {row.label:<62} {row.rps:7.0f} {row.rps / raw.rps:6.3f} {row.p50_ms:7.2f} "
            f"{row.rss_mb:7.0f} {100 * row.busy:5.0f}% {row.cpu_us:7.0f} "
            f"{raw.cpu_us / row.cpu_us:9.3f} {row.upstream_per_request:6.2f} {cpu:>6}"
        )
    return "\n".join(lines)


async def _request_and_answer(
    upstream: Stack, sandbox_url: str, token: str, cores: Cores
) -> tuple[bytes, bytes]:
    """The measured request (one report with its entries: two upstream calls uncached)
    and the gateway's answer to it, which the raw server sends back as its fixed body."""
    env = _clean_environment({"CONCUR_GATEWAY_UPSTREAM__BASE_URL": sandbox_url})
    async with started(gateway_argv(1), env, cores.one) as (_, url):
        gateway = Stack(sandbox_url, url.removesuffix("/graphql"), upstream.session)
        report_id = await first_pending_report(gateway, token)
        request = orjson.dumps({"query": QUERY, "variables": {"id": report_id}})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        async with upstream.session.post(url, data=request, headers=headers) as response:
            return request, await response.read()


async def main(seconds: int, runs: int, connections: int) -> None:
    cores = Cores.of_this_machine()
    wrk = ensure_wrk()
    print(
        f"Throughput: servers on core {cores.one} (2 workers: {cores.two}), wrk, the sandbox "
        f"and Redis on core {cores.client}; {connections} connections, {WARMUP_S} s warm-up, "
        f"median of {runs} x {seconds} s",
        flush=True,
    )
    async with (
        sandbox_server(cores=cores.client) as (sandbox_url, sandbox_pid),
        redis_server(cores.client) as redis_url,
        aiohttp.ClientSession() as session,
    ):
        upstream = Stack(sandbox_url, "", session)
        token = await upstream.token(TRAVELER)
        request, answer = await _request_and_answer(upstream, sandbox_url, token, cores)
        with tempfile.TemporaryDirectory() as directory:
            script = wrk_script(Path(directory), request, token)
            bench = Bench(
                Load(wrk, script, connections, cores.client),
                seconds,
                runs,
                upstream,
                sandbox_pid,
                request,
                answer,
                token,
            )
            raw_argv = [sys.executable, "-c", RAW_SERVER]
            async with started(raw_argv, _clean_environment({}), cores.one, answer) as server:
                raw = await bench.measure("raw aiohttp, fixed body (the limit)", *server)
            rows = await gateways(bench, sandbox_url, redis_url, cores)
    print(
        f"  answer: {len(answer)} bytes. srv %: the server's CPU use of its cores (under 100: "
        "held back by the client's core or by other load on the machine); us/req: server CPU "
        "per request; cpu x raw: raw's us/req / this one's, what a saturated core would give; "
        "up/req: upstream calls per request (wrk's unfinished ones included); "
        "up CPU: the sandbox's CPU during the runs"
    )
    print(table(rows, raw))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each run")
    parser.add_argument("--runs", type=int, default=3, help="runs per server (median)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    options = parser.parse_args()
    asyncio.run(main(options.seconds, options.runs, options.connections))
