"""Soak: the gateway under mixed load while Concur and Redis misbehave, for N minutes.

    .venv/bin/python bench/soak.py [MINUTES]      # default 10

Starts a private ``redis-server``, the sandbox and the gateway as two processes (so the
gateway's own memory is what is measured: the sandbox keeps every report the soak creates),
ESS delivered to the gateway's webhook and Redis as its shared cache. Then, until
the time is up: GraphQL queries; guarded mutations (approve and send back with fresh
idempotency keys, submit, addEntries, create); ``reportEvents`` subscriptions over
``graphql-transport-ws``; signed ESS events the sandbox emits and delivers (duplicates
injected now and then); sandbox faults that rotate (500/503, dropped connections, latency,
rate limits, malformed XML); Redis stopped and restarted; and the sandbox re-seeded every
two minutes, so the data the load works on stays the same size. Every 30 s it prints the
gateway process's RSS and open files (from /proc); at the end, counts of requests, 5xx and
``INTERNAL``, and the RSS / open-file drift since warm-up. Traffic stays on 127.0.0.1; every
loop ends with the deadline. Exits non-zero when any answer was a 5xx or ``INTERNAL``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import re
import secrets
import shutil
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from sandbox import seed

REPO = Path(__file__).resolve().parents[1]
SERVE = "import sys; from gateway.cli import main; sys.exit(main(sys.argv[1:]))"
SAMPLE_EVERY_S = 30.0
RESEED_EVERY_S = 120.0
"""The sandbox is re-seeded this often: the soak's reports and entries pile up otherwise, and
a load that grows without end measures the load, not the gateway."""
WARM_UP_S = 60.0
SEED = 20261201
V4 = r"^/expensereports/v4/"
XML = r"^/api/expense/expensereport/"
FAULTS: tuple[dict[str, Any], ...] = (
    {"path": V4, "kind": "status", "status": 500, "every": 3},
    {"path": XML, "kind": "status", "status": 503, "every": 2},
    {"path": V4, "kind": "drop", "every": 4},
    {"path": f"{V4}|{XML}", "kind": "latency", "latency_ms": 300},
    {"path": V4, "kind": "rate_limit", "retry_after": 1, "every": 2},
    {"path": XML, "kind": "malformed_xml", "every": 2},
    {},  # a quiet spell: no fault
)
QUERIES = (
    "{ me { id kind } }",
    "{ reports { id name total { value currencyCode } approvalStatus { code } } }",
    "{ reports(view: UNSUBMITTED) { id entries { id transactionAmount { value } } } }",
    "{ reportsToApprove { id workflow { stepCode hasActionUrl } availableActions "
    "costObjects { name approvedAmount { value } } } }",
)
REPORT = """query($id: ID!, $ctx: ReportContext!) { report(id: $id, context: $ctx) {
  id total { value } entries { id vendor expenseType { key } } workflow { stepCode }
} }"""
APPROVE = """mutation($id: ID!, $key: String!, $protocol: Protocol!) {
  approveReport(input: {reportId: $id, expectedStatus: "A_PEND", comment: "soak",
                        idempotencyKey: $key, protocol: $protocol}) {
    report { id approvalStatus { code } } userErrors { code } } }"""
SEND_BACK = """mutation($id: ID!, $key: String!) {
  sendBackReport(input: {reportId: $id, expectedStatus: "A_PEND", comment: "soak: fix",
                         idempotencyKey: $key}) { report { id } userErrors { code } } }"""
SUBMIT = """mutation($id: ID!, $key: String!) {
  submitReport(input: {reportId: $id, expectedStatus: "A_NOTF", idempotencyKey: $key}) {
    report { id } userErrors { code } } }"""
ADD_ENTRIES = """mutation($id: ID!, $amount: Decimal!) {
  addEntries(reportId: $id, entries: [{currencyCode: "USD", expenseTypeKey: "TAXIX",
             transactionDate: "2026-11-30", transactionAmount: $amount, vendor: "Soak Cab"}]) {
    results { success } userErrors { code } } }"""
CREATE = """mutation($key: String!) {
  createReport(input: {name: "Soak report", idempotencyKey: $key}) {
    report { id } userErrors { code } } }"""
SUBSCRIBE = "subscription { reportEvents { id eventType reportId report { id } } }"


@dataclass
class Counts:
    """What the callers saw."""

    requests: int = 0
    server_errors: int = 0
    internal: int = 0
    not_json: int = 0
    transport_errors: int = 0
    events: int = 0
    codes: Counter[str] = field(default_factory=Counter)

    def record(self, status: int, body: Any) -> None:
        self.requests += 1
        self.server_errors += status >= 500
        if not isinstance(body, dict):
            self.not_json += 1
            return
        for code in error_codes(body):
            self.codes[code] += 1
            self.internal += code == "INTERNAL"

    def line(self) -> str:
        return (
            f"requests={self.requests} 5xx={self.server_errors} INTERNAL={self.internal} "
            f"non_json={self.not_json} transport_errors={self.transport_errors} "
            f"events={self.events}"
        )


def error_codes(body: dict[str, Any]) -> list[str]:
    """``extensions.code`` of the GraphQL errors and ``code`` of any ``userErrors``."""
    codes = [str((e.get("extensions") or {}).get("code")) for e in body.get("errors") or []]
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict):
            codes += [str(e.get("code")) for e in payload.get("userErrors") or []]
    return codes


@dataclass(frozen=True)
class Sample:
    at_s: float
    rss_kib: int
    open_files: int
    sockets: int
    """Of the open files, how many are sockets (client pools, WebSockets, Redis)."""


def sample(pid: int, started: float) -> Sample:
    """The gateway process's resident memory and open file descriptors, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    rss = int(found.group(1)) if found else -1
    targets = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(FileNotFoundError):  # closed while we looked
            targets.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
    sockets = sum(target.startswith("socket:") for target in targets)
    return Sample(time.monotonic() - started, rss, len(targets), sockets)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Redis:
    """A private redis-server the soak stops and starts (same port, empty data)."""

    def __init__(self, workdir: str) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: asyncio.subprocess.Process | None = None
        self.drain: asyncio.Task[bytes] | None = None

    async def start(self) -> None:
        argv = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        self.proc = await asyncio.create_subprocess_exec(
            "redis-server",
            *argv,
            "no",
            "--dir",
            self.workdir,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert self.proc.stdout is not None
        async with asyncio.timeout(10):
            async for line in self.proc.stdout:
                if b"Ready to accept connections" in line:
                    break
        self.drain = asyncio.create_task(self.proc.stdout.read())  # keeps the pipe from filling

    async def stop(self) -> None:
        """SIGTERM, then wait for the exit: the gateway's connections are refused from now."""
        proc, drain = self.proc, self.drain
        self.proc = self.drain = None
        if proc is None:
            return
        if proc.returncode is None:
            proc.terminate()
        await proc.wait()
        if drain is not None:
            await drain


@dataclass
class Gateway:
    pid: int
    graphql_url: str
    sandbox_url: str
    admin_token: str
    sandbox_pid: int


def _environment(**settings: str) -> dict[str, str]:
    """This process's environment without any application setting, plus ``settings``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "REDIS_URL" and not k.startswith(("CONCUR_", "OTEL_"))
    }
    return env | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        **settings,
    }


async def _started(
    argv: list[str], env: dict[str, str], log: Any, pattern: str
) -> tuple[asyncio.subprocess.Process, str]:
    """A ``concur-gateway`` command, once a line of its output matched ``pattern``."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SERVE, *argv, cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=log,
    )  # fmt: skip
    assert proc.stdout is not None
    async with asyncio.timeout(60):
        while True:
            line = (await proc.stdout.readline()).decode()
            if not line:
                raise RuntimeError(f"{argv[0]} exited ({proc.returncode})")
            found = re.search(pattern, line)
            if found:
                return proc, found.group(1)


