"""Fixtures: a gateway whose spans go to an in-memory exporter, and helpers to read them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from gateway.telemetry.providers import Telemetry
from tests.support.gateway import GatewayHarness, gateway_settings
from tests.support.sandbox import SandboxHarness
from tests.support.telemetry import (
    Spans,
    traced_gateway,
)


@pytest.fixture
def spans() -> Iterator[Spans]:
    captured = Spans()
    yield captured
    captured.provider.shutdown()


@pytest.fixture
async def gateway(sandbox: SandboxHarness, spans: Spans) -> AsyncIterator[GatewayHarness]:
    """A gateway tracing into ``spans``; metrics built as in production (own registry)."""
    settings = gateway_settings(sandbox.base_url, health={"cache_s": 0})
    async with traced_gateway(sandbox, settings, Telemetry(tracer_provider=spans.provider)) as gw:
        yield gw
