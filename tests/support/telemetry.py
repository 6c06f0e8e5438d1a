"""A gateway whose spans go to an in-memory exporter, and helpers to read spans and
metrics; fixtures in ``tests/gateway/telemetry/conftest.py``."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from gateway.app import create_app
from gateway.settings import Settings
from gateway.telemetry.providers import Telemetry
from tests.support.gateway import GatewayHarness
from tests.support.sandbox import SandboxHarness


class Spans:
    """The finished spans of one test."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))

    def finished(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def clear(self) -> None:
        self.exporter.clear()

    def named(self, name: str) -> list[ReadableSpan]:
        return [span for span in self.finished() if span.name == name]

    def children_of(self, parent: ReadableSpan) -> list[ReadableSpan]:
        parent_id = parent.context.span_id
        return [
            s for s in self.finished() if s.parent is not None and s.parent.span_id == parent_id
        ]


@asynccontextmanager
async def traced_gateway(
    sandbox: SandboxHarness, settings: Settings, telemetry: Telemetry | None
) -> AsyncIterator[GatewayHarness]:
    server = TestServer(create_app(settings, telemetry))
    async with (
        server,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        yield GatewayHarness(server=server, session=session, sandbox=sandbox)


async def get(gw: GatewayHarness, path: str) -> tuple[int, str]:
    async with gw.session.get(gw.server.make_url(path)) as response:
        return response.status, await response.text()


async def scrape(gw: GatewayHarness) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """``/metrics`` as {(sample name, labels): value}."""
    status, text = await get(gw, "/metrics")
    assert status == 200, text
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def sample(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: Any
) -> float:
    """The sum of ``name`` over samples whose labels include ``labels``."""
    wanted = {(k, str(v)) for k, v in labels.items()}
    return sum(
        value
        for (sample_name, have), value in samples.items()
        if sample_name == name and wanted <= have
    )


async def eventually(
    condition: Callable[[], bool | Awaitable[bool]], timeout_s: float = 15
) -> None:
    """Until ``condition`` holds: polls state another process or task changes (the condition
    ends the wait, the timeout only bounds a broken test)."""
    async with asyncio.timeout(timeout_s):
        while True:
            outcome = condition()
            if await outcome if inspect.isawaitable(outcome) else outcome:
                return
            await asyncio.sleep(0.01)


__all__ = ["Spans", "eventually", "get", "sample", "scrape", "traced_gateway"]
