"""``concur-gateway serve --workers N`` as real processes: one port, Redis, merged metrics.

The server runs as a deployment runs it, configured only through its environment, over a
private Redis and the test's sandbox. Which worker answered is read from the
``X-Gateway-Worker`` header every response carries when there are several.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from gateway.cli import REFUSED_EXIT
from gateway.serving import WORKER_HEADER
from gateway.settings import Settings
from gateway.telemetry.prometheus import MetricsSpool
from gateway.workers import WorkersRefused, usable_cpus, worker_count
from tests.support.processes import LAUNCH, ServeProcess, replica_environment, serving
from tests.support.sandbox import SandboxHarness

START_S = 60.0
STOP_S = 60.0
MAX_REQUESTS = 64
"""Fresh connections until both workers answered: each lands on either with even odds."""
HTTP_COUNT = "gateway_http_request_duration_seconds_count"
_SERVING = re.compile(
    r"concur-gateway serving on (?P<url>http://\S+)(?: and gRPC on (?P<grpc>\S+))?"
    r" with (?P<workers>\d+) workers"
)


async def _answered_by(server: ServeProcess) -> Counter[int]:
    """POSTs on fresh connections until two workers answered; pids and how often."""
    pids: Counter[int] = Counter()
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        for _ in range(MAX_REQUESTS):
            async with session.post(server.url, json={"query": "{ __typename }"}) as response:
                await response.read()
                pids[int(response.headers[WORKER_HEADER])] += 1
            if len(pids) == 2:
                break
    return pids


@dataclass(frozen=True)
class Scrape:
    """What one ``/metrics`` answer says: GraphQL requests counted, and the workers named
    by ``target_info`` (each worker's resource carries its ``process.pid``)."""

    graphql_requests: float
    worker_pids: frozenset[int]

    @classmethod
    def of(cls, exposition: str) -> Scrape:
        samples = [s for f in text_string_to_metric_families(exposition) for s in f.samples]
        return cls(
            graphql_requests=sum(
                s.value
                for s in samples
                if s.name == HTTP_COUNT and s.labels.get("route") == "/graphql"
            ),
            worker_pids=frozenset(
                int(s.labels["process_pid"]) for s in samples if s.name == "target_info"
            ),
        )


async def _merged_scrape(server: ServeProcess, expected: float) -> Scrape:
    """``/metrics`` until it counts ``expected`` requests (another worker's numbers reach
    the shared files within a second); fails after ``START_S``."""
    async with aiohttp.ClientSession() as session, asyncio.timeout(START_S):
        while True:
            async with session.get(f"{server.origin}/metrics") as response:
                scrape = Scrape.of(await response.text())
            if scrape.graphql_requests >= expected:
                return scrape
            await asyncio.sleep(0.2)


def _gone(pid: int) -> bool:
    """No such process, or only its exit status is left (a zombie)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


@pytest.fixture
def env(sandbox: SandboxHarness, redis_url: str, redis_prefix: str) -> dict[str, str]:
    return replica_environment(sandbox, redis_url, redis_prefix)


async def _grpc_serving(target: str) -> bool:
    async with grpc.aio.insecure_channel(target) as channel:
        health: Any = health_pb2_grpc.HealthStub(channel)  # its stubs name no methods
        reply = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=START_S)
        return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


async def test_two_workers_answer_merge_their_metrics_and_stop_on_sigterm(
    env: dict[str, str],
) -> None:
    async with serving(
        env | {"CONCUR_GATEWAY_GRPC_PORT": "0"}, "--workers", "2", line=_SERVING
    ) as server:
        assert server.line["workers"] == "2"
        assert server.line["grpc"] is not None, server.line[0]
        assert await _grpc_serving(server.line["grpc"])  # both bound the one gRPC port too
        pids = await _answered_by(server)
        assert len(pids) == 2, pids
        total = sum(pids.values())
        scrape = await _merged_scrape(server, total)
        assert scrape.graphql_requests == total  # both workers' requests, in one scrape
        assert scrape.worker_pids == set(pids)
        server.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.process.wait(), STOP_S) == 0
    assert all(_gone(pid) for pid in pids)


async def test_a_worker_that_dies_stops_the_server_with_a_failure(env: dict[str, str]) -> None:
    async with serving(env, "--workers", "2", line=_SERVING) as server:
        pids = await _answered_by(server)
        victim, survivor = sorted(pids)
        os.kill(victim, signal.SIGKILL)
        assert await asyncio.wait_for(server.process.wait(), STOP_S) == 1
    assert _gone(survivor)


async def _refusal(env: Mapping[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LAUNCH,
        "serve",
        "--port",
        "0",
        "--workers",
        "2",
        env=dict(env),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), START_S)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_several_workers_without_redis_are_refused(env: dict[str, str]) -> None:
    without_redis = {k: v for k, v in env.items() if k != "REDIS_URL"}
    code, stderr = await _refusal(without_redis)
    assert code == REFUSED_EXIT
    assert "REDIS_URL" in stderr


async def test_several_workers_with_the_embedded_sandbox_are_refused(
    env: dict[str, str],
) -> None:
    embedded = {k: v for k, v in env.items() if k != "CONCUR_GATEWAY_UPSTREAM__BASE_URL"}
    code, stderr = await _refusal(embedded)
    assert code == REFUSED_EXIT
    assert "embedded sandbox" in stderr


def test_the_default_is_one_worker_per_core_only_with_redis_and_an_upstream(
    redis_url: str,
) -> None:
    upstream = {"base_url": "http://127.0.0.1:9"}
    assert worker_count(Settings(redis_url=redis_url, upstream=upstream)) == usable_cpus()
    assert worker_count(Settings(upstream=upstream)) == 1
    assert worker_count(Settings(redis_url=redis_url)) == 1
    assert worker_count(Settings(server={"workers": 1})) == 1
    with pytest.raises(WorkersRefused, match="REDIS_URL"):
        worker_count(Settings(upstream=upstream, server={"workers": 3}))


def test_usable_cpus_is_within_the_affinity_mask() -> None:
    assert 1 <= usable_cpus() <= len(os.sched_getaffinity(0))


def _histogram(registry: CollectorRegistry) -> Histogram:
    return Histogram("latency_seconds", "Latency", ["route"], registry=registry, buckets=(1, 5))


def test_spooled_histograms_merge_to_the_histogram_of_every_observation(tmp_path: Path) -> None:
    first, second, together = CollectorRegistry(), CollectorRegistry(), CollectorRegistry()
    observations = {first: [0.5, 3.0, 7.0], second: [0.2, 0.3, 4.0]}
    for pid, (registry, values) in enumerate(observations.items(), start=1):
        histogram = _histogram(registry)
        for value in values:
            histogram.labels("/graphql").observe(value)
        MetricsSpool(tmp_path, pid=pid).write(registry)
    whole = _histogram(together)
    for value in [v for values in observations.values() for v in values]:
        whole.labels("/graphql").observe(value)

    def samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(exposition)
            for s in family.samples
            if not s.name.endswith("_created")
        }

    merged = samples(MetricsSpool(tmp_path, pid=3).merged().decode())
    assert merged == samples(generate_latest(together).decode())
