"""The live telemetry of one app: tracers and meters, set at startup under ``INSTRUMENTS``.

The request path looks them up on the app (``app.get(INSTRUMENTS)``): absent means
telemetry is off or the app is not started, and then nothing is traced or metered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from aiohttp import web
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from adapters.tracing import UpstreamTracer
from gateway.telemetry.metrics import GatewayMetrics
from gateway.telemetry.providers import Providers, Telemetry

INSTRUMENTATION: Final = "concur_gateway"


@dataclass(frozen=True, slots=True)
class Instruments:
    """What operations, requests and upstream calls are traced and metered with."""

    providers: Providers
    tracer: trace.Tracer
    upstream: UpstreamTracer
    metrics: GatewayMetrics
    propagator: TraceContextTextMapPropagator


TELEMETRY = web.AppKey("telemetry", Telemetry)
"""Where traces and metrics go (injected, or built from ``OTEL_*`` at startup)."""
INSTRUMENTS = web.AppKey("telemetry_instruments", Instruments)


__all__ = ["INSTRUMENTATION", "INSTRUMENTS", "TELEMETRY", "Instruments"]
