"""OpenTelemetry providers: built from the standard ``OTEL_*`` variables, or injected.

Where traces and metrics go is the SDK's business, configured the way every OpenTelemetry
service is: ``OTEL_TRACES_EXPORTER`` / ``OTEL_METRICS_EXPORTER`` (``otlp``, ``console``;
unset or ``none`` exports nothing), ``OTEL_EXPORTER_OTLP_*`` for the collector,
``OTEL_SERVICE_NAME`` / ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER``. The SDK reads
them itself (we use its own exporter selection), so switching exporters is a deployment
change, never a code change. Prometheus exposition is always on, in a registry the app owns:
two apps in one process (tests) must not share prometheus-client's global registry.

Providers are per app, never installed as OpenTelemetry's global ones, and only the ones
built here are shut down (flushing their exporters) when the app stops; injected providers
belong to whoever passed them.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from importlib import metadata
from typing import Final

from opentelemetry import metrics, trace
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk._configuration import _get_exporter_names, _import_exporters
from opentelemetry.sdk.environment_variables import OTEL_METRICS_EXEMPLAR_FILTER
from opentelemetry.sdk.metrics import AlwaysOffExemplarFilter, ExemplarFilter, MeterProvider
from opentelemetry.sdk.metrics.export import (
    MetricExporter,
    MetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased
from prometheus_client import CollectorRegistry

logger = logging.getLogger(__name__)

DEFAULT_SERVICE_NAME: Final = "concur-gateway"
DISTRIBUTION: Final = "concur-gateway"
PULL_EXPORTER: Final = "prometheus"
"""``OTEL_METRICS_EXPORTER=prometheus`` would open a second HTTP server; ``/metrics`` on the
app's own port already serves the same data, so that name is skipped."""
METER_SHUTDOWN_MS: Final = 5_000


@dataclass(frozen=True, slots=True)
class Telemetry:
    """What to trace and meter with; ``None`` parts are built from ``OTEL_*`` at startup.

    Tests inject a ``TracerProvider`` with an in-memory exporter. An injected
    ``meter_provider`` should come with the ``registry`` its ``PrometheusMetricReader``
    writes to, or ``/metrics`` has nothing to show.
    """

    tracer_provider: trace.TracerProvider | None = None
    meter_provider: metrics.MeterProvider | None = None
    registry: CollectorRegistry | None = None


@dataclass(frozen=True, slots=True)
class Providers:
    """The providers an app runs with, and the registry ``/metrics`` reads."""

    tracer_provider: trace.TracerProvider
    meter_provider: metrics.MeterProvider
    registry: CollectorRegistry


def service_resource() -> Resource:
    """The SDK's resource (``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``), named
    ``concur-gateway`` when those leave the service unnamed."""
    resource = Resource.create()
    defaults: dict[str, str] = {}
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        defaults[SERVICE_NAME] = DEFAULT_SERVICE_NAME
    if SERVICE_VERSION not in resource.attributes:
        with suppress(metadata.PackageNotFoundError):  # a bare source tree has no version
            defaults[SERVICE_VERSION] = metadata.version(DISTRIBUTION)
    return resource.merge(Resource(defaults)) if defaults else resource


def environment_exporters() -> tuple[
    list[type[SpanExporter]], list[type[MetricExporter | MetricReader]]
]:
    """The span and metric exporter classes ``OTEL_*_EXPORTER`` names (none by default)."""
    metric_names = [n for n in _get_exporter_names("metrics") if n != PULL_EXPORTER]
    spans, readers, _ = _import_exporters(_get_exporter_names("traces"), metric_names, [])
    return list(spans.values()), list(readers.values())


def tracer_provider_from_environment(resource: Resource) -> TracerProvider:
    """A provider whose sampler and exporters come from ``OTEL_*`` (batching exports).

    With no exporter, spans would be recorded only to be dropped: new traces are not
    recorded then (their ids still exist, so logs keep trace ids and Concur still receives
    trace context), which spares most of their cost; a caller's sampling decision is still
    followed and passed on unchanged.
    """
    span_exporters, _ = environment_exporters()
    if not span_exporters:
        return TracerProvider(resource=resource, sampler=ParentBased(ALWAYS_OFF))
    provider = TracerProvider(resource=resource)
    for exporter_class in span_exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter_class()))
    return provider


def meter_provider_from_environment(
    resource: Resource, registry: CollectorRegistry
) -> MeterProvider:
    """Prometheus exposition into ``registry``, plus whatever ``OTEL_METRICS_EXPORTER`` names.

    Exemplars tie a measurement to the trace it was taken in; with no trace exported there
    is nothing to tie to, so unless ``OTEL_METRICS_EXEMPLAR_FILTER`` says otherwise none are
    looked for (that check is a fifth of what recording a histogram costs)."""
    readers: list[MetricReader] = [
        PrometheusMetricReader(registry=registry, scope_info_enabled=False)
    ]
    span_exporters, metric_exporters = environment_exporters()
    exemplars: ExemplarFilter | None = None
    if not span_exporters and OTEL_METRICS_EXEMPLAR_FILTER not in os.environ:
        exemplars = AlwaysOffExemplarFilter()
    for exporter_class in metric_exporters:
        if issubclass(exporter_class, MetricReader):
            readers.append(exporter_class())
        else:
            readers.append(PeriodicExportingMetricReader(exporter_class()))
    return MeterProvider(resource=resource, metric_readers=readers, exemplar_filter=exemplars)


@asynccontextmanager
async def open_providers(given: Telemetry) -> AsyncIterator[Providers]:
    """The given providers, the missing ones built; the built ones shut down on exit.

    Shutting down flushes exporters over the network, so it runs in a thread.
    """
    built_tracer: TracerProvider | None = None
    built_meter: MeterProvider | None = None
    resource: Resource | None = None
    registry = given.registry or CollectorRegistry(auto_describe=True)
    tracer_provider = given.tracer_provider
    if tracer_provider is None:
        resource = service_resource()
        tracer_provider = built_tracer = tracer_provider_from_environment(resource)
    meter_provider = given.meter_provider
    if meter_provider is None:
        resource = resource or service_resource()
        meter_provider = built_meter = meter_provider_from_environment(resource, registry)
    try:
        yield Providers(tracer_provider, meter_provider, registry)
    finally:
        if built_meter is not None:
            await asyncio.to_thread(built_meter.shutdown, timeout_millis=METER_SHUTDOWN_MS)
        if built_tracer is not None:
            await asyncio.to_thread(built_tracer.shutdown)


__all__ = [
    "DEFAULT_SERVICE_NAME",
    "Providers",
    "Telemetry",
    "environment_exporters",
    "meter_provider_from_environment",
    "open_providers",
    "service_resource",
    "tracer_provider_from_environment",
]