async def _stopped(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
    await proc.wait()


async def _subscribe(sandbox_url: str, gateway_origin: str) -> None:
    """Concur's ESS delivers to the gateway's webhook (an app token subscribes it)."""
    form = {
        "grant_type": "client_credentials",
        "client_id": seed.CLIENT_ID,
        "client_secret": seed.CLIENT_SECRET,
    }
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{sandbox_url}/oauth2/v0/token", data=form) as r:
            token = (await r.json())["access_token"]
        body = {
            "id": "soak",
            "filter": ".*",
            "topic": "public.concur.expense.report",
            "webHookConfig": {"endpoint": f"{gateway_origin}/events/ess"},
        }
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{sandbox_url}/events/v4/subscriptions/webhook"
        async with session.put(url, json=body, headers=headers) as r:
            r.raise_for_status()


@contextlib.asynccontextmanager
async def gateway_process(redis_url: str, log_path: Path) -> AsyncIterator[Gateway]:
    """The sandbox and ``concur-gateway serve`` as two processes (so the gateway's memory is
    measured alone: the sandbox keeps every report the soak creates), the gateway's cache in
    ``redis_url`` and ESS delivered to its webhook."""
    admin = secrets.token_urlsafe(16)
    with log_path.open("w", encoding="utf-8") as log:
        sandbox, sandbox_url = await _started(
            ["sandbox", "--host", "127.0.0.1", "--port", "0", "--admin-token", admin],
            _environment(),
            log,
            r"listening on (http://\S+)",
        )
        gateway: asyncio.subprocess.Process | None = None
        try:
            env = _environment(
                CONCUR_GATEWAY_UPSTREAM__BASE_URL=sandbox_url,
                CONCUR_GATEWAY_COMPANY_AUTH__CLIENT_ID=seed.CLIENT_ID,
                CONCUR_GATEWAY_COMPANY_AUTH__CLIENT_SECRET=seed.CLIENT_SECRET,
                CONCUR_GATEWAY_COMPANY_AUTH__COMPANY_ID=seed.COMPANY_ID,
                CONCUR_GATEWAY_COMPANY_AUTH__COMPANY_AUTH_TOKEN=seed.COMPANY_AUTH_TOKEN,
                CONCUR_GATEWAY_ESS__PUBLIC_KEYS=json.dumps(
                    [f"{sandbox_url}/_sandbox/ess/public-key.pem"]
                ),
                CONCUR_GATEWAY_ESS__KEY_REFETCH_MIN_S="0",
                CONCUR_GATEWAY_REDIS_URL=redis_url,
                CONCUR_GATEWAY_LOG_LEVEL="WARNING",
                # The soak is about faults and memory, not the budget: let its load reach Concur.
                CONCUR_GATEWAY_BUDGET__CALLS_PER_WINDOW="100000000",
            )
            argv = ["serve", "--host", "127.0.0.1", "--port", "0", "--workers", "1"]
            gateway, graphql_url = await _started(argv, env, log, r"serving on (http://\S+)")
            await _subscribe(sandbox_url, graphql_url.rsplit("/", 1)[0])
            drains = [asyncio.create_task(p.stdout.read()) for p in (sandbox, gateway) if p.stdout]
            yield Gateway(gateway.pid, graphql_url, sandbox_url, admin, sandbox.pid)
        finally:
            if gateway is not None:
                await _stopped(gateway)
            await _stopped(sandbox)
        for drain in drains:
            await drain


class Soak:
    """The load, the chaos and the counts, all bounded by one deadline."""

    def __init__(self, gateway: Gateway, redis: Redis, session: aiohttp.ClientSession) -> None:
        self.gw = gateway
        self.redis = redis
        self.session = session
        self.counts = Counts()
        self.random = random.Random(SEED)
        self.tokens: dict[str, str] = {}
        self.deadline = 0.0
        self.sandbox_rss_kib = 0

    @property
    def running(self) -> bool:
        return time.monotonic() < self.deadline

    async def pause(self, seconds: float) -> None:
        """Pace a loop, never past the deadline."""
        await asyncio.sleep(max(0.0, min(seconds, self.deadline - time.monotonic())))

    async def token(self, login: str) -> str:
        form = {
            "grant_type": "password",
            "username": login,
            "password": seed.DEMO_PASSWORD,
            "client_id": seed.CLIENT_ID,
            "client_secret": seed.CLIENT_SECRET,
        }
        async with self.session.post(f"{self.gw.sandbox_url}/oauth2/v0/token", data=form) as r:
            return str((await r.json())["access_token"])

    async def admin(self, method: str, path: str, json: Any = None) -> None:
        headers = {"Authorization": f"Bearer {self.gw.admin_token}"}
        url = f"{self.gw.sandbox_url}{path}"
        async with self.session.request(method, url, json=json, headers=headers) as r:
            await r.read()

    async def gql(self, login: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        """One GraphQL request, counted; its ``data`` (or None)."""
        headers = {"Authorization": f"Bearer {self.tokens[login]}"}
        payload = {"query": query, "variables": variables or {}}
        try:
            async with self.session.post(self.gw.graphql_url, json=payload, headers=headers) as r:
                body = await r.json() if r.content_type == "application/json" else None
                self.counts.record(r.status, body)
        except (aiohttp.ClientError, TimeoutError):
            self.counts.transport_errors += 1
            return None
        return body.get("data") if isinstance(body, dict) else None

    async def ids(self, login: str, query: str, root: str) -> list[str]:
        data = await self.gql(login, query)
        return [r["id"] for r in ((data or {}).get(root) or [])]

    async def queries(self) -> None:
        while self.running:
            login = self.random.choice((seed_login("traveler"), seed_login("manager")))
            await self.gql(login, self.random.choice(QUERIES))
            reports = await self.ids(login, "{ reports { id } }", "reports")
            if reports:
                ctx = "TRAVELER" if login.startswith("traveler") else "MANAGER"
                await self.gql(login, REPORT, {"id": self.random.choice(reports), "ctx": ctx})

    async def mutations(self) -> None:
        manager, traveler = seed_login("manager"), seed_login("traveler")
        while self.running:
            key = str(uuid.uuid4())
            pending = await self.ids(manager, "{ reportsToApprove { id } }", "reportsToApprove")
            if pending:
                target = self.random.choice(pending)
                if self.random.random() < 0.5:
                    protocol = self.random.choice(("V4", "XML"))
                    await self.gql(
                        manager, APPROVE, {"id": target, "key": key, "protocol": protocol}
                    )
                else:
                    await self.gql(manager, SEND_BACK, {"id": target, "key": key})
            drafts = await self.ids(traveler, "{ reports(view: UNSUBMITTED) { id } }", "reports")
            if drafts:
                target = self.random.choice(drafts)
                amount = f"{self.random.randint(1, 99_999) / 100:.2f}"
                await self.gql(traveler, ADD_ENTRIES, {"id": target, "amount": amount})
                await self.gql(traveler, SUBMIT, {"id": target, "key": str(uuid.uuid4())})
            if len(drafts) < 3:
                await self.gql(traveler, CREATE, {"key": str(uuid.uuid4())})

    async def subscriptions(self) -> None:
        """A subscriber that reconnects every minute (and after any failure)."""
        ws_url = self.gw.graphql_url.replace("http://", "ws://")
        while self.running:
            try:
                async with self.session.ws_connect(
                    ws_url, protocols=("graphql-transport-ws",), heartbeat=20
                ) as ws:
                    await self.listen(ws)
            except (aiohttp.ClientError, TimeoutError):
                self.counts.transport_errors += 1
                await self.pause(1)

    async def listen(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        auth = {"Authorization": f"Bearer {self.tokens[seed_login('manager')]}"}
        await ws.send_json({"type": "connection_init", "payload": auth})
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        until = min(self.deadline, time.monotonic() + 60)
        while time.monotonic() < until:
            try:
                received = await ws.receive(timeout=max(0.1, until - time.monotonic()))
            except TimeoutError:
                break
            if received.type is not aiohttp.WSMsgType.TEXT:  # closed by the server: reconnect
                self.counts.transport_errors += 1
                return
            message = json.loads(received.data)
            kind = message.get("type")
            if kind == "next":
                self.counts.events += 1
                self.counts.record(200, message.get("payload"))
            elif kind == "error":
                self.counts.record(200, {"errors": message.get("payload") or []})
        await ws.send_json({"id": "1", "type": "complete"})

    async def events(self) -> None:
        """Signed ESS events from the sandbox, duplicated now and then."""
        traveler = seed_login("traveler")
        for n in itertools.count():
            if not self.running:
                return
            reports = await self.ids(traveler, "{ reports { id } }", "reports")
            if reports:
                body = {"eventType": "reportUpdated", "reportId": self.random.choice(reports)}
                await self.admin("POST", "/_sandbox/ess/emit", body)
            duplicate = {"duplicate": 2} if n % 10 == 0 else {}
            await self.admin("POST", "/_sandbox/ess/inject", duplicate)
            await self.pause(0.5)

    async def reseeds(self) -> None:
        """Concur's data set back to the seed now and then, so the load stays the same size
        (caches then meet a changed company, as they do when Concur is edited directly)."""
        while self.running:
            await self.pause(RESEED_EVERY_S)
            if self.running:
                await self.admin("POST", "/_sandbox/reset")

    async def faults(self) -> None:
        """A new sandbox fault every 15 s, in turn."""
        for rule in itertools.cycle(FAULTS):
            if not self.running:
                return
            await self.admin("DELETE", "/_sandbox/faults")
            if rule:
                await self.admin("POST", "/_sandbox/faults", {"method": "*", **rule})
            await self.pause(15)
        await self.admin("DELETE", "/_sandbox/faults")

    async def redis_outages(self) -> None:
        """Redis down for 10 s in every 45."""
        while self.running:
            await self.pause(35)
            if not self.running:
                return
            await self.redis.stop()
            await self.pause(10)
            await self.redis.start()

    async def monitor(self, started: float, samples: list[Sample]) -> None:
        while self.running:
            await self.pause(SAMPLE_EVERY_S)
            taken = sample(self.gw.pid, started)
            samples.append(taken)
            print(
                f"t={taken.at_s:5.0f}s rss={taken.rss_kib / 1024:7.1f} MiB "
                f"open_files={taken.open_files:4d} (sockets {taken.sockets:4d})  "
                f"{self.counts.line()}",
                flush=True,
            )

    async def run(self, minutes: float) -> list[Sample]:
        for role in ("traveler", "manager"):
            self.tokens[seed_login(role)] = await self.token(seed_login(role))
        started = time.monotonic()
        self.deadline = started + minutes * 60
        samples = [sample(self.gw.pid, started)]
        loops: list[Callable[[], Coroutine[Any, Any, None]]] = [
            self.queries,
            self.queries,
            self.mutations,
            self.subscriptions,
            self.events,
            self.faults,
            self.redis_outages,
            self.reseeds,
        ]
        async with asyncio.TaskGroup() as group:
            for loop in loops:
                group.create_task(loop())
            group.create_task(self.monitor(started, samples))
        await self.admin("DELETE", "/_sandbox/faults")
        await self.admin("DELETE", "/_sandbox/ess/inject")
        samples.append(sample(self.gw.pid, started))
        self.sandbox_rss_kib = sample(self.gw.sandbox_pid, started).rss_kib
        return samples


def seed_login(role: str) -> str:
    return f"{role}@example.com"


def drift(samples: list[Sample]) -> str:
    """RSS and open files at the end against the first sample after warm-up."""
    warm = next((s for s in samples if s.at_s >= WARM_UP_S), samples[0])
    last = samples[-1]
    return (
        f"drift since warm-up (t={warm.at_s:.0f}s -> t={last.at_s:.0f}s): "
        f"rss {warm.rss_kib / 1024:.1f} -> {last.rss_kib / 1024:.1f} MiB "
        f"({(last.rss_kib - warm.rss_kib) / 1024:+.1f}), "
        f"open files {warm.open_files} -> {last.open_files} "
        f"({last.open_files - warm.open_files:+d}; sockets {warm.sockets} -> {last.sockets})"
    )


async def main(minutes: float) -> int:
    if shutil.which("redis-server") is None:
        print("soak: redis-server is not installed", file=sys.stderr)
        return 2
    workdir = tempfile.mkdtemp(prefix="concur-gateway-soak-")
    redis = Redis(workdir)
    await redis.start()
    try:
        log_path = Path(workdir) / "gateway.log"
        async with (
            gateway_process(redis.url, log_path) as gateway,
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
        ):
            print(f"soak: {minutes:g} min against {gateway.graphql_url} (log {log_path})")
            soak = Soak(gateway, redis, session)
            samples = await soak.run(minutes)
    finally:
        await redis.stop()
    counts = soak.counts
    print(counts.line())
    print("error codes: " + ", ".join(f"{c}={n}" for c, n in counts.codes.most_common()))
    print(drift(samples))
    print(f"(the sandbox process, for comparison, ended at {soak.sandbox_rss_kib / 1024:.1f} MiB)")
    return 1 if counts.server_errors or counts.internal or counts.not_json else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("minutes", nargs="?", type=float, default=10.0)
    sys.exit(asyncio.run(main(parser.parse_args().minutes)))
