"""Providers come from the standard ``OTEL_*`` variables (read by the SDK), never from code."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter
from prometheus_client import CollectorRegistry

from gateway.telemetry import providers
from gateway.telemetry.providers import (
    DEFAULT_SERVICE_NAME,
    Telemetry,
    meter_provider_from_environment,
    open_providers,
    service_resource,
)

OTEL = (
    "OTEL_TRACES_EXPORTER",
    "OTEL_METRICS_EXPORTER",
    "OTEL_SERVICE_NAME",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OTEL:
        monkeypatch.delenv(name, raising=False)


def test_nothing_is_exported_unless_asked() -> None:
    assert providers.environment_exporters() == ([], [])


@pytest.mark.parametrize("value", ["none", "NONE", " none "])
def test_none_exports_nothing(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", value)
    assert providers.environment_exporters() == ([], [])


def test_exporters_are_chosen_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console,otlp")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
    monkeypatch.setenv("OTEL_METRICS_EXPORTER", "prometheus")  # served at /metrics instead
    spans, metrics = providers.environment_exporters()
    assert spans == [ConsoleSpanExporter, OTLPSpanExporter]
    assert metrics == []


async def test_console_spans_are_written_when_asked() -> None:
    """In a child process: the console exporter holds the ``sys.stdout`` of its import."""
    script = (
        "from gateway.telemetry.providers import *\n"
        "provider = tracer_provider_from_environment(service_resource())\n"
        "provider.get_tracer('test').start_span('exported').end()\n"
        "provider.shutdown()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["OTEL_TRACES_EXPORTER"] = "console"
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await child.communicate()
    assert child.returncode == 0
    assert b'"name": "exported"' in out
    assert b'"service.name": "concur-gateway"' in out


def test_the_service_is_named_unless_the_environment_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert service_resource().attributes[SERVICE_NAME] == DEFAULT_SERVICE_NAME
    monkeypatch.setenv("OTEL_SERVICE_NAME", "expenses-edge")
    assert service_resource().attributes[SERVICE_NAME] == "expenses-edge"
    monkeypatch.delenv("OTEL_SERVICE_NAME")
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attributes")
    assert service_resource().attributes[SERVICE_NAME] == "from-attributes"


def test_each_app_scrapes_its_own_registry() -> None:
    first, second = CollectorRegistry(), CollectorRegistry()
    one = meter_provider_from_environment(service_resource(), first)
    two = meter_provider_from_environment(service_resource(), second)
    one.get_meter("t").create_counter("only.here").add(1)
    try:
        assert first.get_sample_value("only_here_total") == 1
        assert second.get_sample_value("only_here_total") is None
    finally:
        one.shutdown()
        two.shutdown()


async def test_injected_providers_are_left_to_their_owner() -> None:
    injected = TracerProvider()
    async with open_providers(Telemetry(tracer_provider=injected)) as running:
        assert running.tracer_provider is injected
    injected.get_tracer("t").start_span("still usable").end()  # not shut down by the app
    injected.shutdown()
